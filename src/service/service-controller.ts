import type { BackupConfigFile } from '../config/config-types';
import { CancelledError, ServiceTimeoutError, ValidationError } from '../core/errors';
import type { Platform, ServiceState, ServiceStatus } from '../platform/platform';
import type { ServiceEventHandler, ServiceLog, ServiceStateInfo } from './service-types';
import { delay, throwIfAborted } from './wait';

/** The workflow engine's image name (AlteryxEngineCmd.exe). */
export const WORKFLOW_PROCESS_NAME = 'AlteryxEngineCmd';

/** The settings every service operation needs; `serviceSettingsFromConfig` fills them from the config file. */
export interface ServiceSettings {
  serviceName: string;
  maxServiceWaitSeconds: number;
  maxWorkflowWaitSeconds: number;
  workflowPollSeconds: number;
  forceStopWorkflows: boolean;
  /**
   * ServiceConfiguration.ForceStopServiceAfterSeconds: after this long in
   * StopPending, end the service's process tree and wait for Stopped. 0 (the
   * default) never does: a hung stop then ends with exit 2 after
   * MaxServiceWaitSeconds.
   */
  forceStopServiceAfterSeconds?: number;
  /** How often to re-query the service while it changes state. Default 1000 ms. */
  servicePollMs?: number;
  /**
   * How many times to send start when the service falls back to Stopped on
   * its own (it crashed while starting). Default 3. Never applies to stop.
   */
  startAttempts?: number;
}

export interface ServiceOperationOptions extends ServiceSettings {
  platform: Platform;
  /** undefined = this machine. */
  host?: string;
  log: ServiceLog;
  onEvent?: ServiceEventHandler;
}

export interface StopServiceOptions extends ServiceOperationOptions {
  /** Aborts the workflow wait and the wait for Stopped (never a stop already sent). */
  signal?: AbortSignal;
  /**
   * Called after the workflows are gone and just before the stop control is
   * sent; the session writes its state marker here. If it throws, no stop is sent.
   */
  beforeStop?: () => Promise<void> | void;
  /** A workflow wait already done for this node (drainWorkflows); recorded in the result. */
  priorWorkflowWait?: WorkflowWaitRecord;
}

/** How long a restart waits for a stop we just sent to show, before trusting a Running reading. */
export const STOP_SETTLE_MS = 3_000;

export interface StartServiceOptions extends ServiceOperationOptions {
  /**
   * We sent this service a stop moments ago (a restore or rollback). A
   * Running reading may predate the stop: the service can still be about to
   * act on it. Then wait up to STOP_SETTLE_MS for it to leave Running, and
   * start it once it has stopped, instead of calling it "already running".
   */
  stopWasSent?: boolean;
  /**
   * Aborts the waits. Leave it undefined when restarting a service we stopped:
   * a rollback start must not be abortable (a second Ctrl+C must not leave
   * Alteryx down).
   */
  signal?: AbortSignal;
}

export function serviceSettingsFromConfig(file: Pick<BackupConfigFile, 'ServiceConfiguration' | 'AlteryxConfiguration'>): ServiceSettings {
  const s = file.ServiceConfiguration;
  return {
    serviceName: file.AlteryxConfiguration.ServiceName,
    maxServiceWaitSeconds: s.MaxServiceWaitSeconds,
    maxWorkflowWaitSeconds: s.MaxWorkflowWaitSeconds,
    workflowPollSeconds: s.WorkflowPollSeconds,
    forceStopWorkflows: s.ForceStopWorkflows,
    forceStopServiceAfterSeconds: s.ForceStopServiceAfterSeconds ?? 0,
  };
}

function where(serviceName: string, host: string | undefined): string {
  return host ? `${serviceName} on ${host}` : serviceName;
}

function newInfo(platform: Platform, serviceName: string, host: string | undefined, status: ServiceStatus): ServiceStateInfo {
  return {
    ServiceName: serviceName,
    Host: host ?? platform.hostname(),
    InitialState: status.state,
    CurrentState: status.state,
    TargetState: null,
    StartType: status.startType,
    HasActiveWorkflows: false,
    WorkflowCheckCount: 0,
    WorkflowWaitSeconds: 0,
    StateChangeTimestamp: null,
    StateChangeSuccess: false,
    StateChangeError: null,
    RequiresRollback: false,
    KilledWorkflowPids: [],
  };
}

export function notFound(serviceName: string, host: string | undefined): ValidationError {
  return new ValidationError(
    `The service ${where(serviceName, host)} does not exist. Check AlteryxConfiguration.ServiceName and the node list.`,
    'SERVICE_NOT_FOUND',
    { category: 'ObjectNotFound' },
  );
}

/** The data model's Test-AlteryxServiceState: the service's state and whether workflows are running. Changes nothing. */
export async function testServiceState(platform: Platform, serviceName: string, host?: string): Promise<ServiceStateInfo> {
  const status = await platform.services.query(serviceName, host);
  const info = newInfo(platform, serviceName, host, status);
  if (status.state !== 'NotFound') {
    const workflows = await platform.processes.find(WORKFLOW_PROCESS_NAME, host);
    info.HasActiveWorkflows = workflows.length > 0;
    info.WorkflowCheckCount = 1;
    info.WorkflowProcessCount = workflows.length;
  }
  info.StateChangeSuccess = true;
  return info;
}

/** Why a service cannot be stopped and started safely, or undefined if it can. */
export function unusableReason(status: ServiceStatus): string | undefined {
  if (status.state === 'Paused' || status.state === 'PausePending' || status.state === 'ContinuePending') {
    return `it is ${status.state}; resume it (or stop it) before backing up`;
  }
  if (status.startType === 'Disabled') {
    return 'its start type is Disabled, so it could not be started again after the backup';
  }
  return undefined;
}

interface WaitOptions {
  platform: Platform;
  serviceName: string;
  host: string | undefined;
  target: 'Stopped' | 'Running';
  timeoutMs: number;
  pollMs: number;
  signal?: AbortSignal;
  log: ServiceLog;
  /** Stop waiting early (return the state) when this says the transition has failed. */
  failedWhen?: (state: ServiceState, seen: ReadonlySet<ServiceState>) => boolean;
}

interface WaitResult {
  reached: boolean;
  state: ServiceState;
  seen: Set<ServiceState>;
}

function isTransient(err: unknown): boolean {
  return (err as { transient?: unknown } | undefined)?.transient === true;
}

/** Polls the service until it reaches `target`, the time runs out, or `failedWhen` says it gave up. */
async function waitForState(o: WaitOptions): Promise<WaitResult> {
  const deadline = Date.now() + o.timeoutMs;
  const seen = new Set<ServiceState>();
  let last: ServiceState | undefined;
  // Start quick and back off to pollMs: most transitions take a second or
  // two, and every poll interval at the end of one is downtime.
  let interval = Math.min(100, o.pollMs);
  for (;;) {
    let state: ServiceState;
    try {
      ({ state } = await o.platform.services.query(o.serviceName, o.host));
    } catch (err) {
      // A remote node that stops answering for a moment (RPC unavailable) is worth asking again until the deadline.
      const left = deadline - Date.now();
      if (!isTransient(err) || left <= 0) throw err;
      o.log.debug(`Could not query ${where(o.serviceName, o.host)} (${err instanceof Error ? err.message : String(err)}); retrying.`);
      await delay(Math.min(o.pollMs, left), o.signal);
      continue;
    }
    seen.add(state);
    if (state !== last) {
      o.log.debug(`${where(o.serviceName, o.host)} is ${state}.`);
      last = state;
    }
    if (state === o.target) return { reached: true, state, seen };
    if (o.failedWhen?.(state, seen)) return { reached: false, state, seen };
    const left = deadline - Date.now();
    if (left <= 0) return { reached: false, state, seen };
    await delay(Math.min(interval, left), o.signal);
    interval = Math.min(interval * 2, o.pollMs);
  }
}

/**
 * Waits for AlteryxEngineCmd processes to finish, polling every
 * WorkflowPollSeconds up to MaxWorkflowWaitSeconds. At the timeout they are
 * killed only if ForceStopWorkflows is set; otherwise WORKFLOW_WAIT_TIMEOUT
 * (exit 2) and the service is left as it was.
 */
/** What a workflow wait found, carried into the node's ServiceStateInfo. */
export type WorkflowWaitRecord = Pick<ServiceStateInfo, 'HasActiveWorkflows' | 'WorkflowCheckCount' | 'WorkflowWaitSeconds' | 'KilledWorkflowPids'>;

/**
 * Waits until no AlteryxEngineCmd runs on one node (killing them at the
 * timeout only with ForceStopWorkflows). Changes nothing else. The topology
 * runner calls it for every node at once before stopping any node, so a
 * busy Controller cannot keep already-stopped Workers down.
 */
export async function drainWorkflows(o: StopServiceOptions): Promise<WorkflowWaitRecord> {
  const status = await o.platform.services.query(o.serviceName, o.host);
  const info = newInfo(o.platform, o.serviceName, o.host, status);
  if (status.state === 'Running') await waitForWorkflows(o, info);
  return {
    HasActiveWorkflows: info.HasActiveWorkflows,
    WorkflowCheckCount: info.WorkflowCheckCount,
    WorkflowWaitSeconds: info.WorkflowWaitSeconds,
    KilledWorkflowPids: info.KilledWorkflowPids,
  };
}

async function waitForWorkflows(o: StopServiceOptions, info: ServiceStateInfo): Promise<void> {
  const started = Date.now();
  const deadline = started + o.maxWorkflowWaitSeconds * 1000;
  const pollMs = Math.max(1, o.workflowPollSeconds * 1000);
  const waitedBefore = info.WorkflowWaitSeconds;
  let announced = false;
  for (;;) {
    throwIfAborted(o.signal);
    const running = await o.platform.processes.find(WORKFLOW_PROCESS_NAME, o.host);
    info.WorkflowCheckCount++;
    info.WorkflowWaitSeconds = waitedBefore + Math.round((Date.now() - started) / 1000);
    if (running.length === 0) {
      if (announced) o.log.info(`All workflows on ${info.Host} have finished.`);
      return;
    }
    info.HasActiveWorkflows = true;
    const left = deadline - Date.now();
    if (left <= 0) {
      const pids = running.map((p) => p.pid);
      if (!o.forceStopWorkflows) {
        throw new ServiceTimeoutError(
          `${running.length} workflow(s) (AlteryxEngineCmd PID ${pids.join(', ')}) on ${info.Host} were still running after ` +
            `MaxWorkflowWaitSeconds=${o.maxWorkflowWaitSeconds}. The service was left running. ` +
            'Set ServiceConfiguration.ForceStopWorkflows to kill them at the timeout, or raise the wait.',
          'WORKFLOW_WAIT_TIMEOUT',
        );
      }
      o.log.warn(`ForceStopWorkflows is set: killing ${running.length} workflow(s) on ${info.Host} (PID ${pids.join(', ')}).`);
      for (const p of running) {
        await o.platform.processes.kill(p.pid, o.host);
        info.KilledWorkflowPids.push(p.pid);
      }
      // Confirm they are gone before stopping; a kill that did not take is a failure, not a silent pass.
      const stillThere = await waitForProcessesGone(o, pids);
      if (stillThere.length > 0) {
        throw new ServiceTimeoutError(
          `Workflow process(es) ${stillThere.join(', ')} on ${info.Host} survived being killed. The service was left running.`,
          'WORKFLOW_KILL_FAILED',
        );
      }
      return;
    }
    if (!announced) {
      o.log.info(
        `${running.length} workflow(s) running on ${info.Host}; waiting up to ${o.maxWorkflowWaitSeconds}s for them to finish ` +
          `(checking every ${o.workflowPollSeconds}s).`,
      );
      announced = true;
    } else {
      o.log.debug(`Still ${running.length} workflow(s) running on ${info.Host}.`);
    }
    await delay(Math.min(pollMs, left), o.signal);
  }
}

async function waitForProcessesGone(o: StopServiceOptions, pids: number[]): Promise<number[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const now = await o.platform.processes.find(WORKFLOW_PROCESS_NAME, o.host);
    const left = now.map((p) => p.pid).filter((pid) => pids.includes(pid));
    if (left.length === 0 || Date.now() >= deadline) return left;
    await delay(100);
  }
}

/**
 * The data model's Stop-AlteryxServiceSafely.
 *
 * - Refuses a Paused/PausePending service or a Disabled start type
 *   (ValidationError SERVICE_NOT_USABLE, exit 3) without touching anything.
 * - Already Stopped: no-op, RequiresRollback false (the service ends as it started).
 * - Waits for workflows (see waitForWorkflows).
 * - Sends stop exactly once, then waits up to MaxServiceWaitSeconds for
 *   Stopped (SERVICE_STOP_TIMEOUT, exit 2). A service already StopPending
 *   is waited for, never sent a second stop.
 *
 * On any error after the stop was sent, the thrown error carries
 * `serviceState` (the ServiceStateInfo, RequiresRollback true) so the caller
 * knows it must start the service again.
 */
export async function stopServiceSafely(o: StopServiceOptions): Promise<ServiceStateInfo> {
  const name = where(o.serviceName, o.host);
  const pollMs = o.servicePollMs ?? 1000;
  const maxWaitMs = o.maxServiceWaitSeconds * 1000;
  throwIfAborted(o.signal);
  let status = await o.platform.services.query(o.serviceName, o.host);
  const info = newInfo(o.platform, o.serviceName, o.host, status);
  info.TargetState = 'Stopped';
  if (o.priorWorkflowWait) {
    info.HasActiveWorkflows = o.priorWorkflowWait.HasActiveWorkflows;
    info.WorkflowCheckCount = o.priorWorkflowWait.WorkflowCheckCount;
    info.WorkflowWaitSeconds = o.priorWorkflowWait.WorkflowWaitSeconds;
    info.KilledWorkflowPids = [...o.priorWorkflowWait.KilledWorkflowPids];
  }
  if (status.state === 'NotFound') throw notFound(o.serviceName, o.host);
  const reason = unusableReason(status);
  if (reason) {
    throw new ValidationError(`Refusing to stop ${name}: ${reason}.`, 'SERVICE_NOT_USABLE', { category: 'InvalidOperation' });
  }

  const finish = (state: ServiceState) => {
    info.CurrentState = state;
    info.StateChangeTimestamp = new Date().toISOString();
    info.StateChangeSuccess = state === 'Stopped';
    return info;
  };

  if (status.state === 'Stopped') {
    o.log.info(`${name} is already stopped; it will be left stopped.`);
    return finish('Stopped');
  }

  if (status.state === 'StopPending') {
    // Someone else is already stopping it. Sending another stop is exactly what we must never do.
    o.log.warn(`${name} is already stopping (not by this run); waiting for it to stop. It will be left stopped.`);
    const r = await waitForState({ ...waitBase(o, pollMs, maxWaitMs), target: 'Stopped' });
    if (!r.reached) throw stopTimeout(o, info, r.state);
    return finish('Stopped');
  }

  if (status.state === 'StartPending') {
    o.log.info(`${name} is starting; waiting for it to be Running before stopping it.`);
    const r = await waitForState({
      ...waitBase(o, pollMs, maxWaitMs),
      target: 'Running',
      failedWhen: (s) => s === 'Stopped' || s === 'StopPending',
    });
    if (!r.reached) {
      if (r.state === 'Stopped') {
        o.log.info(`${name} stopped on its own while starting; it will be left stopped.`);
        info.InitialState = 'Stopped';
        return finish('Stopped');
      }
      const err = new ServiceTimeoutError(
        `${name} did not finish starting within MaxServiceWaitSeconds=${o.maxServiceWaitSeconds} (it is ${r.state}); it was not stopped.`,
        'SERVICE_START_TIMEOUT',
      );
      info.CurrentState = r.state;
      info.StateChangeError = err.message;
      throw err;
    }
    status = { ...status, state: 'Running' };
  }

  // Running.
  await waitForWorkflows(o, info);
  throwIfAborted(o.signal);
  if (o.beforeStop) await o.beforeStop();

  o.log.info(`Stopping ${name}...`);
  info.RequiresRollback = true;
  o.onEvent?.({ event: 'stopped', host: o.host });
  try {
    await o.platform.services.stop(o.serviceName, o.host);
  } catch (err) {
    // The stop control can fail because the service stopped by itself in the meantime (1062).
    const now = await o.platform.services.query(o.serviceName, o.host).catch(() => undefined);
    if (now?.state !== 'Stopped' && now?.state !== 'StopPending') {
      info.StateChangeError = err instanceof Error ? err.message : String(err);
      info.CurrentState = now?.state ?? info.CurrentState;
      attachState(err, info);
      throw err;
    }
  }

  const started = Date.now();
  const forceMs = (o.forceStopServiceAfterSeconds ?? 0) * 1000;
  const canForce = forceMs > 0 && forceMs < maxWaitMs && o.platform.services.endServiceProcessTree !== undefined;
  let r: WaitResult;
  try {
    r = await waitForState({
      ...waitBase(o, pollMs, canForce ? forceMs : maxWaitMs),
      target: 'Stopped',
      // Seen stopping, then Running again: the service abandoned the stop. Waiting longer cannot help.
      failedWhen: (s, seen) => s === 'Running' && seen.has('StopPending'),
    });
    if (canForce && !r.reached && r.state === 'StopPending') {
      // A hung stop: the service accepted the control but never finished. End its process tree
      // (on Windows: its PID from `sc queryex`, then `taskkill /PID <pid> /T /F`), as admins do by hand.
      o.log.warn(
        `${name} has been StopPending for ${o.forceStopServiceAfterSeconds} s (ServiceConfiguration.ForceStopServiceAfterSeconds): ending its process tree.`,
      );
      await o.platform.services.endServiceProcessTree!(o.serviceName, o.host);
      info.ForcedStop = true;
      r = await waitForState({ ...waitBase(o, pollMs, Math.max(1000, maxWaitMs - (Date.now() - started))), target: 'Stopped' });
      if (r.reached) o.log.warn(`${name} was force-ended and is Stopped.`);
    } else if (canForce && !r.reached && r.state !== 'Running') {
      r = await waitForState({ ...waitBase(o, pollMs, Math.max(1000, maxWaitMs - (Date.now() - started))), target: 'Stopped', failedWhen: (s, seen) => s === 'Running' && seen.has('StopPending') });
    }
  } catch (err) {
    attachState(err, info);
    throw err;
  }
  if (!r.reached && r.state === 'Running' && r.seen.has('StopPending')) {
    const err = new ServiceTimeoutError(`${name} began stopping, then returned to Running; it did not stop.`, 'SERVICE_STOP_FAILED');
    info.CurrentState = 'Running';
    info.StateChangeTimestamp = new Date().toISOString();
    info.StateChangeError = err.message;
    attachState(err, info);
    throw err;
  }
  if (!r.reached) throw stopTimeout(o, info, r.state);
  o.log.success(`${name} stopped in ${((Date.now() - started) / 1000).toFixed(1)}s.`);
  return finish('Stopped');
}

function waitBase(o: ServiceOperationOptions & { signal?: AbortSignal }, pollMs: number, timeoutMs: number) {
  return { platform: o.platform, serviceName: o.serviceName, host: o.host, timeoutMs, pollMs, signal: o.signal, log: o.log };
}

function stopTimeout(o: StopServiceOptions, info: ServiceStateInfo, state: ServiceState): ServiceTimeoutError {
  const err = new ServiceTimeoutError(
    `${where(o.serviceName, o.host)} did not stop within MaxServiceWaitSeconds=${o.maxServiceWaitSeconds} (it is ${state}).`,
    'SERVICE_STOP_TIMEOUT',
  );
  info.CurrentState = state;
  info.StateChangeTimestamp = new Date().toISOString();
  info.StateChangeSuccess = false;
  info.StateChangeError = err.message;
  attachState(err, info);
  return err;
}

/** An error thrown by stop/start carries the ServiceStateInfo at the time of failure. */
export function serviceStateOf(err: unknown): ServiceStateInfo | undefined {
  return (err as { serviceState?: ServiceStateInfo } | undefined)?.serviceState;
}

function attachState(err: unknown, info: ServiceStateInfo): void {
  if (err && typeof err === 'object' && !('serviceState' in err)) {
    Object.defineProperty(err, 'serviceState', { value: info, enumerable: false, configurable: true });
  }
}

/**
 * The data model's Start-AlteryxServiceSafely: start and wait for Running.
 *
 * - Running: no-op. StartPending: waits, sends nothing.
 * - StopPending (e.g. our own stop timed out): waits for Stopped, then starts.
 * - If the service falls back to Stopped by itself, start is sent again, up
 *   to `startAttempts` in all, within MaxServiceWaitSeconds.
 * - Not Running in time: ServiceTimeoutError SERVICE_START_TIMEOUT (exit 2);
 *   gave up after every attempt: SERVICE_START_FAILED (exit 2).
 */
export async function startServiceSafely(o: StartServiceOptions): Promise<ServiceStateInfo> {
  const name = where(o.serviceName, o.host);
  const pollMs = o.servicePollMs ?? 1000;
  const attempts = Math.max(1, o.startAttempts ?? 3);
  const deadline = Date.now() + o.maxServiceWaitSeconds * 1000;
  throwIfAborted(o.signal);
  const status = await o.platform.services.query(o.serviceName, o.host);
  const info = newInfo(o.platform, o.serviceName, o.host, status);
  info.TargetState = 'Running';
  if (status.state === 'NotFound') throw notFound(o.serviceName, o.host);
  if (status.state === 'Paused' || status.state === 'PausePending' || status.state === 'ContinuePending') {
    throw new ValidationError(`Cannot start ${name}: it is ${status.state}.`, 'SERVICE_NOT_USABLE', { category: 'InvalidOperation' });
  }
  const fail = (err: ServiceTimeoutError, state: ServiceState): ServiceTimeoutError => {
    info.CurrentState = state;
    info.StateChangeTimestamp = new Date().toISOString();
    info.StateChangeSuccess = false;
    info.StateChangeError = err.message;
    attachState(err, info);
    return err;
  };
  const timeLeft = () => Math.max(0, deadline - Date.now());
  const started = Date.now();
  let state: ServiceState = status.state;
  if (o.stopWasSent && state === 'Running') {
    // Not abortable: this is the path that puts Alteryx back.
    const settleUntil = Date.now() + Math.min(STOP_SETTLE_MS, timeLeft());
    while (Date.now() < settleUntil) {
      await delay(100);
      const now = await o.platform.services.query(o.serviceName, o.host).catch(() => undefined);
      if (now && now.state !== 'Running') {
        o.log.info(`${name} is acting on the stop sent earlier (${now.state}); it will be started once it has stopped.`);
        state = now.state;
        break;
      }
    }
  }

  if (state === 'StopPending') {
    o.log.info(`${name} is still stopping; waiting for it to stop before starting it.`);
    const r = await waitForState({ ...waitBase(o, pollMs, timeLeft()), target: 'Stopped' });
    if (!r.reached) {
      throw fail(
        new ServiceTimeoutError(
          `${name} is stuck in ${r.state} and cannot be started; it did not stop within MaxServiceWaitSeconds=${o.maxServiceWaitSeconds}.`,
          'SERVICE_START_TIMEOUT',
        ),
        r.state,
      );
    }
    state = 'Stopped';
  }

  let sent = 0;
  let sentAt = 0;
  for (;;) {
    if (state === 'Stopped') {
      if (sent >= attempts || timeLeft() <= 0) {
        throw fail(
          new ServiceTimeoutError(
            `${name} did not start: it fell back to Stopped after ${sent} start attempt(s).`,
            'SERVICE_START_FAILED',
          ),
          state,
        );
      }
      if (sent > 0) o.log.warn(`${name} fell back to Stopped; starting it again (attempt ${sent + 1} of ${attempts}).`);
      else o.log.info(`Starting ${name}...`);
      sent++;
      sentAt = Date.now();
      try {
        await o.platform.services.start(o.serviceName, o.host);
      } catch (err) {
        // "Already running" (1056) is success; anything else counts as a failed attempt unless it is now coming up.
        const now = await o.platform.services.query(o.serviceName, o.host).catch(() => undefined);
        if (now?.state !== 'Running' && now?.state !== 'StartPending') {
          info.StateChangeError = err instanceof Error ? err.message : String(err);
          // Access denied or a disabled service will not change by asking again.
          if (sent >= attempts || timeLeft() <= 0 || err instanceof ValidationError) {
            info.CurrentState = now?.state ?? info.CurrentState;
            attachState(err, info);
            throw err;
          }
          o.log.warn(`Starting ${name} failed: ${info.StateChangeError}`);
          await delay(Math.min(pollMs, timeLeft()), o.signal);
          state = now?.state === 'StopPending' ? 'StopPending' : 'Stopped';
          if (state === 'StopPending') {
            const w = await waitForState({ ...waitBase(o, pollMs, timeLeft()), target: 'Stopped' });
            state = w.state;
          }
          continue;
        }
      }
    }
    // A service can report Stopped for a moment right after the start control;
    // only call it a failed start once it was seen starting, or after a grace period.
    const graceMs = Math.max(3 * pollMs, 2000);
    const r = await waitForState({
      ...waitBase(o, pollMs, timeLeft()),
      target: 'Running',
      failedWhen: (s, seen) =>
        s === 'Stopped' && (sent === 0 || seen.has('StartPending') || seen.has('Running') || Date.now() - sentAt > graceMs),
    });
    if (r.reached) break;
    if (r.state === 'Stopped') {
      state = 'Stopped';
      continue;
    }
    throw fail(
      new ServiceTimeoutError(
        `${name} did not reach Running within MaxServiceWaitSeconds=${o.maxServiceWaitSeconds} (it is ${r.state}).`,
        'SERVICE_START_TIMEOUT',
      ),
      r.state,
    );
  }
  info.CurrentState = 'Running';
  info.StateChangeTimestamp = new Date().toISOString();
  info.StateChangeSuccess = true;
  if (sent > 0 || status.state !== 'Running') o.log.success(`${name} is running (${((Date.now() - started) / 1000).toFixed(1)}s).`);
  else o.log.debug(`${name} is already running.`);
  o.onEvent?.({ event: 'started', host: o.host });
  return info;
}

/** Re-exported so callers can tell a cancelled wait from a failure. */
export { CancelledError };
