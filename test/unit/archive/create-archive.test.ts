import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createArchive, sha256File, verifyArchive, type ArchiveEntryInfo } from '../../../src/archive';
import { BackupError, CancelledError, StorageError, ValidationError } from '../../../src/core/errors';
import { listDir, makeTempDir, manifestFor, randomData, readZip, removeDir, sha256, textLike, writeTree } from './archive-fixtures';

const NAME = 'ServerBackup_Full_20261126_080000.zip';

/** A PID that belonged to a process which has certainly exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

describe('createArchive', () => {
  let work: string;
  before(() => {
    work = makeTempDir('create');
  });
  after(() => removeDir(work));

  let n = 0;
  function dirs(): { src: string; dest: string } {
    n++;
    return { src: join(work, `src${n}`), dest: join(work, `dest${n}`) };
  }

  it('round-trips files, an empty file, an empty folder and Unicode/space names', async () => {
    const { src, dest } = dirs();
    const spec = {
      'Config/RuntimeSettings.xml': '<SystemSettings><Controller/></SystemSettings>\n',
      'Config/Keys/a.key': randomData(3000),
      'Config/Keys/b.key': '',
      'MongoDB/AlteryxGallery/workflows.bson': textLike(300_000),
      'MongoDB/AlteryxGallery/packages.bson': randomData(200_000),
      'MongoDB/Empty Folder/': '',
      'Ünïcødé dir/名前 with space.txt': 'unicode content ✓',
      'a/b/c/d/deep.txt': 'deep',
    } as const;
    writeTree(src, spec);
    let seen: ArchiveEntryInfo[] = [];
    const r = await createArchive({
      sourceDir: src,
      destinationDir: dest,
      fileName: NAME,
      buildManifest: (entries) => {
        seen = entries;
        return manifestFor(entries);
      },
    });
    assert.equal(r.archivePath, join(dest, NAME));
    assert.equal(r.fileName, NAME);
    assert.deepEqual(listDir(dest), [NAME, `${NAME}.sha256`]);
    assert.equal(readFileSync(r.sidecarPath, 'utf8'), `${r.sha256}  ${NAME}\n`);
    assert.equal(await sha256File(r.archivePath), r.sha256);
    assert.equal(r.sizeBytes, readFileSync(r.archivePath).length);
    assert.equal(r.entries, seen);

    const read = await readZip(r.archivePath);
    const names = read.map((e) => e.name);
    assert.equal(names[names.length - 1], 'BackupManifest.json', 'manifest is the last entry');
    for (const [rel, content] of Object.entries(spec)) {
      const e = read.find((x) => x.name === rel);
      assert.ok(e, `entry ${rel} present`);
      if (rel.endsWith('/')) assert.ok(e.isDirectory);
      else assert.ok(e.data.equals(Buffer.from(content)), `content of ${rel}`);
    }
    assert.equal(read.length, Object.keys(spec).length + 1);
    for (const e of r.entries) {
      assert.ok(!e.archivePath.includes('\\'));
      const content = (spec as Record<string, string | Buffer>)[e.archivePath];
      if (e.isDirectory) continue;
      assert.equal(e.sha256, sha256(content), `sha256 of ${e.archivePath}`);
      assert.equal(e.sizeBytes, Buffer.byteLength(content));
      assert.equal(e.sourcePath, join(src, e.archivePath));
    }
    // Names that are not plain ASCII must be flagged as UTF-8 (bit 11).
    const uni = read.find((x) => x.name.startsWith('Ünïcødé'))!;
    assert.ok(uni.generalPurposeBitFlag & 0x800);
    const v = await verifyArchive(r.archivePath, { requireSidecar: true });
    assert.ok(v.ok, JSON.stringify(v.errors));
    assert.equal(v.entryCount, Object.keys(spec).length + 1);
    assert.equal(r.verification.ok, true);
  });

  it('stores everything with NoCompression and deflates compressible text with Optimal', async () => {
    const text = textLike(500_000);
    const a = dirs();
    writeTree(a.src, { 'x.bson': text });
    const stored = await createArchive({ sourceDir: a.src, destinationDir: a.dest, fileName: NAME, compressionLevel: 'NoCompression', buildManifest: manifestFor });
    const readStored = await readZip(stored.archivePath);
    assert.ok(readStored.every((e) => e.method === 0));
    assert.ok(stored.sizeBytes > text.length);
    assert.ok(stored.entries.every((e) => e.method === 'stored'));

    const b = dirs();
    writeTree(b.src, { 'x.bson': text });
    const deflated = await createArchive({ sourceDir: b.src, destinationDir: b.dest, fileName: NAME, buildManifest: manifestFor });
    const readDeflated = await readZip(deflated.archivePath);
    assert.equal(readDeflated.find((e) => e.name === 'x.bson')!.method, 8);
    assert.ok(deflated.sizeBytes < text.length / 3, `compressed to ${deflated.sizeBytes}`);
    assert.ok(readDeflated.find((e) => e.name === 'x.bson')!.data.equals(text));

    const c = dirs();
    writeTree(c.src, { 'x.bson': text });
    const fastest = await createArchive({ sourceDir: c.src, destinationDir: c.dest, fileName: NAME, compressionLevel: 'Fastest', buildManifest: manifestFor });
    assert.ok(fastest.sizeBytes < text.length / 2);
    assert.ok((await verifyArchive(fastest.archivePath)).ok);
  });

  it('handles a staging folder with only an empty file', async () => {
    const { src, dest } = dirs();
    writeTree(src, { 'empty.txt': '' });
    const r = await createArchive({ sourceDir: src, destinationDir: dest, fileName: NAME, buildManifest: manifestFor });
    const read = await readZip(r.archivePath);
    assert.deepEqual(read.map((e) => [e.name, e.data.length]), [['empty.txt', 0], ['BackupManifest.json', read[1].data.length]]);
    assert.equal(r.entries[0].sha256, sha256(''));
    assert.equal(r.entries[0].crc32, 0);
  });

  it('passes the manifest bytes through unchanged as the last entry, under a custom name', async () => {
    const { src, dest } = dirs();
    writeTree(src, { 'a.txt': 'a' });
    let manifest: Buffer = Buffer.alloc(0);
    const r = await createArchive({
      sourceDir: src,
      destinationDir: dest,
      fileName: NAME,
      manifestEntryName: 'Manifest/Backup.json',
      buildManifest: async (entries) => {
        await new Promise((res) => setTimeout(res, 5));
        manifest = manifestFor(entries, { Note: 'async' });
        return manifest;
      },
    });
    const read = await readZip(r.archivePath);
    assert.equal(read[read.length - 1].name, 'Manifest/Backup.json');
    assert.ok(read[read.length - 1].data.equals(manifest));
    assert.ok((await verifyArchive(r.archivePath, { manifestEntryName: 'Manifest/Backup.json' })).ok);
  });

  it('never overwrites an existing archive, and removes its temporary file', async () => {
    const { src, dest } = dirs();
    writeTree(src, { 'a.txt': 'new' });
    writeTree(dest, { [NAME]: 'precious old backup' });
    await assert.rejects(
      createArchive({ sourceDir: src, destinationDir: dest, fileName: NAME, buildManifest: manifestFor }),
      (err: unknown) => err instanceof StorageError && err.code === 'ARCHIVE_EXISTS',
    );
    assert.equal(readFileSync(join(dest, NAME), 'utf8'), 'precious old backup');
    assert.deepEqual(listDir(dest), [NAME]);
  });

  it('does not overwrite an archive that appears while it is being written', async () => {
    const { src, dest } = dirs();
    writeTree(src, { 'a.txt': 'new' });
    await assert.rejects(
      createArchive({
        sourceDir: src,
        destinationDir: dest,
        fileName: NAME,
        buildManifest: (entries) => {
          writeFileSync(join(dest, NAME), 'written by someone else meanwhile');
          return manifestFor(entries);
        },
      }),
      (err: unknown) => err instanceof StorageError && err.code === 'ARCHIVE_EXISTS',
    );
    assert.equal(readFileSync(join(dest, NAME), 'utf8'), 'written by someone else meanwhile');
    assert.deepEqual(listDir(dest), [NAME]);
  });

  it('removes partial files of killed runs from the destination, and only those', async () => {
    const { src, dest } = dirs();
    writeTree(src, { 'a.txt': 'a' });
    const dead = `.ServerBackup_Full_20261125_080000.zip.${deadPid()}.partial`;
    writeTree(dest, { [dead]: 'half an archive', 'ServerBackup_Full_20261125_080000.zip.sha256': 'keep', '.other': 'keep' });
    await createArchive({ sourceDir: src, destinationDir: dest, fileName: NAME, buildManifest: manifestFor });
    assert.deepEqual(listDir(dest), ['.other', NAME, `${NAME}.sha256`, 'ServerBackup_Full_20261125_080000.zip.sha256'].sort());
  });

  it('names an unreadable source file in a StorageError', { skip: process.getuid?.() === 0 ? 'root reads every file' : false }, async () => {
    const { src, dest } = dirs();
    writeTree(src, { 'Config/Keys/locked.key': 'k' });
    chmodSync(join(src, 'Config/Keys/locked.key'), 0);
    await assert.rejects(
      createArchive({ sourceDir: src, destinationDir: dest, fileName: NAME, buildManifest: manifestFor }),
      (err: unknown) => err instanceof StorageError && err.code === 'ARCHIVE_SOURCE_UNREADABLE' && err.message.includes('locked.key'),
    );
    assert.deepEqual(listDir(dest), []);
  });

  it('names a source file that is gone (a dangling link) in a StorageError', { skip: process.platform === 'win32' ? 'symlinks need privileges on Windows' : false }, async () => {
    const { src, dest } = dirs();
    writeTree(src, { 'a.txt': 'a' });
    symlinkSync(join(src, 'does-not-exist'), join(src, 'gone.key'));
    await assert.rejects(
      createArchive({ sourceDir: src, destinationDir: dest, fileName: NAME, buildManifest: manifestFor }),
      (err: unknown) => err instanceof StorageError && err.code === 'ARCHIVE_SOURCE_UNREADABLE' && err.message.includes('gone.key'),
    );
  });

  it('lets only one of two simultaneous calls for the same name win, leaving the winner intact', async () => {
    const { src, dest } = dirs();
    writeTree(src, { 'a.bin': randomData(3_000_000) });
    const make = (): Promise<unknown> => createArchive({ sourceDir: src, destinationDir: dest, fileName: NAME, buildManifest: manifestFor });
    const [a, b] = await Promise.allSettled([make(), make()]);
    const won = [a, b].filter((x) => x.status === 'fulfilled');
    const lost = [a, b].filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    assert.ok(lost[0].reason instanceof StorageError && lost[0].reason.code === 'ARCHIVE_EXISTS', String(lost[0].reason));
    assert.deepEqual(listDir(dest), [NAME, `${NAME}.sha256`]);
    assert.ok((await verifyArchive(join(dest, NAME), { requireSidecar: true })).ok);
  });

  it('removes the temporary file when buildManifest fails', async () => {
    const { src, dest } = dirs();
    writeTree(src, { 'a.bin': randomData(2_000_000), 'b.txt': 'b' });
    await assert.rejects(
      createArchive({
        sourceDir: src,
        destinationDir: dest,
        fileName: NAME,
        buildManifest: () => {
          assert.equal(listDir(dest).length, 1, 'the temporary file exists while writing');
          assert.match(listDir(dest)[0], /^\..*\.partial$/);
          throw new Error('manifest exploded');
        },
      }),
      (err: unknown) => err instanceof BackupError && /manifest exploded/.test(err.message),
    );
    assert.deepEqual(listDir(dest), []);
  });

  it('removes the temporary file when aborted mid-write, and reports cancellation', async () => {
    const { src, dest } = dirs();
    writeTree(src, { 'a.bin': randomData(8_000_000), 'b.bin': randomData(8_000_000) });
    const ac = new AbortController();
    await assert.rejects(
      createArchive({
        sourceDir: src,
        destinationDir: dest,
        fileName: NAME,
        buildManifest: manifestFor,
        signal: ac.signal,
        onProgress: (p) => {
          if (p.bytesDone > 1_000_000) ac.abort();
        },
      }),
      (err: unknown) => err instanceof CancelledError,
    );
    assert.deepEqual(listDir(dest), []);
  });

  it('refuses to start when already aborted', async () => {
    const { src, dest } = dirs();
    writeTree(src, { 'a.txt': 'a' });
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      createArchive({ sourceDir: src, destinationDir: dest, fileName: NAME, buildManifest: manifestFor, signal: ac.signal }),
      CancelledError,
    );
    assert.ok(!existsSync(join(dest, NAME)));
  });

  it('fails verification, publishes nothing, when the manifest disagrees with the files', async () => {
    const { src, dest } = dirs();
    writeTree(src, { 'a.txt': 'a', 'b.txt': 'b' });
    await assert.rejects(
      createArchive({
        sourceDir: src,
        destinationDir: dest,
        fileName: NAME,
        buildManifest: (entries) => manifestFor(entries.map((e) => (e.archivePath === 'a.txt' ? { ...e, sha256: sha256('not a') } : e))),
      }),
      (err: unknown) => err instanceof StorageError && err.code === 'ARCHIVE_VERIFY_FAILED' && err.details.some((d) => d.includes('a.txt')),
    );
    assert.deepEqual(listDir(dest), []);
  });

  it('rejects a source file named like the manifest, and bad options', async () => {
    const { src, dest } = dirs();
    writeTree(src, { 'BackupManifest.json': '{}' });
    await assert.rejects(createArchive({ sourceDir: src, destinationDir: dest, fileName: NAME, buildManifest: manifestFor }), ValidationError);
    await assert.rejects(
      createArchive({ sourceDir: src, destinationDir: dest, fileName: '../x.zip', buildManifest: manifestFor }),
      (err: unknown) => err instanceof ValidationError && err.code === 'ARCHIVE_OPTIONS_INVALID',
    );
    await assert.rejects(
      createArchive({ sourceDir: src, destinationDir: dest, fileName: NAME, compressionLevel: 'Max' as never, buildManifest: manifestFor }),
      ValidationError,
    );
  });

  it('fails with a StorageError when the staging folder is missing', async () => {
    const { dest } = dirs();
    await assert.rejects(
      createArchive({ sourceDir: join(work, 'does-not-exist'), destinationDir: dest, fileName: NAME, buildManifest: manifestFor }),
      StorageError,
    );
  });

  it('reports progress up to the total, compressing then verifying', async () => {
    const { src, dest } = dirs();
    writeTree(src, { 'a.bin': randomData(3_000_000), 'b.txt': textLike(1_000_000) });
    const seen: Array<{ phase: string; bytesDone: number; bytesTotal: number; verifyBytesDone?: number; verifyBytesTotal?: number }> = [];
    const r = await createArchive({
      sourceDir: src,
      destinationDir: dest,
      fileName: NAME,
      buildManifest: manifestFor,
      onProgress: (p) => seen.push({ ...p }),
    });
    const compress = seen.filter((p) => p.phase === 'compress');
    const verify = seen.filter((p) => p.phase === 'verify');
    assert.ok(compress.length > 1 && verify.length > 0);
    assert.equal(seen.findIndex((p) => p.phase === 'verify'), compress.length, 'verify follows compress');
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].bytesDone >= seen[i - 1].bytesDone, 'the percentage never goes back');
    assert.equal(compress[compress.length - 1].bytesDone, 4_000_000);
    assert.ok(seen.every((p) => p.bytesTotal === 4_000_000));
    assert.ok(verify.every((p) => p.bytesDone === 4_000_000));
    for (let i = 1; i < verify.length; i++) assert.ok(verify[i].verifyBytesDone! >= verify[i - 1].verifyBytesDone!);
    const last = verify[verify.length - 1];
    assert.equal(last.verifyBytesDone, last.verifyBytesTotal);
    assert.ok(last.verifyBytesTotal! > 0 && last.verifyBytesTotal! <= r.sizeBytes);
  });
});
