import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeSync, ftruncateSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createArchive, verifyArchive, type CreateArchiveResult } from '../../../src/archive';
import { makeTempDir, manifestFor, randomData, removeDir, textLike, writeTree } from '../../unit/archive/archive-fixtures';
import { dotNetOpenAndExpand, have, pythonTestzip, sevenZipTest, unzipTest } from './interop-tools';

/**
 * Our archives, opened by the tools administrators use: unzip, 7-Zip,
 * Python's zipfile, .NET's ZipFile.OpenRead and Expand-Archive. The 70,000
 * entry and 4.5 GiB cases take minutes on two cores; they run when
 * ARCHIVE_BIG_TESTS=1.
 */
const BIG = process.env.ARCHIVE_BIG_TESTS === '1';
const BIG_SKIP = BIG ? false : 'takes minutes; set ARCHIVE_BIG_TESTS=1';
const NAME = 'ServerBackup_Full_20261126_100000.zip';
const MiB = 1024 * 1024;
const skip7z = have.sevenZip ? false : '7z is not installed (apt-get install -y p7zip-full)';
const skipPwsh = have.pwsh ? false : 'pwsh is not installed (bash build/install-tools.sh)';

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Every file (path → sha256) and every empty folder (path ending in '/') under `root`. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    const names = readdirSync(dir, { withFileTypes: true });
    if (names.length === 0 && dir !== root) out.set(`${relative(root, dir).split('\\').join('/')}/`, 'dir');
    for (const d of names) {
      const full = join(dir, d.name);
      if (d.isDirectory()) walk(full);
      else out.set(relative(root, full).split('\\').join('/'), sha256(readFileSync(full)));
    }
  };
  walk(root);
  return out;
}

/** The same checks for every archive: each tool opens it and finds what we put in. */
function interopSuite(label: string, build: (work: string) => Promise<{ archive: CreateArchiveResult; src: string; listNames: boolean }>, opts: { skip?: string | false; compareTree?: boolean } = {}): void {
  describe(`interop: ${label}`, { skip: opts.skip ?? false }, () => {
    let work: string;
    let archive: CreateArchiveResult;
    let src: string;
    let listNames: boolean;
    before(async () => {
      work = makeTempDir('interop');
      ({ archive, src, listNames } = await build(work));
    });
    after(() => removeDir(work));

    const expectedNames = (): string[] => [...archive.entries.map((e) => e.archivePath), 'BackupManifest.json'];

    it('our verifier accepts it', async () => {
      const v = await verifyArchive(archive.archivePath, { requireSidecar: true });
      assert.ok(v.ok, JSON.stringify(v.errors.slice(0, 5)));
      assert.equal(v.entryCount, archive.entries.length + 1);
    });

    it('unzip -t', { skip: have.unzip ? false : 'unzip is not installed' }, () => {
      const r = unzipTest(archive.archivePath);
      assert.ok(r.ok, r.output);
    });

    it('7z t', { skip: skip7z }, () => {
      const r = sevenZipTest(archive.archivePath);
      assert.ok(r.ok, r.output);
    });

    it('python3 zipfile testzip', { skip: have.python ? false : 'python3 is not installed' }, () => {
      const r = pythonTestzip(archive.archivePath, listNames);
      assert.ok(r.ok, r.output);
      assert.equal(r.count, archive.entries.length + 1);
      if (listNames) assert.deepEqual(r.names, expectedNames());
      assert.equal(r.totalSize, archive.uncompressedBytes);
    });

    it('.NET ZipFile.OpenRead and Expand-Archive', { skip: skipPwsh }, () => {
      const to = join(work, 'expanded');
      const r = dotNetOpenAndExpand(archive.archivePath, to, listNames);
      assert.ok(r.ok, `${r.ExpandError ?? ''} ${r.output}`);
      assert.equal(r.Count, archive.entries.length + 1);
      assert.equal(r.TotalLength, archive.uncompressedBytes);
      if (listNames) assert.deepEqual(r.Names, expectedNames());
      if (opts.compareTree !== false) {
        const got = snapshot(to);
        const want = snapshot(src);
        got.delete('BackupManifest.json');
        assert.deepEqual([...got.entries()].sort(), [...want.entries()].sort());
      } else {
        for (const e of archive.entries) {
          if (e.isDirectory) continue;
          assert.equal(statSync(join(to, e.archivePath)).size, e.sizeBytes, e.archivePath);
        }
      }
      removeDir(to);
    });
  });
}

interopSuite('Unicode and space names, an empty file, an empty folder, every block layout', async (work) => {
  const src = join(work, 'src');
  writeTree(src, {
    'Config/RuntimeSettings.xml': '<SystemSettings/>\n',
    'Config/Keys/empty.key': '',
    'Config/Empty Folder/': '',
    'Config/Ünïcødé — ключи/名前 with spaces.txt': 'unicode ✓\n',
    'Config/spaces in name/a b c.xml': '<a/>',
    'MongoDB/AlteryxGallery/workflows.bson': textLike(2.5 * MiB, 5),
    'MongoDB/AlteryxGallery/fs.chunks.bson': randomData(1.5 * MiB),
    'MongoDB/AlteryxGallery/mixed.bson': Buffer.concat([textLike(MiB, 1), randomData(MiB), textLike(300_000, 2)]),
    'MongoDB/AlteryxGallery_Lucene/x.bson.gz': randomData(200_000),
  });
  const archive = await createArchive({ sourceDir: src, destinationDir: join(work, 'out'), fileName: NAME, parallelism: 2, buildManifest: manifestFor });
  return { archive, src, listNames: true };
});

interopSuite(
  '70,000 small entries (ZIP64 entry count)',
  async (work) => {
    const src = join(work, 'src');
    for (let d = 0; d < 70; d++) {
      const dir = join(src, 'MongoDB', `db${String(d).padStart(2, '0')}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 1000; f++) {
        const fd = openSync(join(dir, `c${String(f).padStart(4, '0')}.metadata.json`), 'w');
        writeSync(fd, `{"collection":"c${f}","db":${d},"indexes":[{"v":2,"key":{"_id":1}}]}\n`);
        closeSync(fd);
      }
    }
    const archive = await createArchive({ sourceDir: src, destinationDir: join(work, 'out'), fileName: NAME, buildManifest: manifestFor });
    assert.equal(archive.entries.length, 70_000);
    return { archive, src, listNames: false };
  },
  { skip: BIG_SKIP },
);

interopSuite(
  'a 4.5 GiB entry, stored, with entries and the central directory beyond 4 GiB (ZIP64 sizes and offsets)',
  async (work) => {
    const src = join(work, 'src');
    mkdirSync(join(src, 'MongoDB/AlteryxGallery'), { recursive: true });
    // Sparse: 4.5 GiB of zeros that take no disk space. Stored, so the archive really is
    // 4.5 GiB and what follows it needs 64-bit offsets.
    const fd = openSync(join(src, 'MongoDB/AlteryxGallery/huge.bson'), 'w');
    ftruncateSync(fd, 4.5 * 1024 ** 3);
    closeSync(fd);
    writeTree(src, { 'zz after the big one.txt': 'after\n', 'zz-empty/': '' });
    const archive = await createArchive({
      sourceDir: src,
      destinationDir: join(work, 'out'),
      fileName: NAME,
      compressionLevel: 'NoCompression',
      buildManifest: manifestFor,
    });
    assert.ok(archive.sizeBytes > 4.5 * 1024 ** 3);
    return { archive, src, listNames: true };
  },
  { skip: BIG_SKIP, compareTree: false },
);
