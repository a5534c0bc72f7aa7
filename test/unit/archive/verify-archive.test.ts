import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as yazl from 'yazl';
import { inflateRawSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { createWriteStream } from 'node:fs';
import { createArchive, sha256File, verifyArchive, type CreateArchiveResult } from '../../../src/archive';
import { makeTempDir, manifestFor, randomData, removeDir, sha256, textLike, writeTree } from './archive-fixtures';

const NAME = 'ServerBackup_DB_20261126_080000.zip';

/** Builds a zip with yazl from name → content, the manifest given as-is. */
function yazlZip(path: string, files: Record<string, string | Buffer>, manifest: unknown): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) {
    if (name.endsWith('/')) zip.addEmptyDirectory(name);
    else zip.addBuffer(Buffer.from(content), name);
  }
  if (manifest !== undefined) zip.addBuffer(Buffer.from(typeof manifest === 'string' ? manifest : JSON.stringify(manifest)), 'BackupManifest.json');
  zip.end();
  return new Promise((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(path)).on('close', resolve).on('error', reject);
  });
}

describe('verifyArchive', () => {
  let work: string;
  let good: CreateArchiveResult;
  before(async () => {
    work = makeTempDir('verify');
    writeTree(join(work, 'src'), {
      'Config/RuntimeSettings.xml': '<x/>',
      'MongoDB/AlteryxGallery/a.bson': textLike(2500),
      'MongoDB/AlteryxGallery/b.bson': randomData(300),
      'Empty/': '',
      'zero.txt': '',
    });
    good = await createArchive({ sourceDir: join(work, 'src'), destinationDir: join(work, 'out'), fileName: NAME, buildManifest: manifestFor });
  });
  after(() => removeDir(work));

  let n = 0;
  function copyOfGood(withSidecar: boolean): string {
    const p = join(work, `copy${++n}`, NAME);
    writeTree(join(work, `copy${n}`), { 'x/': '' });
    copyFileSync(good.archivePath, p);
    if (withSidecar) copyFileSync(good.sidecarPath, `${p}.sha256`);
    return p;
  }

  it('accepts a good archive and reports the data model fields', async () => {
    const v = await verifyArchive(good.archivePath, { minimumSizeBytes: 100, requireSidecar: true });
    assert.equal(v.ok, true, JSON.stringify(v.errors));
    assert.equal(v.opened, true);
    assert.equal(v.entryCount, 6);
    assert.equal(v.sha256, good.sha256);
    assert.equal(v.sidecarFound, true);
    assert.equal(v.sidecarMatches, true);
    assert.equal(v.manifestIncluded, true);
    assert.equal(v.meetsMinimumSize, true);
    assert.ok(v.manifest && typeof v.manifest === 'object' && 'ArchiveEntries' in v.manifest);
    assert.ok(v.durationSeconds >= 0);
  });

  it('catches a one-bit flip at every byte of the archive (sidecar present)', async () => {
    const p = copyOfGood(true);
    const original = readFileSync(p);
    for (let i = 0; i < original.length; i++) {
      const bad = Buffer.from(original);
      bad[i] ^= 1 << (i % 8);
      writeFileSync(p, bad);
      const v = await verifyArchive(p);
      assert.equal(v.ok, false, `flip at byte ${i} of ${original.length} went unnoticed`);
      assert.equal(v.sidecarMatches, false);
    }
  });

  it('catches a one-bit flip anywhere in entry data without a sidecar', async () => {
    const p = copyOfGood(false);
    const original = readFileSync(p);
    const missed: number[] = [];
    const ranges = await contentByteRanges(original);
    for (const [start, end, method] of ranges) {
      for (let i = start; i < end; i++) {
        const bad = Buffer.from(original);
        bad[i] ^= 1 << (i % 8);
        writeFileSync(p, bad);
        if ((await verifyArchive(p)).ok) {
          // Some bits of a deflate stream carry nothing (padding after a stored block's
          // header or after the last block, some Huffman table bits): the content is
          // unchanged, and only the sidecar's whole-file hash can see them.
          const unchanged =
            method === 8 && inflateRawSync(bad.subarray(start, end)).equals(inflateRawSync(original.subarray(start, end)));
          if (!unchanged) missed.push(i);
        }
      }
    }
    assert.ok(ranges.length >= 4);
    assert.deepEqual(missed, [], 'flips inside entry data must be caught without the sidecar');
  });

  it('catches truncation at any length', async () => {
    for (const withSidecar of [true, false]) {
      const p = copyOfGood(withSidecar);
      const size = readFileSync(p).length;
      const cuts = [0, 1, 22, Math.floor(size / 4), Math.floor(size / 2), size - 23, size - 22, size - 1];
      for (const cut of cuts) {
        copyFileSync(good.archivePath, p);
        truncateSync(p, cut);
        const v = await verifyArchive(p);
        assert.equal(v.ok, false, `truncation to ${cut} (sidecar ${withSidecar}) went unnoticed`);
      }
    }
  });

  it('reports a missing archive without throwing', async () => {
    const v = await verifyArchive(join(work, 'nope.zip'));
    assert.equal(v.ok, false);
    assert.equal(v.opened, false);
    assert.ok(v.errors.length > 0);
  });

  it('reports the sidecar: missing when required, mismatching, malformed', async () => {
    const p = copyOfGood(false);
    assert.equal((await verifyArchive(p)).ok, true);
    const v1 = await verifyArchive(p, { requireSidecar: true });
    assert.equal(v1.ok, false);
    assert.equal(v1.sidecarFound, false);
    writeFileSync(`${p}.sha256`, `${sha256('other')}  ${NAME}\n`);
    const v2 = await verifyArchive(p);
    assert.equal(v2.sidecarMatches, false);
    assert.equal(v2.ok, false);
    writeFileSync(`${p}.sha256`, 'garbage');
    assert.equal((await verifyArchive(p)).ok, false);
    writeFileSync(`${p}.sha256`, `${good.sha256}  ServerBackup_Other.zip\n`);
    assert.equal((await verifyArchive(p)).ok, false);
    writeFileSync(`${p}.sha256`, `${good.sha256.toUpperCase()} *${NAME}\r\n`);
    assert.equal((await verifyArchive(p)).ok, true, 'binary-mode marker and CRLF are accepted');
  });

  it('checks the minimum size', async () => {
    const v = await verifyArchive(good.archivePath, { minimumSizeBytes: good.sizeBytes + 1 });
    assert.equal(v.meetsMinimumSize, false);
    assert.equal(v.ok, false);
    assert.equal((await verifyArchive(good.archivePath, { minimumSizeBytes: good.sizeBytes })).meetsMinimumSize, true);
  });

  it('reports SHA256 mismatches, missing and extra entries against ArchiveEntries', async () => {
    const p = join(work, 'crafted.zip');
    await yazlZip(p, { 'a.txt': 'a', 'b.txt': 'b', 'extra.txt': 'x', 'dir/': '' }, {
      ArchiveEntries: [
        { Path: 'a.txt', SHA256: sha256('a'), SizeBytes: 1 },
        { Path: 'b.txt', SHA256: sha256('not b'), SizeBytes: 1 },
        { Path: 'gone.txt', SHA256: sha256('g'), SizeBytes: 1 },
      ],
    });
    const v = await verifyArchive(p);
    assert.equal(v.ok, false);
    assert.deepEqual(v.sha256Mismatches, ['b.txt']);
    assert.deepEqual(v.missingFromArchive, ['gone.txt']);
    assert.deepEqual(v.extraInArchive, ['extra.txt']);
    assert.deepEqual(v.crcFailures, []);
  });

  it('accepts the data model manifest with backslash paths and a Keys folder entry', async () => {
    const p = join(work, 'datamodel.zip');
    const files = { 'Config/RuntimeSettings.xml': '<x/>', 'Config/Keys/a.key': 'k', 'MongoDB/AlteryxGallery/x.bson': 'bson' };
    await yazlZip(p, files, {
      BackedUpFiles: [
        { RelativePathInArchive: 'Config\\RuntimeSettings.xml', SHA256: sha256('<x/>').toUpperCase(), SizeBytes: 4 },
        { RelativePathInArchive: 'Config\\Keys\\', Type: 'Directory', SHA256: null },
      ],
      MongoDBInformation: { Files: [{ RelativePathInArchive: 'MongoDB\\AlteryxGallery\\x.bson', SHA256: sha256('bson'), SizeBytes: 4 }] },
    });
    const v = await verifyArchive(p);
    assert.equal(v.ok, true, JSON.stringify(v));
    await yazlZip(p, { ...files, 'Config/RuntimeSettings.xml': '<y/>' }, {
      BackedUpFiles: [{ RelativePathInArchive: 'Config\\RuntimeSettings.xml', SHA256: sha256('<x/>'), SizeBytes: 4 }],
    });
    const v2 = await verifyArchive(p);
    assert.deepEqual(v2.sha256Mismatches, ['Config/RuntimeSettings.xml']);
  });

  it('checks data descriptors of archives written by other tools', async () => {
    const p = join(work, 'descriptors.zip');
    const content = textLike(50_000);
    const zip = new yazl.ZipFile();
    // A stream of unknown length makes yazl write sizes and CRC after the data (flag bit 3).
    zip.addReadStream(Readable.from([content]), 'a.bson');
    zip.addBuffer(Buffer.from(JSON.stringify({ ArchiveEntries: [{ Path: 'a.bson', SHA256: sha256(content), SizeBytes: content.length }] })), 'BackupManifest.json');
    zip.end();
    await new Promise<void>((resolve, reject) => {
      zip.outputStream.pipe(createWriteStream(p)).on('close', () => resolve()).on('error', reject);
    });
    const v = await verifyArchive(p);
    assert.equal(v.ok, true, JSON.stringify(v.errors));
    const bytes = readFileSync(p);
    const at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x07, 0x08]));
    assert.ok(at > 0, 'the archive has a data descriptor');
    const bad = Buffer.from(bytes);
    bad[at + 5] ^= 0x01; // inside the descriptor's CRC-32
    writeFileSync(p, bad);
    const v2 = await verifyArchive(p);
    assert.equal(v2.ok, false);
    assert.ok(v2.errors.some((e) => e.includes('data descriptor')), JSON.stringify(v2.errors));
  });

  it('reports a missing or unparsable manifest', async () => {
    const p = join(work, 'nomanifest.zip');
    await yazlZip(p, { 'a.txt': 'a' }, undefined);
    const v = await verifyArchive(p);
    assert.equal(v.ok, false);
    assert.equal(v.manifestIncluded, false);
    await yazlZip(p, { 'a.txt': 'a' }, '{not json');
    const v2 = await verifyArchive(p);
    assert.equal(v2.ok, false);
    assert.equal(v2.manifestIncluded, true);
    assert.equal(v2.manifest, null);
  });

  it('is cancellable', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(verifyArchive(good.archivePath, { signal: ac.signal }), { name: 'CancelledError' });
  });

  it('sha256File hashes files in chunks', async () => {
    const p = join(work, 'h.bin');
    const data = randomData(3 * 1024 * 1024 + 7);
    writeFileSync(p, data);
    assert.equal(await sha256File(p), sha256(data));
    rmSync(p);
    await assert.rejects(sha256File(p), { code: 'ENOENT' });
  });
});

/** [start, end, method] of every entry's compressed data, from the central directory. */
async function contentByteRanges(zipBytes: Buffer): Promise<Array<[number, number, number]>> {
  const yauzl = await import('yauzl');
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zipBytes, { lazyEntries: true }, (err, zf) => {
      if (err || !zf) return reject(err);
      const ranges: Array<[number, number, number]> = [];
      zf.on('entry', (e: import('yauzl').Entry) => {
        const off = e.relativeOffsetOfLocalHeader;
        const nameLen = zipBytes.readUInt16LE(off + 26);
        const extraLen = zipBytes.readUInt16LE(off + 28);
        const start = off + 30 + nameLen + extraLen;
        if (e.compressedSize > 0) ranges.push([start, start + e.compressedSize, e.compressionMethod]);
        zf.readEntry();
      });
      zf.on('end', () => resolve(ranges));
      zf.readEntry();
    });
  });
}
