import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendEvent } from './events';
import { hostPaths, readHostInfo, simScript } from './host-layout';
import { ENGINE_MARKER } from './sim-processes';

/**
 * Launches one simulated workflow: a real process whose argv[0] is
 * `AlteryxEngineCmd` (so `ps` and /proc show it by that name, like
 * AlteryxEngineCmd.exe in Task Manager) and whose arguments carry
 * `--host-root <root>` so it belongs to exactly one simulated host.
 */
export function launchWorkflow(hostRoot: string, seconds: number, launchedBy: string): number {
  const paths = hostPaths(hostRoot);
  const info = readHostInfo(hostRoot);
  const stagingDir = path.join(paths.serviceDir, 'Staging', `${Date.now()}_${Math.random().toString(16).slice(2, 10)}`);
  fs.mkdirSync(stagingDir, { recursive: true });
  const workflow = path.join(stagingDir, 'Scheduled Workflow.yxmd');
  fs.writeFileSync(workflow, `<?xml version="1.0"?>\r\n<AlteryxDocument yxmdVer="2024.1"><Nodes /></AlteryxDocument>\r\n`);
  const child = spawn(process.execPath, [simScript('alteryx-engine-cmd'), '--host-root', paths.root, '--seconds', String(seconds), workflow], {
    argv0: ENGINE_MARKER,
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, ALTERYX_SIM_ROOT: paths.root },
    windowsHide: true,
  });
  child.unref();
  if (child.pid === undefined) throw new Error('Could not launch a simulated workflow.');
  appendEvent(paths.root, info.hostname, 'workflow-started', { workflowPid: child.pid, seconds, launchedBy, workflow });
  return child.pid;
}
