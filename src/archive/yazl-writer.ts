import { createHash } from 'node:crypto';
import { close, createReadStream, createWriteStream, fsync, open } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import * as yazl from 'yazl';
import { CancelledError } from '../core/errors';
import type { SourceItem } from './source-tree';
import { EMPTY_SHA256 } from './sha256-file';
import type { ArchiveEntryInfo, ArchiveProgress } from './types';

const openAsync = promisify(open);
const fsyncAsync = promisify(fsync);
const closeAsync = promisify(close);

export interface ZipWriteOptions {
  items: SourceItem[];
  /** zlib level; 0 stores everything. */
  level: number;
  manifestEntryName: string;
  buildManifest: (entries: ArchiveEntryInfo[]) => Buffer | Promise<Buffer>;
  onProgress?: (p: ArchiveProgress) => void;
  signal?: AbortSignal;
}

export interface ZipWriteResult {
  entries: ArchiveEntryInfo[];
  manifestSha256: string;
  manifestBytes: number;
  sizeBytes: number;
  sha256: string;
  uncompressedBytes: number;
}

/** Hashes (SHA256 + native CRC-32) what flows through it, so each file is read once. */
class HashingPass extends Transform {
  readonly hash = createHash('sha256');
  crc = 0;
  size = 0;
  constructor(private readonly onBytes: (n: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.crc = zlib.crc32(chunk, this.crc);
    this.size += chunk.length;
    this.onBytes(chunk.length);
    cb(null, chunk);
  }
}

/**
 * Streams the items into a new zip at `path` with yazl (created exclusively,
 * fsynced and closed before returning). Kept as the reference writer: simple,
 * and what the faster writer is checked against.
 */
export async function writeZipWithYazl(path: string, o: ZipWriteOptions): Promise<ZipWriteResult> {
  const fd = await openAsync(path, 'wx');
  let fdOpen = true;
  try {
    const zip = new yazl.ZipFile();
    const outHash = createHash('sha256');
    let outSize = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _e, cb) {
        outHash.update(chunk);
        outSize += chunk.length;
        cb(null, chunk);
      },
    });
    const ws = createWriteStream('', { fd, autoClose: false });
    const written = pipeline(zip.outputStream, tap, ws, { signal: o.signal });
    written.catch(() => undefined); // observed below; this only stops an unhandled rejection
    let failure: Error | null = null;
    const fail = (err: Error): void => {
      if (!failure) failure = err;
      (zip.outputStream as unknown as NodeJS.ReadableStream & { destroy(e: Error): void }).destroy(err);
    };
    zip.on('error', fail);
    const onAbort = (): void => fail(new CancelledError('Archive creation was cancelled.'));
    o.signal?.addEventListener('abort', onAbort, { once: true });

    const bytesTotal = o.items.reduce((n, i) => n + i.sizeBytes, 0);
    let bytesDone = 0;
    const entries: ArchiveEntryInfo[] = [];
    const done: Promise<void>[] = [];
    const compress = o.level > 0;
    for (const item of o.items) {
      if (item.isDirectory) {
        zip.addEmptyDirectory(item.archivePath, { mtime: item.mtime });
        entries.push({ ...baseInfo(item), sha256: EMPTY_SHA256, crc32: 0, method: 'stored' });
        continue;
      }
      const info: ArchiveEntryInfo = { ...baseInfo(item), sha256: '', crc32: 0, method: compress ? 'deflated' : 'stored' };
      entries.push(info);
      done.push(
        new Promise<void>((resolve, reject) => {
          zip.addReadStreamLazy(
            item.archivePath,
            { mtime: item.mtime, mode: 0o100644, compress, ...(compress ? { compressionLevel: o.level } : {}), size: item.sizeBytes },
            (cb) => {
              const pass = new HashingPass((n) => {
                bytesDone += n;
                o.onProgress?.({ bytesDone, bytesTotal, currentEntry: item.archivePath });
              });
              pipeline(createReadStream(item.sourcePath), pass).catch((err: Error) => {
                fail(err);
                reject(err);
              });
              pass.on('end', () => {
                info.sha256 = pass.hash.digest('hex');
                info.crc32 = pass.crc >>> 0;
                info.sizeBytes = pass.size;
                resolve();
              });
              cb(null, pass);
            },
          );
        }),
      );
    }
    const allRead = Promise.all(done);
    await Promise.race([allRead, written]);
    await allRead;
    if (failure) throw failure;
    const manifest = await o.buildManifest(entries);
    if (failure) throw failure;
    zip.addBuffer(manifest, o.manifestEntryName, { mtime: new Date(), compress });
    zip.end();
    await written;
    if (failure) throw failure;
    o.signal?.removeEventListener('abort', onAbort);
    await fsyncAsync(fd);
    fdOpen = false;
    await closeAsync(fd);
    return {
      entries,
      manifestSha256: createHash('sha256').update(manifest).digest('hex'),
      manifestBytes: manifest.length,
      sizeBytes: outSize,
      sha256: outHash.digest('hex'),
      uncompressedBytes: bytesTotal + manifest.length,
    };
  } finally {
    if (fdOpen) await closeAsync(fd).catch(() => undefined);
  }
}

function baseInfo(item: SourceItem): Pick<ArchiveEntryInfo, 'archivePath' | 'sourcePath' | 'sizeBytes' | 'mtime' | 'isDirectory'> {
  return { archivePath: item.archivePath, sourcePath: item.sourcePath, sizeBytes: item.sizeBytes, mtime: item.mtime, isDirectory: item.isDirectory };
}
