import { runCommand } from '../platform/run-command';
import * as fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BackupConfigFile, NodeRole } from '../config/config-types';
import type { Platform } from '../platform/platform';
import { readJsonFile, writeJsonAtomic } from './atomic-json';
import { isPidAlive } from './process-alive';
import { readProcessIdentity, sameIdentity, type ProcessIdentity } from './process-identity';
import { ValidationError } from '../core/errors';
import { readRunLock } from './run-lock';
import { serviceSettingsFromConfig } from './service-controller';
import type { ServiceEventHandler, ServiceLog, ServiceNode, ServiceStep } from './service-types';
import { buildTopology, sameHost } from './topology';
import { startTopology } from './topology-runner';

export const MARKER_FILE_NAME = 'AlteryxBackup.state.json';

/**
 * Written BEFORE any stop control is sent, rewritten as nodes are stopped and
 * started, and removed once everything we stopped is Running again. If node
 * dies in between, the file says exactly what to start.
 */
export interface StateMarker {
  version: 1;
  pid: number;
  /** The machine the run was on. */
  host: string;
  /** ISO 8601. */
  startedAt: string;
  updatedAt: string;
  serviceName: string;
  /** The run lock's runId, so a reused PID is not mistaken for the run. */
  runId?: string;
  /** Nodes whose stop was sent (or is about to be). `host` null = the run's own machine. */
  stoppedNodes: { hostname: string; host: string | null; role: NodeRole }[];
  /**
   * Programs the run started while the service was down (the dump). If the
   * run is killed they can outlive it; the repair ends them before starting
   * the service, so a dump never reads data files the service is using.
   */
  helperPids?: number[];
  /**
   * The same programs with their start time and image name. The repair ends
   * a process only if all three still match; a PID alone proves nothing.
   */
  helpers?: ProcessIdentity[];
  /** The embedded MongoDB data folder the helpers read, when known: the repair will not start the service while it is locked. */
  dataDirectory?: string;
}

export function markerPath(tempDirectory: string): string {
  return path.join(tempDirectory, MARKER_FILE_NAME);
}

export async function writeStateMarker(tempDirectory: string, marker: StateMarker): Promise<void> {
  await writeJsonAtomic(markerPath(tempDirectory), marker);
}

/** The marker, or undefined if there is none. A corrupt marker throws SyntaxError. */
export async function readStateMarker(tempDirectory: string): Promise<StateMarker | undefined> {
  const m = await readJsonFile<StateMarker>(markerPath(tempDirectory));
  if (m === undefined) return undefined;
  if (typeof m !== 'object' || m === null || typeof m.pid !== 'number' || !Array.isArray(m.stoppedNodes)) {
    throw new SyntaxError(`${markerPath(tempDirectory)} is not a valid state marker.`);
  }
  return m;
}

export async function clearStateMarker(tempDirectory: string): Promise<void> {
  await fs.rm(markerPath(tempDirectory), { force: true });
}

export function markerNodes(marker: StateMarker): ServiceNode[] {
  return marker.stoppedNodes.map((n) => ({ hostname: n.hostname, host: n.host ?? undefined, role: n.role }));
}

export interface RepairOptions {
  onEvent?: ServiceEventHandler;
  /** Default 1000 ms; tests use less. */
  servicePollMs?: number;
  /** This machine's name; default platform.hostname(). */
  hostname?: string;
}

export interface RepairResult {
  /** What happened, for the CLI's result data. */
  outcome: 'no-marker' | 'run-still-active' | 'other-host' | 'corrupt-marker' | 'repaired';
  message: string;
  marker?: StateMarker;
  started: ServiceNode[];
  sequence: ServiceStep[];
}

/** True when the run that wrote the marker is still going (and so owns the service). */
async function writerIsAlive(marker: StateMarker, tempDirectory: string): Promise<boolean> {
  if (marker.pid === process.pid) return true;
  if (!isPidAlive(marker.pid)) return false;
  if (!marker.runId) return true;
  // A live run holds the lock for as long as its marker exists; a matching PID without the lock is a reused PID.
  const lock = await readRunLock(tempDirectory).catch(() => undefined);
  return lock?.runId === marker.runId && lock.pid === marker.pid;
}

/**
 * Starts what a crashed run left stopped. Called at the start of every run
 * (after taking the lock) and by `Repair-AlteryxBackupState`, which the
 * PowerShell bridge runs when node died after a `stopped` event.
 *
 * Does nothing while the marker's process is still alive. Starts the nodes
 * the marker lists, Controller → ServerUI → Workers, not abortable, then
 * removes the marker. If a start fails, the marker is kept (with only the
 * nodes still down) and the error is thrown.
 */
export async function repairFromMarker(
  platform: Platform,
  config: Pick<BackupConfigFile, 'BackupConfiguration' | 'ServiceConfiguration' | 'AlteryxConfiguration'>,
  log: ServiceLog,
  options: RepairOptions = {},
): Promise<RepairResult> {
  const tempDirectory = config.BackupConfiguration.TempDirectory;
  const hostname = options.hostname ?? platform.hostname();
  const sequence: ServiceStep[] = [];
  let marker: StateMarker | undefined;
  try {
    marker = await readStateMarker(tempDirectory);
  } catch (err) {
    // Writes are atomic, so this is damage from outside. Guessing which services to start could start one an admin stopped.
    const aside = `${markerPath(tempDirectory)}.corrupt-${Date.now()}`;
    await fs.rename(markerPath(tempDirectory), aside).catch(() => undefined);
    const message =
      `The state marker was unreadable (${err instanceof Error ? err.message : String(err)}); moved to ${aside}. ` +
      `Check that ${config.AlteryxConfiguration.ServiceName} is running on every node.`;
    log.warn(message);
    return { outcome: 'corrupt-marker', message, started: [], sequence };
  }
  if (!marker) return { outcome: 'no-marker', message: 'No state marker: nothing to repair.', started: [], sequence };

  if (!sameHost(marker.host, hostname)) {
    const message = `The state marker in ${tempDirectory} was written on ${marker.host}, not ${hostname}; leaving it alone.`;
    log.warn(message);
    return { outcome: 'other-host', message, marker, started: [], sequence };
  }
  if (await writerIsAlive(marker, tempDirectory)) {
    const message = `The run that wrote the state marker (PID ${marker.pid}, started ${marker.startedAt}) is still active; it owns the service.`;
    log.info(message);
    return { outcome: 'run-still-active', message, marker, started: [], sequence };
  }

  const nodes = markerNodes(marker);
  if (nodes.length === 0) {
    await clearStateMarker(tempDirectory);
    return { outcome: 'repaired', message: 'The previous run had stopped nothing; marker removed.', marker, started: [], sequence };
  }
  log.warn(
    `A previous run (PID ${marker.pid}, started ${marker.startedAt}) ended while it had stopped ` +
      `${marker.serviceName} on ${nodes.map((n) => n.hostname).join(', ')}. Starting it again.`,
  );
  const unproved = await endOrphanedHelpers(marker, log);
  if (unproved.length > 0) {
    const lockedBy = dataFolderLock(marker.dataDirectory);
    if (lockedBy) {
      const message =
        `Not starting ${marker.serviceName}: the MongoDB data folder ${marker.dataDirectory} is locked (${lockedBy}) and ` +
        `PID ${unproved.join(', ')} could not be proved to be the interrupted run's dump, so it was not ended. ` +
        `End that process if it is the dump, then run Repair-AlteryxBackupState; the state marker is kept.`;
      log.error(message);
      throw new ValidationError(message, 'REPAIR_DATA_FOLDER_LOCKED', { category: 'ResourceBusy' });
    }
  }
  const remaining = [...nodes];
  const settings = serviceSettingsFromConfig(config);
  try {
    await startTopology({
      ...settings,
      serviceName: marker.serviceName,
      servicePollMs: options.servicePollMs,
      platform,
      // Only the marker's nodes are started; a node list that no longer validates must not block the repair.
      topology: buildTopology([], hostname),
      nodes,
      log,
      onEvent: options.onEvent,
      sequence,
      rollback: true,
      afterStart: (node) => {
        remaining.splice(remaining.indexOf(node), 1);
      },
    });
  } catch (err) {
    await writeStateMarker(tempDirectory, {
      ...marker,
      updatedAt: new Date().toISOString(),
      stoppedNodes: remaining.map((n) => ({ hostname: n.hostname, host: n.host ?? null, role: n.role })),
    });
    throw err;
  }
  await clearStateMarker(tempDirectory);
  const message = `Repaired: ${marker.serviceName} is running again on ${nodes.map((n) => n.hostname).join(', ')}.`;
  log.success(message);
  return { outcome: 'repaired', message, marker, started: nodes, sequence };
}

/**
 * Ends programs a killed run left behind (an emongodump in its own process
 * group), but only a process that is provably the one the run started: same
 * PID, start time and image name. On POSIX the whole process group goes, on
 * Windows the process tree (taskkill /T). A PID now used by another program
 * is left alone. Returns the PIDs that are alive but could not be proved
 * either way (no recorded identity, or the live one cannot be read).
 */
export async function endOrphanedHelpers(marker: StateMarker, log: ServiceLog): Promise<number[]> {
  const recorded = new Map<number, ProcessIdentity | undefined>();
  for (const pid of marker.helperPids ?? []) recorded.set(pid, undefined);
  for (const h of marker.helpers ?? []) recorded.set(h.pid, h);
  const unproved: number[] = [];
  for (const [pid, was] of recorded) {
    if (!isPidAlive(pid)) continue;
    const now = await readProcessIdentity(pid);
    if (!was || !now) {
      log.warn(
        `PID ${pid} (recorded by the interrupted run as its dump) is running, but it cannot be proved to be that process ` +
          `(${!was ? 'the state marker holds no start time and image for it' : 'its start time and image cannot be read'}); it is not ended.`,
      );
      unproved.push(pid);
      continue;
    }
    if (!sameIdentity(was, now)) {
      log.warn(
        `PID ${pid} now belongs to another process (${now.image}, started ${now.startTime}; the dump was ${was.image}, started ${was.startTime}); it is left alone.`,
      );
      continue;
    }
    log.warn(`A program started by the interrupted run (PID ${pid}, ${now.image}, the dump) is still running; ending it before the service is started.`);
    try {
      if (process.platform === 'win32') await runCommand('taskkill', ['/PID', String(pid), '/T', '/F'], { timeoutMs: 30_000 });
      else {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          process.kill(pid, 'SIGKILL');
        }
      }
    } catch (err) {
      log.warn(`Could not end PID ${pid}: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (let i = 0; i < 300 && isPidAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  return unproved;
}

/**
 * Why the data folder is locked, or undefined. mongod writes its PID into
 * `mongod.lock` in its dbPath while it runs and leaves the file empty on a
 * clean shutdown (https://www.mongodb.com/docs/manual/tutorial/recover-data-following-unexpected-shutdown/).
 */
function dataFolderLock(dataDirectory: string | undefined): string | undefined {
  if (!dataDirectory) return undefined;
  try {
    const text = readFileSync(path.join(dataDirectory, 'mongod.lock'), 'utf8').trim();
    return text ? `mongod.lock holds PID ${text}` : undefined;
  } catch {
    return undefined;
  }
}

/** A fresh marker for this process. */
export function newStateMarker(serviceName: string, runId: string | undefined, hostname = os.hostname()): StateMarker {
  const now = new Date().toISOString();
  return {
    version: 1,
    pid: process.pid,
    host: hostname,
    startedAt: now,
    updatedAt: now,
    serviceName,
    ...(runId ? { runId } : {}),
    stoppedNodes: [],
  };
}
