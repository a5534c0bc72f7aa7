import type { BackupConfigFile } from '../config/config-types';
import type { Platform } from '../platform/platform';
import { serviceSettingsFromConfig, type ServiceSettings } from './service-controller';
import type { ServiceEventHandler, ServiceLog, ServiceNode, ServiceStateInfo, ServiceStep } from './service-types';
import { readSettledIdentity, type ProcessIdentity } from './process-identity';
import { clearStateMarker, newStateMarker, writeStateMarker, type StateMarker } from './state-marker';
import { buildTopology, type ServiceTopology } from './topology';
import { startTopology, stopTopology } from './topology-runner';

export interface ServiceSessionOptions extends ServiceSettings {
  platform: Platform;
  topology: ServiceTopology;
  /** Where the state marker goes: `<TempDirectory>/AlteryxBackup.state.json`. */
  tempDirectory: string;
  log: ServiceLog;
  onEvent?: ServiceEventHandler;
  /** The run lock's runId, recorded in the marker. */
  runId?: string;
}

export interface SessionFromConfigOptions {
  log: ServiceLog;
  onEvent?: ServiceEventHandler;
  runId?: string;
  /** Default 1000 ms. */
  servicePollMs?: number;
}

export interface RestoreOptions {
  /** Overrides MaxServiceWaitSeconds for this attempt (e.g. a last-chance restore that may wait longer). */
  maxServiceWaitSeconds?: number;
}

export interface Downtime {
  /** ISO 8601: the first stop control. */
  startedAt: string;
  /** ISO 8601: everything we stopped is Running again; null while it is not. */
  endedAt: string | null;
  /** Up to now while still down. */
  seconds: number;
}

/**
 * The guard behind "the service ends as it started".
 *
 *     const session = ServiceSession.fromConfig(platform, config.file, { log, onEvent, runId: lock.runId });
 *     try {
 *       await session.stop(signal);       // topology-aware; marker written before any stop
 *       await dump();
 *       await session.restore();          // immediately after the dump
 *       ...
 *     } finally {
 *       await session.restore();          // no-op if already restored; never abortable
 *     }
 *
 * `stop()` remembers exactly which nodes it stopped (a node that was already
 * Stopped is left out and stays stopped). `restore()` starts exactly those,
 * Controller → ServerUI → Workers, then removes the marker. It is idempotent:
 * concurrent calls share one attempt; after success later calls do nothing;
 * after a failure a later call tries again.
 */
export class ServiceSession {
  /** Every stop and start that ran, in order, for the manifest. */
  readonly sequence: ServiceStep[] = [];
  /** Per-node results of stop(). */
  readonly stopStates: ServiceStateInfo[] = [];
  private readonly stopped: ServiceNode[] = [];
  private marker: StateMarker | undefined;
  private markerWrites: Promise<void> = Promise.resolve();
  private downStartedAt: number | undefined;
  private downEndedAt: number | undefined;
  private restoring: Promise<void> | undefined;
  private stopCalled = false;
  private readonly helperPids: number[] = [];
  private readonly helpers: ProcessIdentity[] = [];
  private dataDirectory: string | undefined;

  constructor(private readonly o: ServiceSessionOptions) {}

  static fromConfig(
    platform: Platform,
    config: Pick<BackupConfigFile, 'BackupConfiguration' | 'ServiceConfiguration' | 'AlteryxConfiguration'>,
    options: SessionFromConfigOptions,
  ): ServiceSession {
    const topology = buildTopology(config.AlteryxConfiguration.Nodes, platform.hostname());
    for (const w of topology.warnings) options.log.warn(w);
    return new ServiceSession({
      ...serviceSettingsFromConfig(config),
      servicePollMs: options.servicePollMs,
      platform,
      topology,
      tempDirectory: config.BackupConfiguration.TempDirectory,
      log: options.log,
      onEvent: options.onEvent,
      runId: options.runId,
    });
  }

  get topology(): ServiceTopology {
    return this.o.topology;
  }

  /** Nodes this session stopped that are not Running again yet. */
  get stoppedNodes(): readonly ServiceNode[] {
    return [...this.stopped];
  }

  /** True while something this session stopped is not confirmed Running again. */
  get needsRestore(): boolean {
    return this.stopped.length > 0;
  }

  /** True if stop() found every node already stopped and touched nothing. */
  get wasAlreadyStopped(): boolean {
    return this.stopCalled && this.downStartedAt === undefined && this.stopStates.length > 0 && this.stopStates.every((s) => s.InitialState === 'Stopped');
  }

  /** Measured downtime, from the first stop control to the last node Running again; null if nothing was stopped. */
  downtime(): Downtime | null {
    if (this.downStartedAt === undefined) return null;
    const end = this.downEndedAt ?? Date.now();
    return {
      startedAt: new Date(this.downStartedAt).toISOString(),
      endedAt: this.downEndedAt === undefined ? null : new Date(this.downEndedAt).toISOString(),
      seconds: (end - this.downStartedAt) / 1000,
    };
  }

  /**
   * Stops the service on every node (Workers → ServerUI → Controller),
   * waiting for workflows first. On failure, nodes already stopped are
   * started again before the error is rethrown; anything that could not be
   * restarted stays in `stoppedNodes` for `restore()`.
   */
  async stop(signal?: AbortSignal): Promise<ServiceStateInfo[]> {
    if (this.stopCalled) throw new Error('ServiceSession.stop() may be called once per session.');
    this.stopCalled = true;
    const result = await stopTopology({
      ...this.o,
      sequence: this.sequence,
      signal,
      beforeStop: (node) => this.recordStopping(node),
      afterRestart: (node) => this.recordRunning(node),
    });
    this.stopStates.push(...result.results.map((r) => r.state));
    if (this.stopped.length === 0 && this.marker) await this.clearMarkerNow();
    return this.stopStates;
  }

  /**
   * Starts exactly what stop() stopped and waits for Running. Never
   * abortable: a second Ctrl+C must not leave Alteryx down. Throws if a node
   * would not start (the marker then still lists it).
   */
  restore(options: RestoreOptions = {}): Promise<void> {
    if (!this.restoring) {
      this.restoring = this.doRestore(options).finally(() => {
        this.restoring = undefined;
      });
    }
    return this.restoring;
  }

  private async doRestore(options: RestoreOptions): Promise<void> {
    if (this.stopped.length === 0) {
      if (this.marker) await this.clearMarkerNow();
      return;
    }
    await startTopology({
      ...this.o,
      sequence: this.sequence,
      ...(options.maxServiceWaitSeconds !== undefined ? { maxServiceWaitSeconds: options.maxServiceWaitSeconds } : {}),
      nodes: [...this.stopped],
      signal: undefined,
      afterStart: (node) => this.recordRunning(node),
    });
  }

  private async recordStopping(node: ServiceNode): Promise<void> {
    this.marker ??= newStateMarker(this.o.serviceName, this.o.runId, this.o.platform.hostname());
    this.stopped.push(node);
    try {
      await this.saveMarker();
    } catch (err) {
      // No marker, no stop: we could not promise a repair.
      this.stopped.splice(this.stopped.indexOf(node), 1);
      throw err;
    }
    this.downStartedAt ??= Date.now();
    this.downEndedAt = undefined;
  }

  private async recordRunning(node: ServiceNode): Promise<void> {
    const i = this.stopped.indexOf(node);
    if (i >= 0) this.stopped.splice(i, 1);
    if (this.stopped.length === 0) {
      this.downEndedAt = Date.now();
      await this.clearMarkerNow();
    } else {
      await this.saveMarker();
    }
  }

  /**
   * Records a program started while the service is down (the dump), so that
   * a repair after a hard kill ends it before starting the service.
   */
  recordHelperProcess(pid: number, dataDirectory?: string): Promise<void> {
    if (!this.marker) return Promise.resolve();
    this.helperPids.push(pid);
    if (dataDirectory) this.dataDirectory = dataDirectory;
    // The PID at once (the run may be killed any moment); then PID, start time and image,
    // so a repair never ends a process that merely reuses the PID.
    const saved = this.saveMarker();
    return Promise.all([saved, readSettledIdentity(pid)]).then(([, id]) => {
      if (!id) return undefined;
      this.helpers.push(id);
      return this.saveMarker();
    });
  }

  /** Marker writes are serialised: same-role nodes stop in parallel. */
  private saveMarker(): Promise<void> {
    const next = this.markerWrites.then(async () => {
      if (!this.marker) return;
      this.marker = {
        ...this.marker,
        updatedAt: new Date().toISOString(),
        stoppedNodes: this.stopped.map((n) => ({ hostname: n.hostname, host: n.host ?? null, role: n.role })),
        helperPids: [...this.helperPids],
        helpers: [...this.helpers],
        ...(this.dataDirectory ? { dataDirectory: this.dataDirectory } : {}),
      };
      await writeStateMarker(this.o.tempDirectory, this.marker);
    });
    this.markerWrites = next.catch(() => undefined);
    return next;
  }

  private clearMarkerNow(): Promise<void> {
    const next = this.markerWrites.then(async () => {
      if (this.stopped.length > 0) return;
      this.marker = undefined;
      await clearStateMarker(this.o.tempDirectory);
    });
    this.markerWrites = next.catch(() => undefined);
    return next;
  }
}
