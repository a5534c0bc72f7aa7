import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { extname } from 'node:path';
import * as zlib from 'node:zlib';

/**
 * The CPU-heavy parts of writing, as pure jobs that run in a worker thread
 * (or inline for small archives): deflating one block of a large file, and
 * reading + hashing + deflating a batch of small files.
 */

/** Below this sampled ratio (compressed/original at level 1) a block is worth deflating. */
const WORTH_DEFLATING = 0.94;
const SAMPLE = 8 * 1024;

/** Extensions whose content is already compressed: stored without even sampling. */
const COMPRESSED_EXTENSIONS = new Set([
  '.gz', '.tgz', '.zip', '.yxzp', '.yxz', '.7z', '.rar', '.bz2', '.xz', '.zst', '.lz4', '.lzma', '.cab',
  '.jpg', '.jpeg', '.png', '.gif', '.webp', '.mp3', '.mp4', '.m4a', '.mkv', '.avi', '.mov',
  '.docx', '.xlsx', '.pptx', '.jar', '.nupkg', '.whl', '.apk',
]);

export function hasCompressedExtension(name: string): boolean {
  return COMPRESSED_EXTENSIONS.has(extname(name).toLowerCase());
}

/**
 * Deflates a few slices at level 1 and says whether the data looks
 * compressible. Costs a few percent of a level-6 pass, and saves the whole
 * pass on data that will not shrink (zip packages inside BSON, gzip files).
 */
export function looksCompressible(data: Buffer): boolean {
  if (data.length < 4 * SAMPLE) {
    if (data.length < 256) return true;
    return zlib.deflateRawSync(data, { level: 1 }).length < data.length * WORTH_DEFLATING;
  }
  let inBytes = 0;
  let outBytes = 0;
  const step = Math.floor((data.length - SAMPLE) / 3);
  for (let i = 0; i < 4; i++) {
    const slice = data.subarray(i * step, i * step + SAMPLE);
    inBytes += slice.length;
    outBytes += zlib.deflateRawSync(slice, { level: 1 }).length;
  }
  return outBytes < inBytes * WORTH_DEFLATING;
}

export interface BlockJob {
  kind: 'block';
  data: Buffer;
  /** The 32 KiB before this block, so matches can reach back across the boundary (pigz-style). */
  dictionary: Buffer | null;
  level: number;
  /** Last block of the entry: ends the deflate stream; otherwise a sync flush ends on a byte boundary. */
  final: boolean;
}

export interface BlockResult {
  kind: 'block';
  data: Buffer;
  stored: boolean;
}

export function deflateBlock(job: BlockJob): BlockResult {
  const worth = job.level > 0 && looksCompressible(job.data);
  const level = worth ? job.level : 0;
  const opts: zlib.ZlibOptions = {
    level,
    finishFlush: job.final ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
    memLevel: 9,
  };
  if (level > 0 && job.dictionary && job.dictionary.length) opts.dictionary = job.dictionary;
  return { kind: 'block', data: zlib.deflateRawSync(job.data, opts), stored: !worth };
}

/**
 * zlib sizes its window and hash table for 32 KiB of history whatever the
 * input; setting them up costs more than compressing a 200-byte file. A
 * window no larger than the input finds the same matches, and any inflater
 * reads the result.
 */
function smallInputOptions(level: number, size: number): zlib.ZlibOptions {
  let windowBits = 9;
  while (windowBits < 15 && 1 << windowBits < size) windowBits++;
  return { level, windowBits, memLevel: Math.max(1, Math.min(9, windowBits - 6)) };
}

export interface SmallFile {
  path: string;
  name: string;
  expectedSize: number;
}

export interface SmallFilesJob {
  kind: 'small';
  files: SmallFile[];
  level: number;
}

export interface SmallFileResult {
  size: number;
  crc32: number;
  sha256: string;
  method: 0 | 8;
  data: Buffer;
}

export interface SmallFilesResult {
  kind: 'small';
  files: SmallFileResult[];
}

function readWhole(path: string, expectedSize: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    // One byte more than expected, so a file that grew is noticed rather than cut short.
    let buf = Buffer.allocUnsafeSlow(expectedSize + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n === buf.length) {
        if (n > expectedSize * 2 + (1 << 20)) {
          throw Object.assign(new Error(`${path} changed size while it was being archived`), { code: 'ARCHIVE_SOURCE_CHANGED' });
        }
        const bigger = Buffer.allocUnsafeSlow(Math.max(fstatSync(fd).size + 1, n * 2));
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Reads, hashes (SHA256 + CRC-32, one pass) and compresses small whole files. */
export function packSmallFiles(job: SmallFilesJob): SmallFilesResult {
  const files = job.files.map((f): SmallFileResult => {
    const raw = readWhole(f.path, f.expectedSize);
    const sha256 = createHash('sha256').update(raw).digest('hex');
    const crc32 = zlib.crc32(raw) >>> 0;
    if (job.level > 0 && raw.length > 0 && !hasCompressedExtension(f.name) && looksCompressible(raw)) {
      const d = zlib.deflateRawSync(raw, smallInputOptions(job.level, raw.length));
      if (d.length < raw.length) return { size: raw.length, crc32, sha256, method: 8, data: d };
    }
    return { size: raw.length, crc32, sha256, method: 0, data: raw };
  });
  return { kind: 'small', files };
}
