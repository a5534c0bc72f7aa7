import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendEvent } from './events';
import { DEFAULT_START_SECONDS, DEFAULT_STOP_SECONDS, readFaults } from './faults';
import { hostPaths, readHostInfo, readJsonOr, sleep } from './host-layout';
import { ControlRequest, writeServiceState } from './service-control';
import { findEngineProcesses, killPid } from './sim-processes';
import { launchWorkflow } from './workflows';
import { readServerSecretElement, serverSecretMatches } from './server-secret';

/**
 * The simulated AlteryxService process. It lives while the service is not
 * Stopped: StartPending → Running (→ Paused) → StopPending → Stopped, then it
 * exits. Controls arrive through sim/control.json, polled every 20 ms.
 * Usage: service-daemon.js <hostRoot>
 */

const POLL_MS = 20;

async function main(): Promise<void> {
  const root = path.resolve(process.argv[2] ?? process.env.ALTERYX_SIM_ROOT ?? '');
  const paths = hostPaths(root);
  const info = readHostInfo(root);
  const host = info.hostname;
  const lockFile = path.join(paths.mongoDataDir, 'mongod.lock');
  // Requests sent before this process existed belong to an earlier life of the service.
  let lastSeq = readJsonOr<ControlRequest | null>(paths.controlJson, null)?.seq ?? 0;

  writeServiceState(root, 'StartPending', process.pid);
  appendEvent(root, host, 'start-pending', { daemonPid: process.pid });
  // A host folder deleted without `sim destroy` must not leave its service running forever.
  setInterval(() => {
    if (fs.existsSync(paths.hostJson)) return;
    for (const wf of findEngineProcesses(root)) killPid(wf.pid);
    process.exit(0);
  }, 1000).unref();

  let faults = readFaults(root);
  if (faults.startStuck) {
    // Never reaches Running and, like a hung service, accepts no controls.
    setInterval(() => undefined, 60_000);
    return;
  }
  await sleep((faults.startSeconds ?? DEFAULT_START_SECONDS) * 1000);
  faults = readFaults(root);
  if (faults.startFail) {
    appendEvent(root, host, 'start-failed', { reason: 'startFail fault: the service terminated during start-up' });
    // Journal first: anyone who observes the new state finds its event already written, with an earlier timestamp.
    appendEvent(root, host, 'stopped', { daemonPid: process.pid, afterFailedStart: true });
    writeServiceState(root, 'Stopped');
    process.exit(1);
  }
  const tokenProblem = controllerTokenProblem(root);
  if (tokenProblem) {
    // A controller whose RuntimeSettings.xml holds another token (or none) cannot decrypt it and ends during start-up.
    appendEvent(root, host, 'start-failed', { reason: tokenProblem });
    appendEvent(root, host, 'stopped', { daemonPid: process.pid, afterFailedStart: true });
    writeServiceState(root, 'Stopped');
    process.exit(1);
  }
  if (info.variant !== 'self-managed' && fs.existsSync(paths.mongoDataDir)) fs.writeFileSync(lockFile, `${process.pid}\n`);
  // Launched before Running is reported, so whoever sees Running also sees these workflows.
  if (faults.workflowsOnStart) {
    const count = faults.workflowCount ?? 1;
    for (let i = 0; i < count; i++) launchWorkflow(root, faults.workflowSeconds ?? 5, 'service-start');
  }
  appendEvent(root, host, 'running', { daemonPid: process.pid });
  writeServiceState(root, 'Running', process.pid);

  let state: 'Running' | 'Paused' = 'Running';
  for (;;) {
    await sleep(POLL_MS);
    const req = readJsonOr<ControlRequest | null>(paths.controlJson, null);
    if (!req || req.seq <= lastSeq) continue;
    lastSeq = req.seq;
    faults = readFaults(root);
    if (req.command === 'pause' && state === 'Running') {
      state = 'Paused';
      writeServiceState(root, 'Paused', process.pid);
      appendEvent(root, host, 'paused', {});
    } else if (req.command === 'continue' && state === 'Paused') {
      state = 'Running';
      writeServiceState(root, 'Running', process.pid);
      appendEvent(root, host, 'continued', {});
    } else if (req.command === 'stop') {
      if (faults.stopRefuse) {
        appendEvent(root, host, 'stop-ignored', { reason: 'stopRefuse fault' });
        continue;
      }
      writeServiceState(root, 'StopPending', process.pid);
      appendEvent(root, host, 'stop-pending', {});
      // Stopping AlteryxService cancels the jobs it is running.
      for (const wf of findEngineProcesses(root)) {
        if (killPid(wf.pid)) appendEvent(root, host, 'workflow-killed', { workflowPid: wf.pid, reason: 'service-stop' });
      }
      if (faults.stopStuck) {
        setInterval(() => undefined, 60_000);
        return;
      }
      await sleep((faults.stopSeconds ?? DEFAULT_STOP_SECONDS) * 1000);
      try {
        fs.writeFileSync(lockFile, '');
      } catch {
        /* no embedded database on this host */
      }
      appendEvent(root, host, 'stopped', { daemonPid: process.pid });
      writeServiceState(root, 'Stopped');
      process.exit(0);
    }
  }
}

/** Why the token in RuntimeSettings.xml does not match the host's (undefined when it does or the file cannot be read). */
function controllerTokenProblem(root: string): string | undefined {
  let xml: string;
  try {
    xml = fs.readFileSync(hostPaths(root).runtimeSettings, 'utf8');
  } catch {
    return undefined;
  }
  const blob = readServerSecretElement(xml);
  if (blob === undefined) return 'RuntimeSettings.xml has no Controller/ServerSecretEncrypted: set the token with setserversecret';
  if (!serverSecretMatches(root, blob, readHostInfo(root).serverSecret)) {
    return 'ServerSecretEncrypted in RuntimeSettings.xml does not decrypt to this host\'s controller token';
  }
  return undefined;
}

main().catch((err) => {
  process.stderr.write(`service-daemon: ${(err as Error).stack ?? String(err)}\n`);
  const root = path.resolve(process.argv[2] ?? '');
  try {
    writeServiceState(root, 'Stopped');
    appendEvent(root, readHostInfo(root).hostname, 'daemon-exited', { error: String(err) });
  } catch {
    /* nothing more we can do */
  }
  process.exit(1);
});
