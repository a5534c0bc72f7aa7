import { createHash } from 'node:crypto';
import { close, open, read, readSync } from 'node:fs';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { collectIfHeavy } from './memory-guard';

/**
 * Checks entry data against the central directory: the local header agrees,
 * the data inflates to the stated size, and its CRC-32 matches; the SHA256 is
 * computed in the same pass. Runs in a worker thread, or inline.
 */

const openAsync = promisify(open);
const closeAsync = promisify(close);
const readAsync = promisify(read);

export interface CentralEntry {
  index: number;
  /** Raw name bytes from the central directory. */
  name: Uint8Array;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  dosTime: number;
  dosDate: number;
  /** Return the content (the manifest). */
  keep: boolean;
}

export interface EntryCheckJob {
  kind: 'check';
  archivePath: string;
  entries: CentralEntry[];
}

export interface EntryCheckResult {
  index: number;
  crcOk: boolean;
  sha256: string | null;
  size: number;
  /** Where the entry's data (and descriptor, if any) ends: used to check that entries tile the file. */
  dataEnd: number;
  problems: string[];
  data: Uint8Array | null;
}

export interface EntryCheckJobResult {
  kind: 'check';
  results: EntryCheckResult[];
  bytes: number;
}

const SMALL = 4 << 20;
const CHUNK = 1 << 20;
const HEADER_SLACK = 256;

/**
 * Small reads (headers, small entries, descriptors) are served from a 4 MiB
 * window read synchronously: entries sit one after another, so a batch of
 * thousands of small entries costs a handful of reads instead of two each.
 */
class SpanReader {
  private span: Buffer = Buffer.alloc(0);
  private spanStart = 0;
  constructor(readonly fd: number) {}

  read(length: number, position: number): Buffer {
    const off = position - this.spanStart;
    if (off >= 0 && off + length <= this.span.length) return this.span.subarray(off, off + length);
    const want = Math.max(length, SPAN);
    const buf = Buffer.allocUnsafeSlow(want);
    let n = 0;
    while (n < want) {
      const r = readSync(this.fd, buf, n, want - n, position + n);
      if (r === 0) break;
      n += r;
    }
    this.span = buf.subarray(0, n);
    this.spanStart = position;
    return this.span.subarray(0, Math.min(length, n));
  }
}

const SPAN = 4 << 20;
/** A long entry is one job; within it, dead chunk buffers are collected every this many bytes. */
const GC_EVERY = 8 << 20;

async function readAt(fd: number, length: number, position: number, into?: Buffer): Promise<Buffer> {
  const buf = into && into.length >= length ? into : Buffer.allocUnsafeSlow(length);
  let n = 0;
  while (n < length) {
    const { bytesRead } = await readAsync(fd, buf, n, length - n, position + n);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  return n === buf.length ? buf : buf.subarray(0, n);
}

function checkLocalHeader(e: CentralEntry, h: Buffer): { problem: string | null; dataStart: number; headerLen: number } {
  if (h.length < 30 || h.readUInt32LE(0) !== 0x04034b50) return { problem: 'no local header signature', dataStart: 0, headerLen: 0 };
  const nameLen = h.readUInt16LE(26);
  const extraLen = h.readUInt16LE(28);
  const headerLen = 30 + nameLen + extraLen;
  const dataStart = e.localHeaderOffset + headerLen;
  if (h.length < headerLen) return { problem: 'local header truncated', dataStart, headerLen };
  const flags = h.readUInt16LE(6);
  if ((flags & ~0x8) !== (e.flags & ~0x8)) return { problem: 'local header flags differ', dataStart, headerLen };
  if (h.readUInt16LE(8) !== e.method) return { problem: 'local header compression method differs', dataStart, headerLen };
  if (h.readUInt16LE(10) !== e.dosTime || h.readUInt16LE(12) !== e.dosDate) return { problem: 'local header timestamp differs', dataStart, headerLen };
  if (!Buffer.from(e.name).equals(h.subarray(30, 30 + nameLen))) return { problem: 'local header name differs', dataStart, headerLen };
  if ((flags & 0x8) === 0) {
    if (h.readUInt32LE(14) !== e.crc32 >>> 0) return { problem: 'local header CRC-32 differs', dataStart, headerLen };
    let csize = h.readUInt32LE(18);
    let usize = h.readUInt32LE(22);
    if (csize === 0xffffffff || usize === 0xffffffff) {
      const z = findZip64(h.subarray(30 + nameLen, headerLen));
      if (!z) return { problem: 'local header lacks its ZIP64 field', dataStart, headerLen };
      let i = 0;
      if (usize === 0xffffffff) usize = z[i++] ?? -1;
      if (csize === 0xffffffff) csize = z[i++] ?? -1;
    }
    if (csize !== e.compressedSize || usize !== e.uncompressedSize) return { problem: 'local header sizes differ', dataStart, headerLen };
  }
  return { problem: null, dataStart, headerLen };
}

function findZip64(extra: Buffer): number[] | null {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      const out: number[] = [];
      for (let i = 0; i + 8 <= len && p + 4 + i + 8 <= extra.length; i += 8) out.push(Number(extra.readBigUInt64LE(p + 4 + i)));
      return out;
    }
    p += 4 + len;
  }
  return null;
}

/** Checks the data descriptor that follows the data when flag bit 3 is set; returns its length. */
function checkDescriptor(span: SpanReader, e: CentralEntry, at: number, problems: string[]): number {
  const d = span.read(24, at);
  let p = 0;
  if (d.length >= 4 && d.readUInt32LE(0) === 0x08074b50) p = 4;
  const zip64 = e.compressedSize >= 0xffffffff || e.uncompressedSize >= 0xffffffff;
  const need = p + (zip64 ? 20 : 12);
  if (d.length < need) {
    problems.push('data descriptor truncated');
    return need;
  }
  const crc = d.readUInt32LE(p);
  const csize = zip64 ? Number(d.readBigUInt64LE(p + 4)) : d.readUInt32LE(p + 4);
  const usize = zip64 ? Number(d.readBigUInt64LE(p + 12)) : d.readUInt32LE(p + 8);
  if (crc !== e.crc32 >>> 0 || csize !== e.compressedSize || usize !== e.uncompressedSize) problems.push('data descriptor differs from the central directory');
  return need;
}

async function checkOne(span: SpanReader, e: CentralEntry, onBytes: (n: number) => void): Promise<EntryCheckResult> {
  const fd = span.fd;
  const problems: string[] = [];
  const res: EntryCheckResult = { index: e.index, crcOk: false, sha256: null, size: 0, dataEnd: 0, problems, data: null };
  const small = e.compressedSize <= SMALL && e.uncompressedSize <= SMALL;
  const guess = 30 + e.name.length + HEADER_SLACK;
  let head = span.read(small ? guess + e.compressedSize : guess, e.localHeaderOffset);
  let lh = checkLocalHeader(e, head);
  if (lh.headerLen > head.length && head.length === (small ? guess + e.compressedSize : guess)) {
    head = span.read(lh.headerLen + (small ? e.compressedSize : 0), e.localHeaderOffset);
    lh = checkLocalHeader(e, head);
  }
  if (lh.problem) {
    problems.push(lh.problem);
    return res;
  }
  if (e.method !== 0 && e.method !== 8) {
    problems.push(`unsupported compression method ${e.method}`);
    return res;
  }
  const hash = createHash('sha256');
  let crc = 0;
  let size = 0;
  const parts: Buffer[] = [];
  let sinceCollect = 0;
  const take = (chunk: Buffer): void => {
    hash.update(chunk);
    crc = zlib.crc32(chunk, crc);
    size += chunk.length;
    sinceCollect += chunk.length;
    if (sinceCollect >= GC_EVERY) {
      sinceCollect = 0;
      collectIfHeavy();
    }
    if (e.keep) parts.push(Buffer.from(chunk));
  };
  try {
    if (small) {
      const raw = head.subarray(lh.headerLen, lh.headerLen + e.compressedSize);
      if (raw.length < e.compressedSize) throw new Error('entry data truncated');
      if (e.method === 0) take(raw);
      else {
        const out = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, e.uncompressedSize) });
        take(out);
      }
      onBytes(e.compressedSize);
    } else if (e.method === 0) {
      const reuse = Buffer.allocUnsafeSlow(CHUNK);
      for (let done = 0; done < e.compressedSize; ) {
        const n = Math.min(CHUNK, e.compressedSize - done);
        const chunk = (await readAt(fd, n, lh.dataStart + done, reuse)).subarray(0, n);
        if (chunk.length < n) throw new Error('entry data truncated');
        take(chunk);
        done += n;
        onBytes(n);
      }
    } else {
      await inflateRange(fd, lh.dataStart, e.compressedSize, e.uncompressedSize, take, onBytes);
    }
  } catch (err) {
    problems.push(`cannot be read: ${(err as Error).message}`);
    return res;
  }
  res.size = size;
  res.sha256 = hash.digest('hex');
  if (size !== e.uncompressedSize) problems.push(`inflates to ${size} bytes, not ${e.uncompressedSize}`);
  res.crcOk = (crc >>> 0) === e.crc32 >>> 0 && size === e.uncompressedSize;
  res.dataEnd = lh.dataStart + e.compressedSize;
  if (e.flags & 0x8) res.dataEnd += checkDescriptor(span, e, res.dataEnd, problems);
  if (e.keep) res.data = Buffer.concat(parts);
  return res;
}

/** Streams a large deflated entry through zlib, reading 1 MiB at a time from its known offset. */
function inflateRange(
  fd: number,
  start: number,
  length: number,
  expected: number,
  take: (b: Buffer) => void,
  onBytes: (n: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const inf = zlib.createInflateRaw({ chunkSize: 256 * 1024 });
    let failed = false;
    let produced = 0;
    let ended = false;
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      inf.destroy();
      reject(err);
    };
    inf.on('data', (c: Buffer) => {
      produced += c.length;
      if (produced > expected) return fail(new Error(`inflates to more than ${expected} bytes`));
      take(c);
    });
    inf.on('error', fail);
    inf.on('end', () => {
      ended = true;
      if (!failed) resolve();
    });
    let done = 0;
    const pump = async (): Promise<void> => {
      while (done < length && !failed) {
        const n = Math.min(CHUNK, length - done);
        const chunk = await readAt(fd, n, start + done);
        if (chunk.length < n) throw new Error('entry data truncated');
        done += n;
        onBytes(n);
        if (!inf.write(chunk)) await new Promise<void>((r) => inf.once('drain', r));
      }
      if (!failed) inf.end();
    };
    pump().catch(fail);
    void ended;
  });
}

export async function checkEntries(job: EntryCheckJob, onBytes: (n: number) => void = () => undefined): Promise<EntryCheckJobResult> {
  const fd = await openAsync(job.archivePath, 'r');
  let bytes = 0;
  try {
    const results: EntryCheckResult[] = [];
    const span = new SpanReader(fd);
    for (const e of job.entries) {
      results.push(
        await checkOne(span, e, (n) => {
          bytes += n;
          onBytes(n);
        }),
      );
    }
    return { kind: 'check', results, bytes };
  } finally {
    await closeAsync(fd);
  }
}
