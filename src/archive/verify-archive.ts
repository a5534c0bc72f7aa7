import type { Readable } from 'node:stream';
import { parseSidecarLine } from '../core/sidecar';
import { close as fsClose, createReadStream, open as fsOpen, read as fsRead, readSync } from 'node:fs';
import { open as openFile, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as yauzl from 'yauzl';
import { CancelledError } from '../core/errors';
import { expectedEntriesFromManifest, normalizeArchivePath } from './manifest-entries';
import { sha256File } from './sha256-file';
import type { ArchiveVerification, VerifyArchiveOptions } from './types';
import type { CentralEntry, EntryCheckJobResult, EntryCheckResult } from './entry-check';
import { createRunner, defaultParallelism, type JobRunner } from './worker-pool';

/** Entries are checked in tasks of about this many compressed bytes, or this many entries. */
const TASK_BYTES = 8 << 20;
const TASK_ENTRIES = 2000;
/** Smaller archives are checked on this thread: starting workers would cost more than it saves. */
const INLINE_BELOW = 16 << 20;

/** What the verifier learned about one entry's content. */
export interface CheckedEntry {
  path: string;
  isDirectory: boolean;
  sizeBytes: number;
  sha256: string | null;
  crcOk: boolean;
}

export interface SidecarCheck {
  found: boolean;
  hash: string | null;
  problem: string | null;
}

export async function readSidecar(archivePath: string): Promise<SidecarCheck> {
  let text: string;
  try {
    text = await readFile(`${archivePath}.sha256`, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { found: false, hash: null, problem: null };
    return { found: false, hash: null, problem: `sidecar unreadable: ${(err as Error).message}` };
  }
  const parsed = parseSidecarLine(text);
  if (!parsed) return { found: true, hash: null, problem: 'sidecar is not in sha256sum format' };
  if (parsed.name !== basename(archivePath)) {
    return { found: true, hash: parsed.sha256, problem: `sidecar names '${parsed.name}', not '${basename(archivePath)}'` };
  }
  return { found: true, hash: parsed.sha256, problem: null };
}

/**
 * Checks an archive in layers: it opens; every local header agrees with the
 * central directory; every entry inflates with the right CRC; every file's
 * SHA256 matches the manifest inside; nothing is missing or extra; the size
 * is at least the minimum; the archive's own SHA256 matches the sidecar.
 * Problems are reported, never thrown (except cancellation).
 */
export async function verifyArchive(archivePath: string, o: VerifyArchiveOptions = {}): Promise<ArchiveVerification> {
  return (await verifyArchiveDetailed(archivePath, o)).verification;
}

/** verifyArchive, plus what was found for each entry (createArchive cross-checks it against what it wrote). */
export async function verifyArchiveDetailed(
  archivePath: string,
  o: VerifyArchiveOptions & { runner?: JobRunner } = {},
): Promise<{ verification: ArchiveVerification; checked: CheckedEntry[] }> {
  const started = process.hrtime.bigint();
  const manifestName = o.manifestEntryName ?? 'BackupManifest.json';
  const v: ArchiveVerification = {
    archivePath,
    opened: false,
    sizeBytes: 0,
    entryCount: 0,
    sha256: null,
    sidecarFound: false,
    sidecarMatches: null,
    crcFailures: [],
    sha256Mismatches: [],
    missingFromArchive: [],
    extraInArchive: [],
    manifest: null,
    manifestIncluded: false,
    meetsMinimumSize: null,
    errors: [],
    ok: false,
    durationSeconds: 0,
  };
  let checked: CheckedEntry[] = [];
  const finish = (): { verification: ArchiveVerification; checked: CheckedEntry[] } => {
    v.durationSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    v.ok =
      v.opened &&
      v.errors.length === 0 &&
      v.crcFailures.length === 0 &&
      v.sha256Mismatches.length === 0 &&
      v.missingFromArchive.length === 0 &&
      v.extraInArchive.length === 0 &&
      v.manifestIncluded &&
      v.meetsMinimumSize !== false &&
      v.sidecarMatches !== false &&
      (!o.requireSidecar || v.sidecarFound);
    return { verification: v, checked };
  };

  try {
    const st = await stat(archivePath);
    v.sizeBytes = st.size;
  } catch (err) {
    v.errors.push(`archive cannot be read: ${(err as Error).message}`);
    return finish();
  }
  if (o.minimumSizeBytes !== undefined) v.meetsMinimumSize = v.sizeBytes >= o.minimumSizeBytes;
  if (v.meetsMinimumSize === false) v.errors.push(`archive is ${v.sizeBytes} bytes, below the minimum of ${o.minimumSizeBytes}`);

  const sidecar = await readSidecar(archivePath);
  v.sidecarFound = sidecar.found;
  if (sidecar.problem) v.errors.push(sidecar.problem);
  if (!sidecar.found && o.requireSidecar) v.errors.push(`sidecar ${basename(archivePath)}.sha256 is missing`);

  const wholeHash = sha256File(archivePath, o.signal).then(
    (h) => h,
    (err: unknown) => err as Error,
  );

  let manifestBytes: Buffer | null = null;
  try {
    const r = await checkEntries(archivePath, manifestName, v, o);
    checked = r.checked;
    manifestBytes = r.manifestBytes;
  } catch (err) {
    if (err instanceof CancelledError) throw err;
    v.errors.push(`archive is not a readable zip: ${(err as Error).message}`);
  }

  const h = await wholeHash;
  if (h instanceof CancelledError) throw h;
  if (h instanceof Error) v.errors.push(`archive cannot be hashed: ${h.message}`);
  else v.sha256 = h;
  if (sidecar.hash && v.sha256) {
    v.sidecarMatches = sidecar.hash === v.sha256;
    if (!v.sidecarMatches) v.errors.push('archive SHA256 does not match its sidecar');
  }

  if (manifestBytes) compareWithManifest(v, manifestName, manifestBytes, checked);
  else if (v.opened) v.errors.push(`${manifestName} is not in the archive`);
  if (v.opened && o.requiredEntries) {
    const names = checked.map((c) => c.path);
    for (const req of o.requiredEntries) {
      if (names.some((n) => req.pattern.test(n))) continue;
      if (!v.missingFromArchive.includes(req.name)) v.missingFromArchive.push(req.name);
      v.errors.push(`required entry ${req.name} is missing: the archive is incomplete (empty or partial)`);
    }
  }
  return finish();
}

async function checkEntries(
  archivePath: string,
  manifestName: string,
  v: ArchiveVerification,
  o: VerifyArchiveOptions & { runner?: JobRunner },
): Promise<{ checked: CheckedEntry[]; manifestBytes: Buffer | null }> {
  const bounds = await readEndRecords(archivePath, v.sizeBytes);
  const central = await readCentralDirectory(archivePath, v.sizeBytes, bounds);
  v.opened = true;
  v.entryCount = central.length;
  if (o.signal?.aborted) throw new CancelledError('Archive verification was cancelled.');
  const names = central.map((e) => decodeName(e));
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (seen.has(name)) v.errors.push(`entry ${name} appears more than once`);
    seen.add(name);
    const unsafe = unsafeName(name);
    if (unsafe) v.errors.push(`entry ${JSON.stringify(name)}: ${unsafe}`);
    if (name === manifestName) central[i].keep = true;
  });
  if (bounds.problem) v.errors.push(bounds.problem);

  // Big entries alone, small ones in batches; biggest first so the workers finish together.
  const tasks: CentralEntry[][] = [];
  let batch: CentralEntry[] = [];
  let batchBytes = 0;
  for (const e of central) {
    if (e.compressedSize >= TASK_BYTES) {
      tasks.push([e]);
      continue;
    }
    batch.push(e);
    batchBytes += e.compressedSize + 64;
    if (batchBytes >= TASK_BYTES || batch.length >= TASK_ENTRIES) {
      tasks.push(batch);
      batch = [];
      batchBytes = 0;
    }
  }
  if (batch.length) tasks.push(batch);
  tasks.sort((a, b) => size(b) - size(a));

  const ownRunner = o.runner === undefined;
  const runner = o.runner ?? createRunner(o.parallelism ?? (v.sizeBytes >= INLINE_BELOW ? defaultParallelism() : 0));
  let bytesDone = 0;
  const bytesTotal = central.reduce((n, e) => n + e.compressedSize, 0);
  const results: EntryCheckResult[] = new Array(central.length);
  let aborted = false;
  const onAbort = (): void => {
    aborted = true;
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(
      tasks.map((entries) =>
        runner
          .run<EntryCheckJobResult>({ kind: 'check', archivePath, entries }, (n) => {
            bytesDone += n;
            if (aborted) return;
            o.onProgress?.({ bytesDone: Math.min(bytesDone, bytesTotal), bytesTotal, currentEntry: names[entries[0].index], phase: 'verify' });
          })
          .then((r) => {
            for (const x of r.results) results[x.index] = x;
          }),
      ),
    );
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    if (ownRunner) await runner.close();
  }
  if (aborted || o.signal?.aborted) throw new CancelledError('Archive verification was cancelled.');

  const checked: CheckedEntry[] = [];
  let manifestBytes: Buffer | null = null;
  central.forEach((e, i) => {
    const r = results[i];
    const name = names[i];
    for (const p of r.problems) v.errors.push(`${name}: ${p}`);
    const isDirectory = name.endsWith('/');
    if (!r.crcOk) v.crcFailures.push(name);
    if (e.keep && r.data) manifestBytes = Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
    checked.push({ path: name, isDirectory, sizeBytes: r.size, sha256: isDirectory ? null : r.sha256, crcOk: r.crcOk });
  });

  // Entries must tile the file from offset 0 to the central directory: no gaps, overlaps or hidden data.
  const order = central.map((e, i) => ({ start: e.localHeaderOffset, end: results[i].dataEnd, ok: results[i].problems.length === 0 }));
  order.sort((a, b) => a.start - b.start);
  let expectedStart = 0;
  for (const x of order) {
    if (!x.ok) {
      expectedStart = -1;
      break;
    }
    if (x.start !== expectedStart) {
      v.errors.push(`unaccounted bytes or overlap at offset ${Math.min(x.start, expectedStart)}`);
      expectedStart = -1;
      break;
    }
    expectedStart = x.end;
  }
  if (expectedStart >= 0 && bounds.cdOffset >= 0 && expectedStart !== bounds.cdOffset) {
    v.errors.push(`unaccounted bytes before the central directory at offset ${expectedStart}`);
  }
  return { checked, manifestBytes };
}

function size(entries: CentralEntry[]): number {
  return entries.reduce((n, e) => n + e.compressedSize, 0);
}

function decodeName(e: CentralEntry): string {
  const b = Buffer.from(e.name);
  return e.flags & 0x800 ? b.toString('utf8') : b.toString('latin1');
}

/** Names an extractor would refuse or that could write outside the target folder. */
function unsafeName(name: string): string | null {
  if (name === '') return 'empty name';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'absolute path';
  if (name.includes('\\')) return 'backslash in name';
  if (name.split('/').includes('..')) return "'..' in path";
  return null;
}

/**
 * yauzl reads the central directory one small read per entry; on 70,000
 * entries that is 70,000 trips through the thread pool. This reader serves
 * those reads from one read of the central directory made up front.
 */
class CentralDirectoryCachedReader extends yauzl.RandomAccessReader {
  constructor(
    private readonly fd: number,
    private readonly cacheStart: number,
    private readonly cache: Buffer,
  ) {
    super();
  }
  override read(buffer: Buffer, offset: number, length: number, position: number, done: (err: Error | null) => void): void {
    // yauzl's callback also takes the byte count, like fs.read's (its typings omit it).
    const callback = done as (err: Error | null, bytesRead?: number) => void;
    const at = position - this.cacheStart;
    if (at >= 0 && at + length <= this.cache.length) {
      this.cache.copy(buffer, offset, at, at + length);
      process.nextTick(callback, null, length);
      return;
    }
    fsRead(this.fd, buffer, offset, length, position, (err, n) => callback(err, n));
  }
  override _readStreamForRange(start: number, end: number): Readable {
    return createReadStream('', { fd: this.fd, start, end: end - 1, autoClose: false });
  }
  private closed = false;
  /** Idempotent: both yauzl (autoClose) and our error path may ask, and a descriptor number must never be closed twice. */
  override close(callback: (err: Error | null) => void): void {
    if (this.closed) return process.nextTick(callback, null);
    this.closed = true;
    fsClose(this.fd, (err) => callback(err));
  }
}

const MAX_CACHED_CENTRAL_DIRECTORY = 256 << 20;

/** Reads the central directory with yauzl, keeping raw name bytes so local headers can be compared exactly. */
async function readCentralDirectory(archivePath: string, fileSize: number, bounds: EndRecords): Promise<CentralEntry[]> {
  const fd = await new Promise<number>((res, rej) => fsOpen(archivePath, 'r', (err, n) => (err ? rej(err) : res(n))));
  let cache = Buffer.alloc(0);
  let cacheStart = fileSize;
  if (bounds.cdOffset >= 0 && bounds.cdOffset <= fileSize && fileSize - bounds.cdOffset <= MAX_CACHED_CENTRAL_DIRECTORY) {
    cacheStart = bounds.cdOffset;
    cache = Buffer.alloc(fileSize - cacheStart);
    let n = 0;
    try {
      while (n < cache.length) {
        const r = readSync(fd, cache, n, cache.length - n, cacheStart + n);
        if (r === 0) break;
        n += r;
      }
    } catch (err) {
      fsClose(fd, () => undefined);
      throw err;
    }
    cache = cache.subarray(0, n);
  }
  // From here the reader owns the descriptor; yauzl closes it (autoClose) when done or on error.
  const reader = new CentralDirectoryCachedReader(fd, cacheStart, cache);
  return new Promise((resolve, reject) => {
    yauzl.fromRandomAccessReader(
      reader,
      fileSize,
      { lazyEntries: false, autoClose: true, decodeStrings: false, validateEntrySizes: true },
      (err, zf) => {
        if (err || !zf) {
          reader.close(() => undefined);
          return reject(err ?? new Error('cannot open'));
        }
        const out: CentralEntry[] = [];
        zf.on('entry', (e: yauzl.Entry) => {
          out.push({
            index: out.length,
            name: e.fileName as unknown as Buffer,
            flags: e.generalPurposeBitFlag,
            method: e.compressionMethod,
            crc32: e.crc32 >>> 0,
            compressedSize: e.compressedSize,
            uncompressedSize: e.uncompressedSize,
            localHeaderOffset: e.relativeOffsetOfLocalHeader,
            dosTime: e.lastModFileTime,
            dosDate: e.lastModFileDate,
            keep: false,
          });
        });
        zf.on('error', reject);
        zf.on('end', () => resolve(out));
      },
    );
  });
}

interface EndRecords {
  cdOffset: number;
  problem: string | null;
}

/** Finds where the central directory starts, and checks that the end records finish the file. */
async function readEndRecords(archivePath: string, fileSize: number): Promise<EndRecords> {
  const tailLen = Math.min(fileSize, 22 + 0xffff + 76);
  const fh = await openFile(archivePath, 'r');
  try {
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, fileSize - tailLen);
    for (let p = tail.length - 22; p >= 0; p--) {
      if (tail.readUInt32LE(p) !== 0x06054b50) continue;
      const commentLen = tail.readUInt16LE(p + 20);
      if (p + 22 + commentLen !== tail.length) continue;
      let cdOffset = tail.readUInt32LE(p + 16);
      const cdSize = tail.readUInt32LE(p + 12);
      let cdEnd = cdOffset + cdSize;
      if (p >= 20 && tail.readUInt32LE(p - 20) === 0x07064b50) {
        const z64At = Number(tail.readBigUInt64LE(p - 12));
        const rec = Buffer.alloc(56);
        await fh.read(rec, 0, 56, z64At);
        if (rec.readUInt32LE(0) !== 0x06064b50) return { cdOffset: -1, problem: 'ZIP64 end record missing' };
        cdOffset = Number(rec.readBigUInt64LE(48));
        cdEnd = cdOffset + Number(rec.readBigUInt64LE(40));
        if (cdEnd !== z64At) return { cdOffset, problem: 'unaccounted bytes after the central directory' };
        if (z64At + 56 + 20 !== fileSize - tail.length + p) return { cdOffset, problem: 'unaccounted bytes after the ZIP64 end record' };
        return { cdOffset, problem: null };
      }
      if (cdEnd !== fileSize - tail.length + p) return { cdOffset, problem: 'unaccounted bytes after the central directory' };
      return { cdOffset, problem: null };
    }
    return { cdOffset: -1, problem: 'end of central directory not found' };
  } finally {
    await fh.close();
  }
}

function compareWithManifest(v: ArchiveVerification, manifestName: string, manifestBytes: Buffer, checked: CheckedEntry[]): void {
  v.manifestIncluded = true;
  try {
    v.manifest = JSON.parse(manifestBytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    v.errors.push(`manifest is not valid JSON: ${(err as Error).message}`);
    return;
  }
  const expected = expectedEntriesFromManifest(v.manifest);
  v.errors.push(...expected.problems);
  const inArchive = new Map(checked.map((c) => [normalizeArchivePath(c.path), c]));
  const listed = new Set<string>();
  for (const e of expected.entries) {
    listed.add(e.path);
    const c = inArchive.get(e.path);
    if (!c) {
      // A folder with children has no entry of its own, and needs none.
      if (e.isDirectory && checked.some((x) => x.path.startsWith(e.path))) continue;
      v.missingFromArchive.push(e.path);
      continue;
    }
    if (e.isDirectory) continue;
    if (c.sha256 !== null && e.sha256 !== null && c.sha256 !== e.sha256) v.sha256Mismatches.push(e.path);
    else if (e.sizeBytes !== null && c.crcOk && c.sizeBytes !== e.sizeBytes) v.sha256Mismatches.push(e.path);
  }
  const dirPrefixes = expected.entries.filter((e) => e.isDirectory).map((e) => e.path);
  for (const c of checked) {
    const p = normalizeArchivePath(c.path);
    if (listed.has(p) || c.path === manifestName) continue;
    if (c.isDirectory) continue; // folders carry no data
    if (!expected.complete && dirPrefixes.some((d) => p.startsWith(d))) continue;
    v.extraInArchive.push(p);
  }
}
