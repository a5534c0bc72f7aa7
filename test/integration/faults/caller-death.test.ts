import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI_MAIN, REPO_ROOT } from '../../helpers/cli-harness';
import { readServiceRecord } from '../../../src/sim/service-control';
import { allPids, isPidAlive, procArgv } from '../../../src/sim/sim-processes';
import {
  assertUnharmed,
  createFaultHost,
  destroyFaultHost,
  eventNames,
  LOCK,
  MARKER,
  prepare,
  readEventsOf,
  setFaults,
  stagingLeft,
  waitUntil,
  type Baseline,
  type FaultHost,
} from './fault-harness';

/**
 * The caller dies while the service is down (RELIABILITY.md promise 4, issue 9):
 * the PowerShell host is killed (SIGTERM, SIGKILL), the whole process group gets
 * SIGHUP (a terminal or remote session closing), or the reader of node's stdout
 * simply goes away. Node must notice, cancel like Ctrl+C and restore every node
 * it stopped by itself: no later run, no bridge repair.
 */

const PWSH = path.join(REPO_ROOT, '.tools', 'pwsh', 'pwsh');
const MODULE = path.join(REPO_ROOT, 'ps-module', 'AlteryxBackup', 'AlteryxBackup.psd1');
const havePwsh = fs.existsSync(PWSH);

function parentPid(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * The node main.js process started by the pwsh launched as `shimPid`. The
 * .tools/pwsh/pwsh apphost runs `dotnet pwsh.dll` as its child, so node is a
 * grandchild; its parent is the real PowerShell host.
 */
function nodeUnder(shimPid: number): number | undefined {
  return allPids().find((p) => {
    if (!(procArgv(p) ?? []).includes(CLI_MAIN)) return false;
    const parent = parentPid(p);
    return parent === shimPid || (parent !== undefined && parentPid(parent) === shimPid);
  });
}

/** The newest run log in LogDirectory. */
function newestLog(h: FaultHost): string {
  const dir = h.config.BackupConfiguration.LogDirectory as string;
  const logs = fs
    .readdirSync(dir)
    .filter((n) => n.startsWith('BackupLog_Full_'))
    .map((n) => path.join(dir, n))
    .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
  assert.ok(logs.length > 0, `no Full log in ${dir}`);
  return fs.readFileSync(logs[logs.length - 1], 'utf8');
}

const allStopped = (h: FaultHost) => h.roots.every((r) => readServiceRecord(r).state === 'Stopped');
const dumpStarted = (h: FaultHost, b: Baseline) => () => readEventsOf(h.root).slice(b.eventCounts.get(h.root)).some((e) => e.event === 'dump-started');

/** After the caller died: node ends by itself, every node Running, lock, marker and staging gone, the three assertions. */
async function assertRestoredWithoutHelp(h: FaultHost, b: Baseline, nodePid: number, why: RegExp): Promise<void> {
  await waitUntil('node to restore the service and exit by itself', () => !isPidAlive(nodePid), 60_000);
  const events = eventNames(b, h.root);
  assert.ok(!events.includes('dump-finished'), `the dump was ended, not waited for: ${events.join(',')}`);
  for (const r of h.roots) assert.equal(readServiceRecord(r).state, 'Running', `${r}: ${eventNames(b, r).join(',')}`);
  assert.ok(!fs.existsSync(MARKER(h)), 'state marker removed: nothing left for a later run to repair');
  assert.ok(!fs.existsSync(LOCK(h)), 'run lock released');
  assert.deepEqual(stagingLeft(h), [], 'staging folder removed');
  const log = newestLog(h);
  assert.match(log, why, 'the log file names why the run stopped');
  assert.match(log, /Result: exit code 1 \(CANCELLED\)\. The caller is gone/, `the log file records how the run ended:\n${log}`);
  assert.match(log, /is running again/, 'the restore is in the log');
  setFaults(h.root, {}, true);
  await assertUnharmed(h, b);
}

/** Starts `Invoke-AlteryxBackup Full` in pwsh, in its own process group, and waits until node has stopped the service and the dump runs. */
async function pwshBackupUntilDown(h: FaultHost, b: Baseline): Promise<{ pwsh: ChildProcess; hostPid: number; nodePid: number; output: () => string }> {
  const script = `$ErrorActionPreference = 'Stop'; Import-Module '${MODULE}'; Invoke-AlteryxBackup Full -ConfigPath '${h.configPath}'`;
  const pwsh = spawn(PWSH, ['-NoProfile', '-NonInteractive', '-Command', script], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ALTERYXBACKUP_NODE: process.execPath, ALTERYXBACKUP_CORE: CLI_MAIN },
  });
  let out = '';
  pwsh.stdout!.on('data', (c) => (out += String(c)));
  pwsh.stderr!.on('data', (c) => (out += String(c)));
  const output = () => out;
  try {
    await waitUntil('the dump to start with the service stopped', dumpStarted(h, b), 60_000);
  } catch (err) {
    pwsh.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\npwsh output:\n${out}`);
  }
  assert.ok(allStopped(h), `every node is Stopped while the dump runs: ${h.roots.map((r) => readServiceRecord(r).state).join(',')}`);
  const nodePid = nodeUnder(pwsh.pid!);
  assert.ok(nodePid, 'node runs under pwsh');
  return { pwsh, hostPid: parentPid(nodePid!)!, nodePid: nodePid!, output };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

for (const variant of ['single-node', 'multi-node'] as const) {
  describe(`the caller dies while the service is down (${variant})`, { skip: havePwsh ? false : `no pwsh at ${PWSH} (npm run pretest installs it)` }, () => {
    let h: FaultHost;
    before(async () => {
      h = await createFaultHost(variant === 'multi-node' ? ['--variant', 'multi-node'] : [], { fullBackup: false });
    });
    after(() => destroyFaultHost(h));

    // `host` is the PowerShell process node's pipes lead to; `group` the process group the launcher leads.
    const kills: Array<{ name: string; kill: (host: number, group: number) => void; why: RegExp }> = [
      { name: 'pwsh ended with SIGTERM', kill: (host) => process.kill(host, 'SIGTERM'), why: /The caller is gone/ },
      { name: 'pwsh killed with SIGKILL', kill: (host) => process.kill(host, 'SIGKILL'), why: /The caller is gone/ },
      { name: 'SIGHUP to the whole process group (terminal closed)', kill: (_host, group) => process.kill(-group, 'SIGHUP'), why: /SIGHUP received/ },
    ];
    // Multi-node runs the two that differ most (a signal to node itself, and none at all) to stay fast.
    for (const k of variant === 'multi-node' ? [kills[1], kills[2]] : kills) {
      test(`${k.name}: node restores every node it stopped by itself, exit 1 CANCELLED, nothing published`, async () => {
        const b = await prepare(h);
        setFaults(h.root, { dumpSeconds: 4 });
        const run = await pwshBackupUntilDown(h, b);
        k.kill(run.hostPid, run.pwsh.pid!);
        await waitUntil('the PowerShell host to end', () => !isPidAlive(run.hostPid));
        if (!isPidAlive(run.pwsh.pid!)) await exited(run.pwsh);
        else run.pwsh.kill('SIGKILL'); // the launcher shim, which does not forward signals
        await assertRestoredWithoutHelp(h, b, run.nodePid, k.why);
      });
    }
  });
}

describe('the reader of stdout goes away (node run directly)', () => {
  let h: FaultHost;
  before(async () => {
    h = await createFaultHost([], { fullBackup: false });
  });
  after(() => destroyFaultHost(h));

  test('stdout closed while the dump runs: no EPIPE crash; node cancels, restores the service, exits 1', async () => {
    const b = await prepare(h);
    setFaults(h.root, { dumpSeconds: 4 });
    const child = spawn(process.execPath, [CLI_MAIN, 'Invoke-AlteryxBackup'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += String(c)));
    child.stdout.on('data', () => undefined);
    const code = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    child.stdin.end(JSON.stringify({ command: 'Invoke-AlteryxBackup', configPath: h.configPath, parameters: { BackupMode: 'Full' }, secrets: {}, whatIf: false }));
    await waitUntil('the dump to start', dumpStarted(h, b), 60_000);
    // The caller stops reading: node's next write gets EPIPE.
    child.stdout.destroy();
    const exitCode = await code;
    assert.equal(exitCode, 1, `exit code 1 (CANCELLED); stderr: ${stderr}`);
    assert.doesNotMatch(stderr, /EPIPE|Unhandled|at .*\.js:\d+/, 'no crash on stderr');
    await assertRestoredWithoutHelp(h, b, child.pid!, /The caller is gone \(a write/);
  });
});
