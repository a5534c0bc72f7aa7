import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { removeStaleTemporaries } from '../../../src/archive';
import { publishNoOverwrite, temporaryName } from '../../../src/archive/atomic-publish';
import { StorageError } from '../../../src/core/errors';
import { ARCHIVE_NAME_PATTERN } from '../../../src/core/backup-mode';
import { listDir, makeTempDir, removeDir, writeTree } from './archive-fixtures';

/** A PID that belonged to a process which has certainly exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('temporary files', () => {
  let work: string;
  before(() => {
    work = makeTempDir('publish');
  });
  after(() => removeDir(work));

  it('uses a name that can never be mistaken for a backup', () => {
    const t = temporaryName('ServerBackup_Full_20261126_080000.zip', 1234);
    assert.equal(t, '.ServerBackup_Full_20261126_080000.zip.1234.partial');
    assert.doesNotMatch(t, ARCHIVE_NAME_PATTERN);
    assert.doesNotMatch(t, /^ServerBackup_.*\.zip$/);
  });

  it('removes partial files of dead runs, keeps live ones and everything else', async () => {
    const dir = join(work, 'stale');
    const dead = temporaryName('ServerBackup_Full_20261120_080000.zip', deadPid());
    const mine = temporaryName('ServerBackup_Full_20261126_080000.zip');
    const oldLive = temporaryName('ServerBackup_DB_20261101_080000.zip', process.ppid);
    const keep = ['ServerBackup_Full_20261120_080000.zip', 'ServerBackup_Full_20261120_080000.zip.sha256', '.hidden', 'x.partial', '.a.zip.12.partial.bak'];
    writeTree(dir, Object.fromEntries([dead, mine, oldLive, ...keep, '.folder.99.partial/'].map((n) => [n, 'x'])));
    const twoDaysAgo = new Date(Date.now() - 48 * 3600 * 1000);
    utimesSync(join(dir, oldLive), twoDaysAgo, twoDaysAgo);
    const removed = await removeStaleTemporaries(dir);
    assert.deepEqual(removed.sort(), [dead, oldLive].sort());
    assert.deepEqual(listDir(dir), [mine, '.folder.99.partial', ...keep].sort());
  });

  it('treats a missing folder as nothing to clean', async () => {
    assert.deepEqual(await removeStaleTemporaries(join(work, 'absent')), []);
  });

  it('publishes without replacing an existing file', async () => {
    const dir = join(work, 'pub');
    writeTree(dir, { 'tmp1': 'new', 'final.zip': 'old', 'tmp2': 'new2' });
    await assert.rejects(publishNoOverwrite(join(dir, 'tmp1'), join(dir, 'final.zip')), (e: unknown) => e instanceof StorageError && e.code === 'ARCHIVE_EXISTS');
    assert.equal(readFileSync(join(dir, 'final.zip'), 'utf8'), 'old');
    await publishNoOverwrite(join(dir, 'tmp2'), join(dir, 'other.zip'));
    assert.equal(readFileSync(join(dir, 'other.zip'), 'utf8'), 'new2');
    assert.ok(!existsSync(join(dir, 'tmp2')));
  });
});
