import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CancelledError, MongoDBError } from '../../../src/core/errors';
import { dumpCommandFailure, parseEmongoPasswordOutput } from '../../../src/mongo/embedded-dump';
import { invokeMongoDBBackup } from '../../../src/mongo/index';
import { createTestHost, type TestHost } from './mongo-test-host';

const ok = { exitCode: 0, signal: null, stdout: 'Embedded MongoDB dump complete.\r\n', stderr: '', timedOut: false };

describe('dumpCommandFailure (pure)', () => {
  it('passes a clean run', () => {
    assert.equal(dumpCommandFailure(ok, 'emongodump', 60), undefined);
  });
  it('fails non-zero exit, failure text with exit 0 (any case, stdout or stderr), signals and timeouts', () => {
    assert.match(dumpCommandFailure({ ...ok, exitCode: 3 }, 'emongodump', 60) ?? '', /exited with code 3/);
    assert.match(dumpCommandFailure({ ...ok, stdout: 'x\r\nEMongoDump failed: locked\r\n' }, 'emongodump', 60) ?? '', /despite exit code 0.*EMongoDump failed: locked/);
    assert.match(dumpCommandFailure({ ...ok, stderr: 'MONGODUMP FAILED somewhere' }, 'emongodump', 60) ?? '', /MONGODUMP FAILED/);
    assert.match(dumpCommandFailure({ ...ok, exitCode: null, signal: 'SIGKILL' }, 'emongodump', 60) ?? '', /SIGKILL/);
    assert.match(dumpCommandFailure({ ...ok, exitCode: null, timedOut: true }, 'emongodump', 7) ?? '', /within 7 s/);
  });
});

describe('parseEmongoPasswordOutput', () => {
  it('reads both lines and nothing else', () => {
    assert.deepEqual(parseEmongoPasswordOutput('Admin: a1 b2\r\nNon-Admin: zz!@#\r\n'), { admin: 'a1 b2', nonAdmin: 'zz!@#' });
    assert.equal(parseEmongoPasswordOutput('Admin: x\r\n'), undefined);
    assert.equal(parseEmongoPasswordOutput('Admin:\r\nNon-Admin: y'), undefined);
  });
});

describe('invokeMongoDBBackup, embedded, against a stand-in AlteryxService', () => {
  let host: TestHost;
  beforeEach(() => {
    host = createTestHost({ config: { MongoDBConfiguration: { DumpTimeoutSeconds: 2 } } });
  });
  afterEach(() => host.cleanup());

  it('a good dump: one emongodump=<dir> argument, verified, per-collection counts', async () => {
    const r = await invokeMongoDBBackup({ config: host.config, platform: host.platform, stagingDir: host.staging, log: host.log });
    const dumpDir = path.join(host.staging, 'MongoDB');
    assert.deepEqual(host.argvRuns(), [[`emongodump=${dumpDir}`]]);
    assert.equal(r.Success, true);
    assert.equal(r.BackupPath, dumpDir);
    assert.equal(r.DeploymentType, 'embedded');
    assert.equal(r.BackupMethod, 'AlteryxService.exe emongodump');
    assert.equal(r.CollectionCount, 6);
    assert.equal(r.TotalDocuments, 87);
    assert.deepEqual(r.Verification.CountsCheckedAgainst, ['mongoDump.log']);
    assert.deepEqual(
      r.Databases.map((d) => [d.Name, d.Collections.map((c) => `${c.Name}=${c.Documents}`)]),
      [
        ['AlteryxGallery', ['apps.versions=7', 'emptyCollection=0', 'users=12']],
        ['AlteryxGallery_Lucene', ['LuceneDocs=3']],
        ['AlteryxService', ['AS_Queue=40', 'AS_Results=25']],
      ],
    );
    assert.ok(r.BackupSizeMB > 0);
    assert.ok(fs.existsSync(path.join(dumpDir, 'AlteryxGallery', 'users.bson')));
  });

  const failures: Array<[string, string, RegExp]> = [
    ['exit1', 'EMONGODUMP_FAILED', /exited with code 1/],
    ['failtext', 'EMONGODUMP_FAILED', /EMongoDump failed.*despite exit code 0|despite exit code 0.*EMongoDump failed/],
    ['hang', 'EMONGODUMP_TIMEOUT', /did not finish within 2 s/],
    ['partial', 'DUMP_VERIFICATION_FAILED', /AlteryxService\/AS_Queue\.bson: document #\d+ .*truncated/],
    ['missingDb', 'DUMP_VERIFICATION_FAILED', /AlteryxGallery_Lucene\/ is missing/],
    ['empty', 'DUMP_VERIFICATION_FAILED', /holds no collection data/],
  ];
  for (const [mode, code, message] of failures) {
    it(`${mode} → MongoDBError (exit 5, ${code}) and the partial dump is removed`, async () => {
      host.behave({ mode });
      await assert.rejects(invokeMongoDBBackup({ config: host.config, platform: host.platform, stagingDir: host.staging, log: host.log }), (err: unknown) => {
        assert.ok(err instanceof MongoDBError, String(err));
        assert.equal(err.exitCode, 5);
        assert.equal(err.code, code);
        assert.match(err.message, message);
        return true;
      });
      assert.equal(fs.existsSync(path.join(host.staging, 'MongoDB')), false, 'no partial dump left to archive');
      assert.ok(fs.existsSync(host.staging), 'the staging folder itself stays (it is the caller\'s)');
    });
  }

  it('Ctrl+C during the dump → CancelledError, dump removed', async () => {
    host.behave({ mode: 'hang' });
    const ac = new AbortController();
    const run = invokeMongoDBBackup({ config: host.config, platform: host.platform, stagingDir: host.staging, log: host.log, signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    await assert.rejects(run, (err: unknown) => err instanceof CancelledError);
    assert.equal(fs.existsSync(path.join(host.staging, 'MongoDB')), false);
  });

  it('a leftover MongoDB folder in staging is discarded before the dump', async () => {
    fs.mkdirSync(path.join(host.staging, 'MongoDB', 'Stale'), { recursive: true });
    fs.writeFileSync(path.join(host.staging, 'MongoDB', 'Stale', 'old.bson'), Buffer.alloc(3));
    const r = await invokeMongoDBBackup({ config: host.config, platform: host.platform, stagingDir: host.staging, log: host.log });
    assert.ok(!r.Databases.some((d) => d.Name === 'Stale'));
  });

  it('a missing AlteryxService executable is exit 5', async () => {
    const platform = { ...host.platform, alteryxServiceExecutable: () => path.join(host.dir, 'nope', 'AlteryxService') };
    await assert.rejects(invokeMongoDBBackup({ config: host.config, platform, stagingDir: host.staging, log: host.log }), (err: unknown) => err instanceof MongoDBError && /could not be started \(ENOENT\)/.test(err.message));
  });
});
