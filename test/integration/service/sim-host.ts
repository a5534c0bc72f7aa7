import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BackupConfigFile } from '../../../src/config/config-types';
import { SimulatedPlatform } from '../../../src/platform/simulated/simulated-platform';
import type { ServiceSettings } from '../../../src/service/service-controller';
import type { ServiceLog } from '../../../src/service/service-types';
import { readEvents, type SimEvent } from '../../../src/sim/events';
import { writeFaults, type Faults } from '../../../src/sim/faults';
import { createHost } from '../../../src/sim/host-builder';
import { hostPaths, readJson } from '../../../src/sim/host-layout';
import { forceState, readServiceRecord, type ServiceRecord } from '../../../src/sim/service-control';

/**
 * Fast settings for the simulated service (it changes state in ~0.2 s). The
 * wait is generous because the tests that expect success must not fail on a
 * loaded machine; tests that expect a timeout pass a short one explicitly.
 */
export const FAST: ServiceSettings = {
  serviceName: 'AlteryxService',
  maxServiceWaitSeconds: 15,
  maxWorkflowWaitSeconds: 5,
  workflowPollSeconds: 0.05,
  forceStopWorkflows: false,
  servicePollMs: 25,
};

export interface SimHost {
  root: string;
  platform: SimulatedPlatform;
  config: BackupConfigFile;
  tempDir: string;
  /** The host root of a node: undefined = the controller. */
  nodeRoot(host?: string): string;
  /** Ask the simulated service itself. */
  state(host?: string): ServiceRecord['state'];
  startType(host?: string): ServiceRecord['startType'];
  faults(f: Faults, host?: string): void;
  events(host?: string, since?: number): SimEvent[];
  /** Clears faults, kills anything hung, and brings every node back to Running/Automatic. */
  reset(): Promise<void>;
  destroy(): void;
}

const SIM_CLI = path.join(__dirname, '..', '..', '..', 'src', 'sim', 'sim-cli.js');

export async function createSimHost(variant: 'embedded' | 'multi-node' = 'embedded'): Promise<SimHost> {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'axb-svc-'));
  const root = path.join(parent, 'host');
  const configPath = await createHost(root, { variant, dbMegabytes: 1, seed: 'service-tests' });
  const config = readJson<BackupConfigFile>(configPath);
  const platform = new SimulatedPlatform(root);
  const nodeRoot = (host?: string) => platform.hostRootFor(host);
  const hosts = [undefined, ...(variant === 'multi-node' ? fs.readdirSync(hostPaths(root).nodesDir) : [])];
  const h: SimHost = {
    root,
    platform,
    config,
    tempDir: config.BackupConfiguration.TempDirectory,
    nodeRoot,
    state: (host) => readServiceRecord(nodeRoot(host)).state,
    startType: (host) => readServiceRecord(nodeRoot(host)).startType,
    faults: (f, host) => writeFaults(nodeRoot(host), f),
    events: (host, since = 0) => settledEvents(nodeRoot(host)).filter((e) => e.ts >= since),
    async reset() {
      for (const host of hosts) {
        const r = nodeRoot(host);
        writeFaults(r, {});
        await forceState(r, 'Stopped'); // kills a hung service process and any workflows
        await forceState(r, 'Automatic');
        await forceState(r, 'Running');
        // The daemon records Running before it journals it; let the journal catch up so `since` filters are exact.
        const deadline = Date.now() + 5000;
        while (readEvents(r).filter((e) => e.event === 'running' || e.event === 'start-pending').pop()?.event !== 'running') {
          if (Date.now() > deadline) throw new Error(`${r}: no 'running' event after reset`);
          await new Promise((res) => setTimeout(res, 10));
        }
      }
      await new Promise((res) => setTimeout(res, 5));
      for (const f of fs.readdirSync(h.tempDir)) fs.rmSync(path.join(h.tempDir, f), { recursive: true, force: true });
    },
    destroy() {
      spawnSync(process.execPath, [SIM_CLI, 'destroy', root, '--remove'], { stdio: 'ignore' });
      fs.rmSync(parent, { recursive: true, force: true });
    },
  };
  return h;
}

/** A logger that keeps every line. */
export function memoryLog(): ServiceLog & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  return { lines, debug: at('DEBUG'), info: at('INFO'), warn: at('WARNING'), error: at('ERROR'), success: at('SUCCESS') };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return true;
  }
}

/** The first event of this name at or after `since`, or throws. */
export function firstTs(events: SimEvent[], name: SimEvent['event']): number {
  const e = events.find((x) => x.event === name);
  if (!e) throw new Error(`no '${name}' event in ${JSON.stringify(events.map((x) => x.event))}`);
  return e.ts;
}

export function lastTs(events: SimEvent[], name: SimEvent['event']): number {
  const all = events.filter((x) => x.event === name);
  if (all.length === 0) throw new Error(`no '${name}' event in ${JSON.stringify(events.map((x) => x.event))}`);
  return all[all.length - 1].ts;
}

const LIFECYCLE: Record<string, string> = {
  running: 'Running',
  stopped: 'Stopped',
  'stop-pending': 'StopPending',
  'start-pending': 'StartPending',
  paused: 'Paused',
  continued: 'Running',
};

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The journal, once it has caught up with the service's state: the daemon
 * records a new state a moment before it journals it.
 */
function settledEvents(root: string): SimEvent[] {
  const deadline = Date.now() + 3000;
  for (;;) {
    const events = readEvents(root);
    const state = readServiceRecord(root).state;
    const last = [...events].reverse().find((e) => e.event in LIFECYCLE || e.event === 'state-forced');
    if (!last || last.event === 'state-forced' || LIFECYCLE[last.event] === state || Date.now() > deadline) return events;
    sleepSync(10);
  }
}
