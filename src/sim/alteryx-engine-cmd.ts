import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendEvent } from './events';
import { readHostInfo } from './host-layout';

/**
 * Stand-in for AlteryxEngineCmd.exe: "runs a workflow" by staying alive for
 * the requested seconds. Usage: alteryx-engine-cmd.js --host-root <root> --seconds <n> <workflow.yxmd>
 */
function main(): void {
  const argv = process.argv.slice(2);
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const root = get('--host-root') ?? process.env.ALTERYX_SIM_ROOT;
  const seconds = Number(get('--seconds') ?? '5');
  if (!root || !Number.isFinite(seconds) || seconds < 0) {
    process.stderr.write('Usage: AlteryxEngineCmd --host-root <root> --seconds <n> <workflow.yxmd>\n');
    process.exitCode = 1;
    return;
  }
  const hostname = readHostInfo(root).hostname;
  const workflow = argv[argv.length - 1];
  const started = Date.now();
  process.stdout.write(`Alteryx Engine (simulated): running ${workflow} for ${seconds}s\n`);
  process.on('SIGTERM', () => {
    appendEvent(root, hostname, 'workflow-killed', { workflowPid: process.pid, reason: 'SIGTERM', ranMs: Date.now() - started });
    process.exit(143);
  });
  // Its host folder was deleted without `sim destroy`: nothing left to run for.
  setInterval(() => {
    if (!fs.existsSync(path.join(root, 'sim', 'host.json'))) process.exit(0);
  }, 1000).unref();
  setTimeout(() => {
    appendEvent(root, hostname, 'workflow-ended', { workflowPid: process.pid, ranMs: Date.now() - started });
    process.exit(0);
  }, seconds * 1000);
}

main();
