import { createHash } from 'node:crypto';
import { close, fsync, open, read, write } from 'node:fs';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { CancelledError } from '../core/errors';
import { hasCompressedExtension, looksCompressible, type BlockResult, type SmallFilesResult } from './compress-jobs';
import type { SourceItem } from './source-tree';
import { EMPTY_SHA256 } from './sha256-file';
import type { ArchiveEntryInfo, ArchiveProgress } from './types';
import type { JobRunner } from './worker-pool';
import { collectIfHeavy } from './memory-guard';
import {
  centralHeader,
  encodeName,
  endOfCentralDirectory,
  localHeader,
  localHeaderLength,
  METHOD_DEFLATED,
  METHOD_STORED,
  needsLocalZip64,
  type ZipEntryRecord,
} from './zip-format';

const openAsync = promisify(open);
const closeAsync = promisify(close);
const fsyncAsync = promisify(fsync);
const readAsync = promisify(read);
function writeAsync(fd: number, buf: Buffer, off: number, len: number, pos: number): Promise<number> {
  return new Promise((resolve, reject) => write(fd, buf, off, len, pos, (err, n) => (err ? reject(err) : resolve(n))));
}

/** Large files are cut into blocks this size, deflated in parallel and concatenated. */
const BLOCK = 1 << 20;
/** Files up to this size are read, hashed and compressed whole by a worker, in batches. */
const SMALL_FILE = 1 << 20;
const BATCH_FILES = 64;
const BATCH_BYTES = 4 << 20;
/** Source bytes read but not yet written: bounds memory whatever the data size. */
const MAX_IN_FLIGHT = 8 << 20;
const DICTIONARY = 32 * 1024;
/** What a queued small file weighs beyond its bytes (paths, headers, promises), so many tiny files cannot flood the queue. */
const PER_FILE_WEIGHT = 8 * 1024;

export interface ZipWriteOptions {
  items: SourceItem[];
  /** zlib level; 0 stores everything. */
  level: number;
  manifestEntryName: string;
  buildManifest: (entries: ArchiveEntryInfo[]) => Buffer | Promise<Buffer>;
  runner: JobRunner;
  onProgress?: (p: ArchiveProgress) => void;
  signal?: AbortSignal;
}

export interface ZipWriteResult {
  entries: ArchiveEntryInfo[];
  manifestSha256: string;
  manifestBytes: number;
  sizeBytes: number;
  uncompressedBytes: number;
}

type WriteItem =
  | { t: 'begin'; rec: ZipEntryRecord; headerLen: number }
  | { t: 'data'; data: Promise<Buffer> | Buffer; inputBytes: number }
  | { t: 'end'; rec: ZipEntryRecord; info: ArchiveEntryInfo }
  | { t: 'whole'; rec: ZipEntryRecord; data: Buffer }
  | { t: 'small'; batch: Promise<SmallFilesResult>; items: SourceItem[]; infos: ArchiveEntryInfo[]; inputBytes: number };

function noop(): void {}

/**
 * Writes a ZIP64-capable zip of `items` to `path` (created exclusively,
 * fsynced, closed). One reader feeds a bounded queue: small files go to
 * workers in batches; large files are read here in 1 MiB blocks, hashed
 * (SHA256 + CRC-32) once, and each block is deflated by a worker with the
 * previous 32 KiB as its dictionary and a sync flush, so the blocks join into
 * one deflate stream. Blocks and files that sample as incompressible are
 * stored. One writer takes the queue in order, fills in each local header
 * once its entry is complete, and ends with the central directory.
 */
export async function writeZip(path: string, o: ZipWriteOptions): Promise<ZipWriteResult> {
  const fd = await openAsync(path, 'wx');
  let fdOpen = true;
  let failure: Error | null = null;
  const fail = (err: unknown): void => {
    failure ??= err instanceof Error ? err : new Error(String(err));
    wake();
  };
  const onAbort = (): void => fail(new CancelledError('Archive creation was cancelled.'));
  if (o.signal?.aborted) onAbort();
  o.signal?.addEventListener('abort', onAbort, { once: true });

  // The queue between reader and writer.
  const queue: WriteItem[] = [];
  let inFlight = 0;
  let producerDone = false;
  let waiters: Array<() => void> = [];
  function wake(): void {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  }
  const waitForChange = (): Promise<void> => new Promise((r) => waiters.push(r));
  const push = async (item: WriteItem, inputBytes: number): Promise<void> => {
    while (inFlight > MAX_IN_FLIGHT && !failure) await waitForChange();
    if (failure) throw failure;
    inFlight += inputBytes;
    queue.push(item);
    wake();
  };

  const records: ZipEntryRecord[] = [];
  const entries: ArchiveEntryInfo[] = [];
  const bytesTotal = o.items.reduce((n, i) => n + i.sizeBytes, 0);
  let bytesDone = 0;
  const progress = (n: number, current: string): void => {
    bytesDone += n;
    o.onProgress?.({ bytesDone: Math.min(bytesDone, bytesTotal), bytesTotal, currentEntry: current, phase: 'compress' });
  };
  let pos = 0;

  const writer = (async (): Promise<void> => {
    let entryStart = 0;
    let entryDataBytes = 0;
    let blocksWritten = 0;
    for (;;) {
      while (queue.length === 0 && !producerDone && !failure) await waitForChange();
      if (failure) throw failure;
      const item = queue.shift();
      if (!item) break;
      switch (item.t) {
        case 'begin':
          item.rec.localHeaderOffset = pos;
          entryStart = pos;
          entryDataBytes = 0;
          pos += item.headerLen; // filled in at 'end', once CRC and sizes are known
          break;
        case 'data': {
          const buf = await item.data;
          await writeAll(fd, buf, pos);
          pos += buf.length;
          entryDataBytes += buf.length;
          inFlight -= item.inputBytes;
          if (++blocksWritten % 8 === 0) collectIfHeavy(MAX_IN_FLIGHT * 3);
          break;
        }
        case 'end': {
          item.rec.compressedSize = entryDataBytes;
          item.info.method = item.rec.method === METHOD_DEFLATED ? 'deflated' : 'stored';
          await writeAll(fd, localHeader(item.rec), entryStart);
          records.push(item.rec);
          break;
        }
        case 'whole': {
          item.rec.localHeaderOffset = pos;
          const h = localHeader(item.rec);
          const buf = Buffer.concat([h, item.data]);
          await writeAll(fd, buf, pos);
          pos += buf.length;
          records.push(item.rec);
          break;
        }
        case 'small': {
          const r = await item.batch;
          const parts: Buffer[] = [];
          let at = pos;
          r.files.forEach((f, i) => {
            const src = item.items[i];
            const data = Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength);
            const rec: ZipEntryRecord = {
              name: encodeName(src.archivePath).bytes,
              isDirectory: false,
              method: f.method,
              crc32: f.crc32,
              compressedSize: data.length,
              uncompressedSize: f.size,
              localHeaderOffset: at,
              mtime: src.mtime,
              localZip64: false,
            };
            const h = localHeader(rec);
            parts.push(h, data);
            at += h.length + data.length;
            records.push(rec);
          });
          const buf = Buffer.concat(parts);
          await writeAll(fd, buf, pos);
          pos += buf.length;
          inFlight -= item.inputBytes;
          break;
        }
      }
      wake();
    }
  })();
  writer.catch(fail);

  try {
    const batches: Promise<unknown>[] = [];
    let batch: SourceItem[] = [];
    let batchInfos: ArchiveEntryInfo[] = [];
    let batchBytes = 0;
    const flushBatch = async (): Promise<void> => {
      if (!batch.length) return;
      const items = batch;
      const infos = batchInfos;
      const bytes = batchBytes;
      const weight = bytes + items.length * PER_FILE_WEIGHT;
      batch = [];
      batchInfos = [];
      batchBytes = 0;
      const p = o.runner.run<SmallFilesResult>({
        kind: 'small',
        level: o.level,
        files: items.map((i) => ({ path: i.sourcePath, name: i.archivePath, expectedSize: i.sizeBytes })),
      });
      const filled = p.then((r) => {
        r.files.forEach((f, i) => {
          infos[i].sha256 = f.sha256;
          infos[i].crc32 = f.crc32;
          infos[i].sizeBytes = f.size;
          infos[i].method = f.method === METHOD_DEFLATED ? 'deflated' : 'stored';
        });
        progress(bytes, items[items.length - 1].archivePath);
      });
      filled.catch(fail);
      batches.push(filled);
      await push({ t: 'small', batch: p, items, infos, inputBytes: weight }, weight);
    };

    for (const item of o.items) {
      if (failure) throw failure;
      const info: ArchiveEntryInfo = {
        archivePath: item.archivePath,
        sourcePath: item.sourcePath,
        sizeBytes: item.sizeBytes,
        sha256: EMPTY_SHA256,
        crc32: 0,
        mtime: item.mtime,
        isDirectory: item.isDirectory,
        method: 'stored',
      };
      entries.push(info);
      if (item.isDirectory) {
        await flushBatch();
        const rec = newRecord(item.archivePath, item.mtime, true, METHOD_STORED, false);
        await push({ t: 'whole', rec, data: Buffer.alloc(0) }, 0);
      } else if (item.sizeBytes <= SMALL_FILE) {
        batch.push(item);
        batchInfos.push(info);
        batchBytes += item.sizeBytes;
        if (batch.length >= BATCH_FILES || batchBytes >= BATCH_BYTES) await flushBatch();
      } else {
        await flushBatch();
        await addLargeFile(item, info);
      }
    }
    await flushBatch();
    await Promise.all(batches);
    if (failure) throw failure;

    const manifest = await o.buildManifest(entries);
    if (failure) throw failure;
    const manifestRec = newRecord(o.manifestEntryName, new Date(), false, METHOD_STORED, false);
    manifestRec.crc32 = zlib.crc32(manifest) >>> 0;
    manifestRec.uncompressedSize = manifest.length;
    let manifestData = manifest;
    if (o.level > 0) {
      const d = zlib.deflateRawSync(manifest, { level: o.level });
      if (d.length < manifest.length) {
        manifestData = d;
        manifestRec.method = METHOD_DEFLATED;
      }
    }
    manifestRec.compressedSize = manifestData.length;
    await push({ t: 'whole', rec: manifestRec, data: manifestData }, 0);
    producerDone = true;
    wake();
    await writer;
    if (failure) throw failure;

    // Central directory, in ~1 MiB writes.
    const cdOffset = pos;
    let chunk: Buffer[] = [];
    let chunkLen = 0;
    for (const rec of records) {
      const h = centralHeader(rec);
      chunk.push(h);
      chunkLen += h.length;
      if (chunkLen >= BLOCK) {
        const b = Buffer.concat(chunk);
        await writeAll(fd, b, pos);
        pos += b.length;
        chunk = [];
        chunkLen = 0;
      }
    }
    const tail = Buffer.concat([...chunk, endOfCentralDirectory(records.length, cdOffset, pos + chunkLen - cdOffset)]);
    await writeAll(fd, tail, pos);
    pos += tail.length;
    if (failure) throw failure;
    await fsyncAsync(fd);
    fdOpen = false;
    await closeAsync(fd);
    return {
      entries,
      manifestSha256: createHash('sha256').update(manifest).digest('hex'),
      manifestBytes: manifest.length,
      sizeBytes: pos,
      uncompressedBytes: entries.reduce((n, e) => n + e.sizeBytes, 0) + manifest.length,
    };
  } catch (err) {
    fail(err);
    await writer.catch(noop);
    throw failure ?? err;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    if (fdOpen) await closeAsync(fd).catch(noop);
  }

  async function addLargeFile(item: SourceItem, info: ArchiveEntryInfo): Promise<void> {
    const src = await openAsync(item.sourcePath, 'r');
    try {
      const first = await readBlock(src);
      let method = METHOD_STORED;
      if (o.level > 0 && !hasCompressedExtension(item.archivePath)) {
        method = looksCompressible(first) || (await laterPartsCompressible(src, item.sizeBytes)) ? METHOD_DEFLATED : METHOD_STORED;
      }
      const rec = newRecord(item.archivePath, item.mtime, false, method, needsLocalZip64(item.sizeBytes));
      await push({ t: 'begin', rec, headerLen: localHeaderLength(rec.name.length, rec.localZip64) }, 0);
      const hash = createHash('sha256');
      let crc = 0;
      let size = 0;
      let cur = first;
      let dictionary: Buffer | null = null;
      let blocks = 0;
      while (cur.length > 0) {
        if (failure) throw failure;
        const next = await readBlock(src);
        const len = cur.length;
        hash.update(cur);
        crc = zlib.crc32(cur, crc);
        size += cur.length;
        if (method === METHOD_STORED) {
          await push({ t: 'data', data: cur, inputBytes: cur.length }, cur.length);
        } else {
          const nextDictionary = Buffer.from(cur.subarray(Math.max(0, cur.length - DICTIONARY)));
          // The block is handed over, not copied; nothing here reads it afterwards.
          const transfer = o.runner.size > 0 && cur.byteOffset === 0 && cur.buffer.byteLength === BLOCK ? [cur.buffer as ArrayBuffer] : [];
          const job = o.runner.run<BlockResult>({ kind: 'block', data: cur, dictionary, level: o.level, final: next.length === 0 }, undefined, transfer);
          const data = job.then((r) => Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength));
          data.catch(fail);
          await push({ t: 'data', data, inputBytes: len }, len);
          dictionary = nextDictionary;
        }
        blocks++;
        progress(len, item.archivePath);
        cur = next;
      }
      if (method === METHOD_DEFLATED && blocks === 0) {
        await push({ t: 'data', data: zlib.deflateRawSync(Buffer.alloc(0)), inputBytes: 0 }, 0);
      }
      if (rec.localZip64 === false && size >= 0xffffffff) {
        throw Object.assign(new Error(`${item.sourcePath} grew past 4 GiB while it was being archived`), { code: 'ARCHIVE_SOURCE_CHANGED' });
      }
      rec.crc32 = crc >>> 0;
      rec.uncompressedSize = size;
      info.sizeBytes = size;
      info.crc32 = crc >>> 0;
      info.sha256 = hash.digest('hex');
      await push({ t: 'end', rec, info }, 0);
    } finally {
      await closeAsync(src);
    }
  }
}

function newRecord(name: string, mtime: Date, isDirectory: boolean, method: number, localZip64: boolean): ZipEntryRecord {
  return {
    name: encodeName(name).bytes,
    isDirectory,
    method,
    crc32: 0,
    compressedSize: 0,
    uncompressedSize: 0,
    localHeaderOffset: 0,
    mtime,
    localZip64,
  };
}

async function readBlock(fd: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafeSlow(BLOCK);
  let n = 0;
  while (n < BLOCK) {
    const { bytesRead } = await readAsync(fd, buf, n, BLOCK - n, null);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  return n === BLOCK ? buf : buf.subarray(0, n);
}

/** Samples the middle and the end of a large file whose first block looked incompressible. */
async function laterPartsCompressible(fd: number, size: number): Promise<boolean> {
  for (const at of [Math.floor(size / 2), Math.max(0, size - 64 * 1024)]) {
    if (at < BLOCK) continue;
    const buf = Buffer.allocUnsafe(64 * 1024);
    const { bytesRead } = await readAsync(fd, buf, 0, buf.length, at);
    if (bytesRead > 0 && looksCompressible(buf.subarray(0, bytesRead))) return true;
  }
  return false;
}

async function writeAll(fd: number, buf: Buffer, position: number): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const n = await writeAsync(fd, buf, off, buf.length - off, position + off);
    off += n;
  }
}
