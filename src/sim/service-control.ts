import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { appendEvent } from './events';
import { hostPaths, readHostInfo, readJsonOr, simScript, writeJsonAtomic } from './host-layout';
import { findDaemonProcesses, findEngineProcesses, isPidAlive, killPid, procArgv } from './sim-processes';

/**
 * The simulated service's state, shared by the daemon (the "service process")
 * and its controllers. `sim/service.json` is written by the daemon while it
 * lives; controllers only write it when no daemon is alive. A daemon that died
 * without saying so means Stopped, as on Windows when a service process crashes.
 */

export type SimServiceState = 'Running' | 'StopPending' | 'Stopped' | 'StartPending' | 'Paused';
export type SimStartType = 'Automatic' | 'Manual' | 'Disabled';

export interface ServiceRecord {
  state: SimServiceState;
  startType: SimStartType;
  daemonPid?: number;
  updatedAt: number;
}

export interface ControlRequest {
  seq: number;
  command: 'stop' | 'pause' | 'continue';
  at: number;
}

export function daemonAlive(hostRoot: string, pid: number | undefined): boolean {
  if (!isPidAlive(pid)) return false;
  const argv = procArgv(pid!);
  // No /proc (not Linux): trust the pid. Otherwise make sure the pid was not reused.
  if (argv === undefined) return fs.existsSync('/proc') ? false : true;
  return argv.some((a) => a.endsWith('service-daemon.js')) && argv.includes(hostPaths(hostRoot).root);
}

/** The start type is service configuration (the SCM's registry), kept apart from the runtime state. */
function startTypeFile(hostRoot: string): string {
  return hostPaths(hostRoot).serviceJson.replace(/service\.json$/, 'service-config.json');
}

export function readStartType(hostRoot: string): SimStartType {
  return readJsonOr<{ startType: SimStartType }>(startTypeFile(hostRoot), { startType: 'Automatic' }).startType;
}

export function writeStartType(hostRoot: string, startType: SimStartType): void {
  writeJsonAtomic(startTypeFile(hostRoot), { startType });
}

const SPAWN_GRACE_MS = 10_000;

export function readServiceRecord(hostRoot: string): ServiceRecord {
  const rec = readJsonOr<Omit<ServiceRecord, 'startType'>>(hostPaths(hostRoot).serviceJson, { state: 'Stopped', updatedAt: 0 });
  const startType = readStartType(hostRoot);
  // Between `start` recording StartPending and the new process recording its PID.
  if (rec.state === 'StartPending' && rec.daemonPid === undefined && Date.now() - rec.updatedAt < SPAWN_GRACE_MS) {
    return { ...rec, startType };
  }
  if (rec.state !== 'Stopped' && !daemonAlive(hostRoot, rec.daemonPid)) {
    return { state: 'Stopped', startType, updatedAt: rec.updatedAt };
  }
  return { ...rec, startType };
}

export function writeServiceState(hostRoot: string, state: SimServiceState, daemonPid?: number): void {
  writeJsonAtomic(hostPaths(hostRoot).serviceJson, { state, daemonPid, updatedAt: Date.now() });
}

export function sendControl(hostRoot: string, command: ControlRequest['command']): void {
  const p = hostPaths(hostRoot).controlJson;
  const prev = readJsonOr<ControlRequest | null>(p, null);
  writeJsonAtomic(p, { seq: (prev?.seq ?? 0) + 1, command, at: Date.now() });
}

/** Starts the service process, detached, after recording StartPending. */
export function spawnDaemon(hostRoot: string): number {
  const paths = hostPaths(hostRoot);
  writeServiceState(hostRoot, 'StartPending');
  const out = fs.openSync(paths.daemonLog, 'a');
  const child = spawn(process.execPath, [simScript('service-daemon'), paths.root], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, ALTERYX_SIM_ROOT: paths.root },
    windowsHide: true,
  });
  fs.closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error('Could not start the simulated service process.');
  // The new process records itself; fill in its PID only if it has not yet (it may already be Running).
  const now = readJsonOr<Partial<ServiceRecord>>(paths.serviceJson, {});
  if (now.daemonPid === undefined && now.state === 'StartPending') writeServiceState(hostRoot, 'StartPending', child.pid);
  return child.pid;
}

export interface ControlResult {
  ok: boolean;
  /** Windows-style text, e.g. `[SC] StartService FAILED 1056: ...`. */
  message: string;
}

/** What `AlteryxService start` does: like `sc start`, it returns once the start is under way. */
export function requestStart(hostRoot: string): ControlResult {
  const info = readHostInfo(hostRoot);
  const rec = readServiceRecord(hostRoot);
  const accepted = rec.state === 'Stopped' && rec.startType !== 'Disabled';
  appendEvent(hostRoot, info.hostname, 'start-requested', { fromState: rec.state, accepted });
  if (rec.startType === 'Disabled') {
    return {
      ok: false,
      message: `[SC] StartService FAILED 1058:\n\nThe service cannot be started, either because it is disabled or because it has no enabled devices associated with it.`,
    };
  }
  if (rec.state !== 'Stopped') {
    return { ok: false, message: `[SC] StartService FAILED 1056:\n\nAn instance of the service is already running.` };
  }
  spawnDaemon(hostRoot);
  return { ok: true, message: `${info.serviceName} start pending.` };
}

/** What `AlteryxService stop` does: it sends the stop control and returns. */
export function requestStop(hostRoot: string): ControlResult {
  const info = readHostInfo(hostRoot);
  const rec = readServiceRecord(hostRoot);
  const accepted = rec.state === 'Running' || rec.state === 'Paused';
  appendEvent(hostRoot, info.hostname, 'stop-requested', { fromState: rec.state, accepted });
  if (rec.state === 'Stopped') {
    return { ok: false, message: `[SC] ControlService FAILED 1062:\n\nThe service has not been started.` };
  }
  if (!accepted) {
    return { ok: false, message: `[SC] ControlService FAILED 1061:\n\nThe service cannot accept control messages at this time.` };
  }
  sendControl(hostRoot, 'stop');
  return { ok: true, message: `${info.serviceName} stop pending.` };
}

/**
 * Forces a state without going through the service's own transitions, for
 * test setup: Stopped kills the service process and its workflows (the start
 * type is kept), Disabled does that and sets the start type, Paused pauses the
 * service (starting it first if needed), Running starts or continues it
 * (a Disabled start type becomes Manual), Automatic/Manual set the start type.
 */
export async function forceState(hostRoot: string, target: 'Running' | 'Stopped' | 'Paused' | 'Disabled' | 'Automatic' | 'Manual'): Promise<ServiceRecord> {
  const info = readHostInfo(hostRoot);
  const rec = readServiceRecord(hostRoot);
  appendEvent(hostRoot, info.hostname, 'state-forced', { fromState: rec.state, target });
  if (target === 'Automatic' || target === 'Manual') {
    writeStartType(hostRoot, target);
    return readServiceRecord(hostRoot);
  }
  if (target === 'Stopped' || target === 'Disabled') {
    killDaemonAndWorkflows(hostRoot, 'forced');
    writeServiceState(hostRoot, 'Stopped');
    if (target === 'Disabled') writeStartType(hostRoot, 'Disabled');
    return readServiceRecord(hostRoot);
  }
  let current = rec;
  if (current.state === 'Stopped') {
    if (current.startType === 'Disabled') writeStartType(hostRoot, 'Manual');
    const r = requestStart(hostRoot);
    if (!r.ok) throw new Error(r.message);
    current = await waitFor(hostRoot, (x) => x.state === 'Running' || x.state === 'Stopped');
  }
  if (target === 'Paused' && current.state === 'Running') {
    sendControl(hostRoot, 'pause');
    return waitFor(hostRoot, (x) => x.state === 'Paused');
  }
  if (target === 'Running' && current.state === 'Paused') {
    sendControl(hostRoot, 'continue');
    return waitFor(hostRoot, (x) => x.state === 'Running');
  }
  return readServiceRecord(hostRoot);
}

export function killDaemonAndWorkflows(hostRoot: string, reason: string): void {
  const info = readHostInfo(hostRoot);
  for (const wf of findEngineProcesses(hostRoot)) {
    if (killPid(wf.pid)) appendEvent(hostRoot, info.hostname, 'workflow-killed', { workflowPid: wf.pid, reason });
  }
  const rec = readJsonOr<ServiceRecord | null>(hostPaths(hostRoot).serviceJson, null);
  const pids = new Set(findDaemonProcesses(hostRoot));
  if (rec?.daemonPid && daemonAlive(hostRoot, rec.daemonPid)) pids.add(rec.daemonPid);
  for (const pid of pids) killPid(pid);
  // Wait until they are gone, so that nothing they write lands after our own state.
  const deadline = Date.now() + 2000;
  while ([...pids].some((p) => isPidAlive(p)) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
}

export async function waitFor(hostRoot: string, done: (r: ServiceRecord) => boolean, timeoutMs = 15000): Promise<ServiceRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = readServiceRecord(hostRoot);
    if (done(r)) return r;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for the simulated service (state ${r.state}, start type ${r.startType}).`);
    await new Promise((res) => setTimeout(res, 20));
  }
}
