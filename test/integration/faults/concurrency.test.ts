import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isPidAlive } from '../../../src/sim/sim-processes';
import {
  assertFailed,
  assertNoNewOfficial,
  assertPreviousVerifies,
  assertServiceAsBefore,
  assertUnharmed,
  createFaultHost,
  destroyFaultHost,
  eventNames,
  isPhaseStart,
  LOCK,
  logText,
  MARKER,
  prepare,
  readEventsOf,
  runCli,
  setFaults,
  tail,
  waitUntil,
  type CliResult,
  type FaultHost,
} from './fault-harness';

/** One run at a time: a second run exits at once without touching the service; a stale lock is broken. */
describe('run lock', () => {
  let h: FaultHost;
  before(async () => {
    h = await createFaultHost();
  });
  after(() => destroyFaultHost(h));

  const full = () => runCli('Invoke-AlteryxBackup', { configPath: h.configPath, parameters: { BackupMode: 'Full' } });

  test('a second run while one is in progress (service stopped, dump running): exit 3 LOCK_HELD at once, the service untouched; Repair leaves it alone too', async () => {
    const b = await prepare(h);
    setFaults(h.root, { dumpSeconds: 6 });
    let second: CliResult | undefined;
    let repair: CliResult | undefined;
    let eventsDuringSecond: string[] = [];
    let secondMs = 0;
    let during: Promise<void> = Promise.resolve();
    const first = await runCli('Invoke-AlteryxBackup', {
      configPath: h.configPath,
      parameters: { BackupMode: 'Full' },
      onLine: (line) => {
        if (!isPhaseStart(line, 'BackupMongoDB')) return;
        during = (async () => {
          await waitUntil('dump-started', () => readEventsOf(h.root).slice(b.eventCounts.get(h.root)).some((e) => e.event === 'dump-started'));
          const n = readEventsOf(h.root).length;
          const t0 = Date.now();
          // With it, what the PowerShell bridge would run if it lost track of node: the marker's writer is alive, so nothing is started.
          [second, repair] = await Promise.all([
            full().then((r) => ((secondMs = Date.now() - t0), r)),
            runCli('Repair-AlteryxBackupState', { configPath: h.configPath }),
          ]);
          eventsDuringSecond = readEventsOf(h.root).slice(n).map((e) => e.event);
        })();
      },
    });
    await during;
    assert.ok(second && repair, 'the second run was started while the first was dumping');
    assert.ok(!eventsDuringSecond.includes('dump-finished'), 'both ended while the first run was still dumping (the test is meaningful)');
    assertFailed(second!, 3, 'LOCK_HELD');
    assert.match(second!.result!.error!.message, /Another backup run is in progress: PID \d+/);
    assert.ok(secondMs < 20_000, `the second run exited at once (${secondMs} ms)`);
    assert.ok(!second!.lines.some((l) => l.type === 'service'), 'the second run reports no service change');
    assert.equal(repair!.exitCode, 0, tail(repair!));
    assert.equal(repair!.result!.data.outcome, 'run-still-active');
    assert.ok(
      !eventsDuringSecond.includes('stop-requested') && !eventsDuringSecond.includes('start-requested'),
      `no stop or start while the first run owned the service: ${eventsDuringSecond.join(',')}`,
    );
    // The first run was not disturbed.
    assert.equal(first.exitCode, 0, tail(first));
    const ev = eventNames(b, h.root);
    assert.equal(ev.filter((e) => e === 'stop-requested').length, 1, ev.join(','));
    assert.equal(ev.filter((e) => e === 'start-requested').length, 1, ev.join(','));
    assert.ok(!fs.existsSync(LOCK(h)) && !fs.existsSync(MARKER(h)));
    setFaults(h.root, {}, true);
    const name = path.basename(first.result!.data.ArchivePath);
    assertServiceAsBefore(b);
    assertNoNewOfficial(b, [name, `${name}.sha256`]);
    await assertPreviousVerifies(h, b);
  });

  function deadPid(): number {
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(r.stdout);
    assert.ok(pid > 0 && !isPidAlive(pid), `pid ${pid} is dead`);
    return pid;
  }

  function writeLock(hostname: string, pid: number) {
    fs.mkdirSync(path.dirname(LOCK(h)), { recursive: true });
    fs.writeFileSync(
      LOCK(h),
      JSON.stringify({ hostname, pid, startedAt: new Date(Date.now() - 3600_000).toISOString(), runId: 'stale-run', command: 'Invoke-AlteryxBackup' }, null, 2),
    );
  }

  test('a stale lock left by a dead process on this host: broken with a warning, the backup succeeds', async () => {
    const b = await prepare(h);
    const pid = deadPid();
    writeLock(os.hostname(), pid);
    const r = await full();
    assert.equal(r.exitCode, 0, tail(r));
    assert.match(logText(r), new RegExp(`\\[WARNING\\] Breaking a stale run lock left by a process that no longer exists: PID ${pid}`));
    assert.ok(r.result!.data.Warnings.some((w: string) => w.includes('stale run lock')), 'the warning is in the summary');
    assert.ok(!fs.existsSync(LOCK(h)), 'our own lock released, the stale one gone');
    assert.deepEqual(fs.readdirSync(path.dirname(LOCK(h))).filter((n) => n.startsWith('AlteryxBackup.lock')), []);
    const name = path.basename(r.result!.data.ArchivePath);
    assertServiceAsBefore(b);
    assertNoNewOfficial(b, [name, `${name}.sha256`]);
    await assertPreviousVerifies(h, b);
  });

  test('a lock from another host is never broken: exit 3 LOCK_HELD, the service untouched', async () => {
    const b = await prepare(h);
    writeLock('SOME-OTHER-HOST', deadPid());
    try {
      const r = await full();
      assertFailed(r, 3, 'LOCK_HELD');
      assert.match(r.result!.error!.message, /SOME-OTHER-HOST/);
      assert.deepEqual(eventNames(b, h.root).filter((e) => e !== 'command'), []);
      assert.equal(JSON.parse(fs.readFileSync(LOCK(h), 'utf8')).hostname, 'SOME-OTHER-HOST', 'the lock is left as it was');
    } finally {
      fs.rmSync(LOCK(h), { force: true });
    }
    await assertUnharmed(h, b);
  });
});
