import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ValidationError } from '../../../src/core/errors';
import { acquireRunLock, lockPath, readRunLock } from '../../../src/service/run-lock';
import { markerPath, readStateMarker, repairFromMarker } from '../../../src/service/state-marker';
import { createSimHost, FAST, memoryLog, type SimHost } from './sim-host';

interface Child {
  proc: ChildProcess;
  lines: string[];
  waitFor(line: string): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe('interruption, a killed node process, and the run lock (separate node processes)', () => {
  let h: SimHost;
  let configPath = '';
  const children: ChildProcess[] = [];
  before(async () => {
    h = await createSimHost('embedded');
    configPath = path.join(path.dirname(h.root), 'fast-config.json');
    fs.writeFileSync(
      configPath,
      JSON.stringify({ ...h.config, ServiceConfiguration: { ...h.config.ServiceConfiguration, WorkflowPollSeconds: 0.05, MaxServiceWaitSeconds: 15 } }),
    );
  });
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    h?.destroy();
  });
  beforeEach(() => h.reset());

  function run(): Child {
    const proc = spawn(process.execPath, [path.join(__dirname, 'run-child.js'), configPath, h.root], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(proc);
    const lines: string[] = [];
    const waiters: { line: string; resolve: () => void }[] = [];
    let buf = '';
    proc.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      for (const w of [...waiters]) if (lines.some((l) => l.startsWith(w.line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal })));
    return {
      proc,
      lines,
      exit,
      waitFor: (line) =>
        new Promise<void>((resolve, reject) => {
          if (lines.some((l) => l.startsWith(line))) return resolve();
          waiters.push({ line, resolve });
          void exit.then(() => reject(new Error(`child exited before '${line}': ${lines.join(' | ')}`)));
        }),
    };
  }

  it('Ctrl+C while the service is stopped: the child restarts it, releases the lock and exits; a second Ctrl+C does not skip that', async () => {
    const c = run();
    await c.waitFor('dumping');
    assert.equal(h.state(), 'Stopped');
    c.proc.kill('SIGINT');
    await c.waitFor('restoring');
    c.proc.kill('SIGINT');
    const r = await c.exit;
    assert.equal(r.signal, null, c.lines.join('\n'));
    assert.equal(r.code, 1, 'CancelledError is exit 1');
    assert.ok(c.lines.includes('failed CANCELLED 1'), c.lines.join('\n'));
    assert.ok(c.lines.includes('done'));
    assert.equal(h.state(), 'Running');
    assert.equal(fs.existsSync(lockPath(h.tempDir)), false, 'lock released');
    assert.equal(fs.existsSync(markerPath(h.tempDir)), false, 'marker cleared');
  });

  it('SIGTERM while the service is stopped: same as Ctrl+C', async () => {
    const c = run();
    await c.waitFor('dumping');
    c.proc.kill('SIGTERM');
    const r = await c.exit;
    assert.equal(r.signal, null);
    assert.equal(h.state(), 'Running');
    assert.equal(fs.existsSync(lockPath(h.tempDir)), false);
  });

  it('a second run while one is in progress exits 3 at once without touching the service', async () => {
    const first = run();
    await first.waitFor('dumping');
    const t = Date.now();
    const second = run();
    const r = await second.exit;
    assert.equal(r.code, 3, second.lines.join('\n'));
    assert.ok(second.lines.some((l) => l.startsWith('failed LOCK_HELD 3')), second.lines.join('\n'));
    assert.ok(!h.events(undefined, t).some((e) => e.event === 'start-requested' || e.event === 'stop-requested'), 'service untouched');
    assert.equal(h.state(), 'Stopped', 'still the first run’s business');
    first.proc.kill('SIGINT');
    await first.exit;
    assert.equal(h.state(), 'Running');
  });

  it('node killed outright while the service is stopped: the marker and lock stay; repair restarts it; the stale lock is broken', async () => {
    const c = run();
    await c.waitFor('dumping');
    const childPid = c.proc.pid!;
    assert.ok(c.lines.includes('service stopped '), 'the bridge would have seen the stopped event');
    c.proc.kill('SIGKILL');
    await c.exit;
    assert.equal(h.state(), 'Stopped', 'nobody restarted it yet');
    const marker = await readStateMarker(h.tempDir);
    assert.equal(marker?.pid, childPid);
    assert.deepEqual(marker?.stoppedNodes.map((n) => n.host), [null]);
    assert.equal((await readRunLock(h.tempDir))?.pid, childPid);

    // What Repair-AlteryxBackupState does (the bridge runs it when node dies after a `stopped` event).
    const r = await repairFromMarker(h.platform, h.config, memoryLog(), { servicePollMs: FAST.servicePollMs });
    assert.equal(r.outcome, 'repaired');
    assert.equal(h.state(), 'Running');
    assert.equal(fs.existsSync(markerPath(h.tempDir)), false);

    // The next run breaks the dead process's lock, with a warning.
    const log = memoryLog();
    const lock = await acquireRunLock(h.tempDir, { log, hostname: os.hostname() });
    assert.ok(log.lines.some((l) => l.startsWith('WARNING') && l.includes(`PID ${childPid}`)), log.lines.join('\n'));
    await lock.release();
  });

  it('node killed outright: the next run repairs from the marker before doing anything else', async () => {
    const c = run();
    await c.waitFor('dumping');
    c.proc.kill('SIGKILL');
    await c.exit;
    assert.equal(h.state(), 'Stopped');
    const next = run();
    await next.waitFor('dumping');
    assert.ok(next.lines.some((l) => l.startsWith('warn Breaking a stale run lock')), next.lines.join('\n'));
    assert.ok(next.lines.some((l) => l.startsWith('warn A previous run')), next.lines.join('\n'));
    next.proc.kill('SIGINT');
    await next.exit;
    assert.equal(h.state(), 'Running');
  });

  it('a lock held on another host is never broken', async () => {
    fs.writeFileSync(lockPath(h.tempDir), JSON.stringify({ hostname: 'OTHER-NODE', pid: 1, startedAt: new Date().toISOString(), runId: 'x' }));
    await assert.rejects(acquireRunLock(h.tempDir, { log: memoryLog() }), (e: unknown) => e instanceof ValidationError && e.code === 'LOCK_HELD');
    const c = run();
    const r = await c.exit;
    assert.equal(r.code, 3, c.lines.join('\n'));
    assert.ok(c.lines.some((l) => l.startsWith('failed LOCK_HELD 3')), c.lines.join('\n'));
    assert.equal(h.state(), 'Running');
  });
});
