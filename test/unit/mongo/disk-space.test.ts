import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { ValidationError } from '../../../src/core/errors';
import { assessDiskSpace, diskSpaceMessage, folderSizeBytes } from '../../../src/mongo/disk-space';
import { detectMongo, embeddedRootPath, preflightMongoDB } from '../../../src/mongo/index';
import { makeTempDir } from '../../helpers/temp-dir';
import { createTestHost, type TestHost } from './mongo-test-host';

describe('disk space (pure)', () => {
  it('requires 2 × the estimate, inclusive', () => {
    assert.equal(assessDiskSpace('/t', 100, 'x', 200).sufficient, true);
    assert.equal(assessDiskSpace('/t', 100, 'x', 199).sufficient, false);
    assert.equal(assessDiskSpace('/t', 0, 'x', 0).sufficient, true);
  });
  it('says what is available, what is required, and why', () => {
    const m = diskSpaceMessage(assessDiskSpace('D:\\Temp', 10 * 1024 * 1024, 'the size of E:\\MongoDB', 5 * 1024 * 1024));
    assert.match(m, /D:\\Temp: 5\.0 MB available, 20\.0 MB required \(2 × the estimated database size of 10\.0 MB from the size of E:\\MongoDB\)/);
    assert.match(m, /Free 15\.0 MB/);
  });
});

describe('folderSizeBytes', () => {
  it('sums files recursively and says undefined for a missing folder', async () => {
    const { dir, cleanup } = makeTempDir();
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'x'), Buffer.alloc(1000));
    fs.writeFileSync(path.join(dir, 'a', 'b', 'y'), Buffer.alloc(24));
    assert.equal(await folderSizeBytes(dir), 1024);
    assert.equal(await folderSizeBytes(path.join(dir, 'missing')), undefined);
    cleanup();
  });
});

describe('preflight and detection with a host', () => {
  let host: TestHost;
  afterEach(() => host?.cleanup());

  it('embedded: estimate from the default EmbeddedMongoDBRootPath; too little space → ValidationError exit 3', async () => {
    host = createTestHost();
    host.platform.free = 2 * 64 * 1024 - 1;
    await assert.rejects(preflightMongoDB({ config: host.config, platform: host.platform, log: host.log }), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.equal(err.exitCode, 3);
      assert.equal(err.code, 'INSUFFICIENT_DISK_SPACE');
      assert.match(err.message, /0\.1 MB available, 0\.1 MB required/);
      assert.match(err.message, /Persistence[\\/]MongoDB/);
      return true;
    });
    host.platform.free = 2 * 64 * 1024;
    const p = await preflightMongoDB({ config: host.config, platform: host.platform, log: host.log });
    assert.equal(p.diskSpace.estimatedDatabaseBytes, 64 * 1024);
    assert.equal(p.diskSpace.requiredBytes, 128 * 1024);
  });

  it('embedded: an explicit EmbeddedMongoDBRootPath is used; a missing one warns', async () => {
    host = createTestHost({ runtimeSettings: '<SystemSettings><Controller><EmbeddedMongoDBRootPath>/nonexistent/mongo</EmbeddedMongoDBRootPath></Controller></SystemSettings>' });
    const d = await detectMongo(host.config);
    assert.equal(embeddedRootPath(host.config, d), '/nonexistent/mongo');
    const p = await preflightMongoDB({ config: host.config, platform: host.platform, log: host.log });
    assert.ok(p.warnings.some((w) => /nonexistent[\\/]mongo not found/.test(w)));
  });

  it('auto reads RuntimeSettings.xml; an unparseable one is exit 3 naming file and line', async () => {
    host = createTestHost({ runtimeSettings: '<SystemSettings>\n  <Controller>\n</SystemSettings>\n' });
    await assert.rejects(detectMongo(host.config), (err: unknown) => err instanceof ValidationError && err.exitCode === 3 && err.message.includes(path.join(host.programData, 'RuntimeSettings.xml')) && /line 3/.test(err.message));
  });

  it('a forced Type wins over the file, with a warning', async () => {
    host = createTestHost({ config: { MongoDBConfiguration: { Type: 'embedded' } }, runtimeSettings: '<SystemSettings><Controller><EmbeddedMongoDBEnabled>False</EmbeddedMongoDBEnabled><MongoDBEnabled>True</MongoDBEnabled><MongoDBServerName>m:1</MongoDBServerName></Controller></SystemSettings>' });
    const d = await detectMongo(host.config);
    assert.equal(d.type, 'embedded');
    assert.equal(d.source, 'configuration');
    assert.match(d.warnings[0], /describes self-managed/);
  });
});
