import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as yauzl from 'yauzl';
import { CancelledError, StorageError } from '../core/errors';

export interface ExtractedEntry {
  path: string;
  sizeBytes: number;
  sha256: string;
}

/** Hashes what passes through. */
class HashTap extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

/**
 * Extracts every file entry into `destDir`, hashing as it writes, and
 * compares each file with `expected` (the manifest's ArchiveEntries). The
 * archive was verified just before; this second check covers a file that
 * changed in between. An entry that would land outside `destDir` (`..`,
 * absolute) is refused. Throws StorageError (exit 4) on any mismatch.
 */
export async function extractArchive(
  archivePath: string,
  destDir: string,
  expected: Map<string, string>,
  o: { signal?: AbortSignal; skip?: (entryPath: string) => boolean } = {},
): Promise<ExtractedEntry[]> {
  const root = path.resolve(destDir);
  await fs.promises.mkdir(root, { recursive: true });
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(archivePath, { lazyEntries: true, autoClose: true, validateEntrySizes: true }, (err, z) => (err || !z ? reject(err) : resolve(z))),
  ).catch((err: Error) => {
    throw new StorageError(`Cannot open '${archivePath}' as a zip: ${err.message}`, 'ARCHIVE_UNREADABLE', { category: 'ReadError' });
  });
  const out: ExtractedEntry[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          if (o.signal?.aborted) throw new CancelledError('The restore was cancelled while extracting the archive.');
          const name = entry.fileName;
          const target = path.resolve(root, ...name.split('/'));
          if (target !== root && !target.startsWith(root + path.sep)) throw new StorageError(`Archive entry '${name}' points outside the extraction folder; refusing it.`, 'ARCHIVE_UNSAFE_ENTRY');
          if (name.endsWith('/')) {
            await fs.promises.mkdir(target, { recursive: true });
            return;
          }
          if (o.skip?.(name)) return;
          await fs.promises.mkdir(path.dirname(target), { recursive: true });
          const stream = await new Promise<NodeJS.ReadableStream>((res, rej) => zip.openReadStream(entry, (e, s) => (e || !s ? rej(e) : res(s))));
          const tap = new HashTap();
          await pipeline(stream, tap, fs.createWriteStream(target, { flags: 'wx' }));
          const sha256 = tap.hash.digest('hex');
          const want = expected.get(name);
          if (name !== 'BackupManifest.json') {
            if (want === undefined) throw new StorageError(`Archive entry '${name}' is not in the manifest.`, 'ARCHIVE_EXTRA_ENTRY');
            if (want.toLowerCase() !== sha256) throw new StorageError(`Archive entry '${name}' does not match its SHA256 in the manifest (the archive changed after it was verified?).`, 'ARCHIVE_SHA256_MISMATCH');
          }
          out.push({ path: name, sizeBytes: tap.bytes, sha256 });
        })().then(
          () => zip.readEntry(),
          (err: unknown) => {
            zip.close();
            reject(err);
          },
        );
      });
      zip.readEntry();
    });
  } catch (err) {
    if (err instanceof StorageError || err instanceof CancelledError) throw err;
    throw new StorageError(`Cannot extract '${archivePath}': ${(err as Error).message}`, 'ARCHIVE_EXTRACT_FAILED', { cause: err });
  }
  const got = new Set(out.map((e) => e.path));
  const missing = [...expected.keys()].filter((p) => !got.has(p) && !(o.skip?.(p) ?? false));
  if (missing.length > 0) throw new StorageError(`The archive lacks ${missing.length} file(s) its manifest lists: ${missing.slice(0, 5).join(', ')}.`, 'ARCHIVE_MISSING_ENTRY');
  return out;
}
