import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as zlib from 'node:zlib';
import * as yauzl from 'yauzl';
import { CancelledError } from '../core/errors';
import { expectedEntriesFromManifest, normalizeArchivePath } from './manifest-entries';
import { sha256File } from './sha256-file';
import type { ArchiveVerification, VerifyArchiveOptions } from './types';

const MAX_MANIFEST_BYTES = 256 << 20;

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
  const m = /^([0-9a-fA-F]{64}) [ *](.+?)\r?\n?$/.exec(text.split('\n').find((l) => l.trim() !== '') ?? '');
  if (!m) return { found: true, hash: null, problem: 'sidecar is not in sha256sum format' };
  if (m[2] !== basename(archivePath)) {
    return { found: true, hash: m[1].toLowerCase(), problem: `sidecar names '${m[2]}', not '${basename(archivePath)}'` };
  }
  return { found: true, hash: m[1].toLowerCase(), problem: null };
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true }, (err, zf) =>
      err ? reject(err) : resolve(zf!),
    );
  });
}

function nextEntry(zf: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const onEntry = (e: yauzl.Entry): void => {
      cleanup();
      resolve(e);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(null);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      zf.off('entry', onEntry);
      zf.off('end', onEnd);
      zf.off('error', onError);
    };
    zf.on('entry', onEntry);
    zf.on('end', onEnd);
    zf.on('error', onError);
    zf.readEntry();
  });
}

/** Reads one entry through inflate, hashing as it goes; keeps the bytes only when asked (the manifest). */
function readEntryData(
  zf: yauzl.ZipFile,
  entry: yauzl.Entry,
  keep: boolean,
  onBytes: (n: number) => void,
): Promise<{ crc: number; sha256: string; size: number; data: Buffer | null }> {
  return new Promise((resolve, reject) => {
    zf.openReadStream(entry, (err, rs) => {
      if (err || !rs) return reject(err ?? new Error('no stream'));
      const hash = createHash('sha256');
      let crc = 0;
      let size = 0;
      const parts: Buffer[] = [];
      rs.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        crc = zlib.crc32(chunk, crc);
        size += chunk.length;
        if (keep) {
          if (size > MAX_MANIFEST_BYTES) {
            rs.destroy(new Error('manifest too large'));
            return;
          }
          parts.push(chunk);
        }
        onBytes(chunk.length);
      });
      rs.on('error', reject);
      rs.on('end', () => resolve({ crc: crc >>> 0, sha256: hash.digest('hex'), size, data: keep ? Buffer.concat(parts) : null }));
    });
  });
}

function readLocalHeader(zf: yauzl.ZipFile, entry: yauzl.Entry): Promise<yauzl.LocalFileHeader> {
  return new Promise((resolve, reject) => {
    zf.readLocalFileHeader(entry, { minimal: false }, (err, h) => (err ? reject(err) : resolve(h as yauzl.LocalFileHeader)));
  });
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
  o: VerifyArchiveOptions = {},
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
  return finish();
}

async function checkEntries(
  archivePath: string,
  manifestName: string,
  v: ArchiveVerification,
  o: VerifyArchiveOptions,
): Promise<{ checked: CheckedEntry[]; manifestBytes: Buffer | null }> {
  const zf = await openZip(archivePath);
  v.opened = true;
  const checked: CheckedEntry[] = [];
  let manifestBytes: Buffer | null = null;
  const seen = new Set<string>();
  let bytesDone = 0;
  const bytesTotal = v.sizeBytes;
  try {
    for (;;) {
      if (o.signal?.aborted) throw new CancelledError('Archive verification was cancelled.');
      const entry = await nextEntry(zf);
      if (!entry) break;
      v.entryCount++;
      const name = entry.fileName;
      if (seen.has(name)) v.errors.push(`entry ${name} appears more than once`);
      seen.add(name);
      try {
        const lh = await readLocalHeader(zf, entry);
        const problem = compareLocalHeader(entry, lh);
        if (problem) v.errors.push(`${name}: local header disagrees with central directory (${problem})`);
      } catch (err) {
        v.errors.push(`${name}: local header unreadable: ${(err as Error).message}`);
        continue;
      }
      if (name.endsWith('/')) {
        checked.push({ path: name, isDirectory: true, sizeBytes: 0, sha256: null, crcOk: true });
        continue;
      }
      const isManifest = name === manifestName;
      try {
        const r = await readEntryData(zf, entry, isManifest, (n) => {
          bytesDone += n;
          o.onProgress?.({ bytesDone: Math.min(bytesDone, bytesTotal), bytesTotal, currentEntry: name });
        });
        const crcOk = r.crc === entry.crc32 >>> 0;
        if (!crcOk) v.crcFailures.push(name);
        if (isManifest) manifestBytes = r.data;
        checked.push({ path: name, isDirectory: false, sizeBytes: r.size, sha256: r.sha256, crcOk });
      } catch (err) {
        v.crcFailures.push(name);
        v.errors.push(`${name}: cannot be read: ${(err as Error).message}`);
        checked.push({ path: name, isDirectory: false, sizeBytes: 0, sha256: null, crcOk: false });
      }
    }
  } finally {
    zf.close();
  }
  return { checked, manifestBytes };
}

function compareLocalHeader(entry: yauzl.Entry, lh: yauzl.LocalFileHeader): string | null {
  if (lh.compressionMethod !== entry.compressionMethod) return 'compression method';
  if (!lh.fileName.equals(Buffer.from(entry.fileName, 'utf8')) && (entry.generalPurposeBitFlag & 0x800) !== 0) return 'file name';
  if ((lh.generalPurposeBitFlag & ~0x8) !== (entry.generalPurposeBitFlag & ~0x8)) return 'flags';
  if ((lh.generalPurposeBitFlag & 0x8) === 0) {
    if (lh.crc32 >>> 0 !== entry.crc32 >>> 0) return 'CRC-32';
    if (lh.uncompressedSize !== 0xffffffff && lh.uncompressedSize !== entry.uncompressedSize) return 'size';
    if (lh.compressedSize !== 0xffffffff && lh.compressedSize !== entry.compressedSize) return 'compressed size';
  }
  if (lh.lastModFileTime !== entry.lastModFileTime || lh.lastModFileDate !== entry.lastModFileDate) return 'timestamp';
  return null;
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
