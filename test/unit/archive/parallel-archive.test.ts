import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createArchive, verifyArchive, type CreateArchiveResult } from '../../../src/archive';
import { listDir, makeTempDir, manifestFor, randomData, readZip, removeDir, textLike, writeTree } from './archive-fixtures';

const NAME = 'ServerBackup_Full_20261126_090000.zip';
const MiB = 1024 * 1024;

/** Large files cross the 1 MiB block size in every way the writer distinguishes. */
function spec(): Record<string, Buffer> {
  const files: Record<string, Buffer> = {
    'MongoDB/AlteryxService/AS_Queue.bson': textLike(3.5 * MiB, 7),
    'MongoDB/AlteryxGallery/mixed.bson': Buffer.concat([textLike(MiB, 3), randomData(MiB), textLike(MiB / 2, 4)]),
    'MongoDB/AlteryxGallery/fs.chunks.bson': randomData(2.5 * MiB),
    'MongoDB/AlteryxGallery_Lucene/x.bson.gz': randomData(1.5 * MiB),
    'exactly-one-block.bin': textLike(MiB, 9),
    'exactly-two-blocks.bin': textLike(2 * MiB, 10),
    'one-block-plus-one.bin': textLike(MiB + 1, 11),
  };
  for (let i = 0; i < 150; i++) files[`Config/many/file${String(i).padStart(3, '0')}.json`] = textLike(100 + i * 37, i);
  return files;
}

describe('createArchive on worker threads', () => {
  let work: string;
  let files: Record<string, Buffer>;
  const results: Record<string, CreateArchiveResult> = {};
  before(async () => {
    work = makeTempDir('parallel');
    files = spec();
    writeTree(join(work, 'src'), files);
    for (const parallelism of [0, 2]) {
      results[parallelism] = await createArchive({
        sourceDir: join(work, 'src'),
        destinationDir: join(work, `out${parallelism}`),
        fileName: NAME,
        parallelism,
        buildManifest: manifestFor,
      });
    }
  });
  after(() => removeDir(work));

  for (const parallelism of [0, 2]) {
    it(`round-trips every block layout (parallelism ${parallelism})`, async () => {
      const r = results[parallelism];
      const read = await readZip(r.archivePath);
      for (const [name, content] of Object.entries(files)) {
        const e = read.find((x) => x.name === name);
        assert.ok(e, name);
        assert.ok(e.data.equals(content), `content of ${name}`);
      }
      const method = (n: string): number => read.find((x) => x.name === n)!.method;
      assert.equal(method('MongoDB/AlteryxService/AS_Queue.bson'), 8);
      assert.equal(method('MongoDB/AlteryxGallery/mixed.bson'), 8);
      assert.equal(method('MongoDB/AlteryxGallery/fs.chunks.bson'), 0, 'incompressible data is stored');
      assert.equal(method('MongoDB/AlteryxGallery_Lucene/x.bson.gz'), 0, 'gzip files are stored');
      const v = await verifyArchive(r.archivePath, { parallelism, requireSidecar: true });
      assert.ok(v.ok, JSON.stringify(v.errors));
    });
  }

  it('writes the same entries whether or not it uses workers', async () => {
    const a = results[0].entries.map((e) => [e.archivePath, e.sha256, e.crc32, e.sizeBytes, e.method]);
    const b = results[2].entries.map((e) => [e.archivePath, e.sha256, e.crc32, e.sizeBytes, e.method]);
    assert.deepEqual(a, b);
    // Same bytes too, up to the manifest entry (whose timestamp is the time of writing).
    const x = readFileSync(results[0].archivePath);
    const y = readFileSync(results[2].archivePath);
    const firstManifestHeader = x.indexOf(Buffer.from('BackupManifest.json')) - 30;
    assert.ok(firstManifestHeader > 0);
    assert.ok(x.subarray(0, firstManifestHeader).equals(y.subarray(0, firstManifestHeader)));
  });

  it('catches corruption in large stored and deflated entries on worker threads', async () => {
    const original = readFileSync(results[2].archivePath);
    const p = join(work, 'corrupt', NAME);
    writeTree(join(work, 'corrupt'), { 'x/': '' });
    for (const name of ['MongoDB/AlteryxService/AS_Queue.bson', 'MongoDB/AlteryxGallery/fs.chunks.bson', 'MongoDB/AlteryxGallery/mixed.bson']) {
      const at = original.indexOf(Buffer.from(name)) + name.length + 9 + 200_000;
      const bad = Buffer.from(original);
      bad[at] ^= 0x10;
      writeFileSync(p, bad);
      const v = await verifyArchive(p, { parallelism: 2 });
      assert.equal(v.ok, false, `flip in ${name}`);
      assert.ok(v.crcFailures.includes(name) || v.sha256Mismatches.includes(name), `${name} named: ${JSON.stringify(v.crcFailures)} ${JSON.stringify(v.errors)}`);
    }
  });
});

describe('disk full while writing', { skip: process.platform === 'win32' ? 'needs bash and ulimit -f' : false }, () => {
  let work: string;
  before(() => {
    work = makeTempDir('diskfull');
  });
  after(() => removeDir(work));

  it('fails with a StorageError and leaves no file behind', () => {
    writeTree(join(work, 'src'), { 'a.bin': randomData(3 * MiB), 'b.txt': textLike(MiB) });
    const child = join(__dirname, 'fixtures', 'create-archive-child.js');
    // The file size limit makes writes past 2 MiB fail as they would on a full disk.
    const r = spawnSync('bash', ['-c', 'ulimit -f 2048 && exec "$0" "$@"', process.execPath, child, join(work, 'src'), join(work, 'out'), NAME], { encoding: 'utf8' });
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { ok: boolean; code: string; name: string; exitCode: number };
    assert.equal(out.ok, false, r.stdout + r.stderr);
    assert.equal(out.name, 'StorageError');
    assert.equal(out.code, 'STORAGE_EFBIG');
    assert.equal(out.exitCode, 4);
    assert.deepEqual(listDir(join(work, 'out')), []);
  });
});
