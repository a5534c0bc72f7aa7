import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ValidationError } from '../../../src/core/errors';
import { acquireRunLock, lockPath, readRunLock, type LockInfo } from '../../../src/service/run-lock';
import { makeTempDir } from '../../helpers/temp-dir';
import { deadPid, liveProcess, memoryLog } from './helpers';

describe('run lock', () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeEach(() => {
    tmp = makeTempDir('axb-lock-');
  });
  afterEach(() => tmp.cleanup());

  function plant(info: Partial<LockInfo>): void {
    const full: LockInfo = { hostname: os.hostname(), pid: 1, startedAt: '2026-01-01T00:00:00.000Z', runId: 'planted', ...info };
    fs.writeFileSync(lockPath(tmp.dir), JSON.stringify(full));
  }

  it('records host, pid and start time, and release removes it', async () => {
    const log = memoryLog();
    const lock = await acquireRunLock(tmp.dir, { log, command: 'Invoke-AlteryxBackup' });
    const onDisk = await readRunLock(tmp.dir);
    assert.equal(onDisk?.hostname, os.hostname());
    assert.equal(onDisk?.pid, process.pid);
    assert.ok(!Number.isNaN(Date.parse(onDisk!.startedAt)));
    assert.equal(onDisk?.runId, lock.runId);
    assert.equal(onDisk?.command, 'Invoke-AlteryxBackup');
    await lock.release();
    assert.equal(fs.existsSync(lockPath(tmp.dir)), false);
    await lock.release(); // idempotent
  });

  it('a second run gets LOCK_HELD (exit 3) naming the holder, and the lock is untouched', async () => {
    const first = await acquireRunLock(tmp.dir, { log: memoryLog() });
    const before = fs.readFileSync(lockPath(tmp.dir), 'utf8');
    await assert.rejects(acquireRunLock(tmp.dir, { log: memoryLog() }), (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.equal(e.code, 'LOCK_HELD');
      assert.equal(e.exitCode, 3);
      assert.match(e.message, new RegExp(`PID ${process.pid}`));
      return true;
    });
    assert.equal(fs.readFileSync(lockPath(tmp.dir), 'utf8'), before);
    await first.release();
  });

  it('a lock held by another live process on this host is respected', async () => {
    const other = liveProcess();
    try {
      plant({ pid: other.pid });
      await assert.rejects(acquireRunLock(tmp.dir, { log: memoryLog() }), (e: unknown) => e instanceof ValidationError && e.code === 'LOCK_HELD');
      assert.equal((await readRunLock(tmp.dir))?.pid, other.pid);
    } finally {
      await other.kill();
    }
  });

  it('a lock left by a dead process on this host is broken, with a warning', async () => {
    const pid = await deadPid();
    plant({ pid });
    const log = memoryLog();
    const lock = await acquireRunLock(tmp.dir, { log });
    assert.equal((await readRunLock(tmp.dir))?.pid, process.pid);
    assert.ok(log.warnings.some((w) => w.includes(`PID ${pid}`)), log.lines.join('\n'));
    await lock.release();
    // Nothing left behind from breaking it.
    assert.deepEqual(fs.readdirSync(tmp.dir), []);
  });

  it('a lock from another host is never broken, even with a dead PID', async () => {
    const pid = await deadPid();
    plant({ pid, hostname: 'SOME-OTHER-HOST' });
    await assert.rejects(acquireRunLock(tmp.dir, { log: memoryLog() }), (e: unknown) => {
      assert.ok(e instanceof ValidationError && e.code === 'LOCK_HELD');
      assert.match(e.message, /SOME-OTHER-HOST/);
      return true;
    });
    assert.equal((await readRunLock(tmp.dir))?.hostname, 'SOME-OTHER-HOST');
  });

  it('release never removes a lock that is not ours', async () => {
    const lock = await acquireRunLock(tmp.dir, { log: memoryLog() });
    plant({ pid: 4242, runId: 'someone-else' });
    await lock.release();
    assert.equal((await readRunLock(tmp.dir))?.runId, 'someone-else');
  });

  it('two runs racing for the lock: exactly one wins', async () => {
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => acquireRunLock(tmp.dir, { log: memoryLog() })));
    const won = results.filter((r) => r.status === 'fulfilled');
    assert.equal(won.length, 1);
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as ValidationError).code, 'LOCK_HELD');
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireRunLock>>>).value.release();
  });
});
