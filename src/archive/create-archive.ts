import { mkdir, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createHash } from 'node:crypto';
import { BackupError, CancelledError, StorageError, ValidationError, toBackupError } from '../core/errors';
import { publishNoOverwrite, removeStaleTemporaries, sidecarText, temporaryName, writeFileAtomic } from './atomic-publish';
import { listSourceTree } from './source-tree';
import type { CompressionLevel, CreateArchiveOptions, CreateArchiveResult } from './types';
import { verifyArchiveDetailed } from './verify-archive';
import { collectNow } from './memory-guard';
import { createRunner, defaultParallelism } from './worker-pool';
import { writeZip } from './zip-writer';

/** Below this much data everything runs on this thread: starting workers would cost more than it saves. */
const INLINE_BELOW = 16 << 20;

/**
 * zlib levels. Optimal is 5: on the bench's dump-like sets it is within
 * 0.1% of `zip -6`'s size, and on pure small-document BSON within 0.5%, for
 * about 30% less CPU than level 6. Level 4 would take another ~20% off the
 * total CPU but makes text ~8% larger than zip -6; the archive step runs
 * after the service is back up, so size (storage, copies) wins here.
 */
export const ZLIB_LEVEL: Record<CompressionLevel, number> = { Optimal: 5, Fastest: 1, NoCompression: 0 };

function checkOptions(o: CreateArchiveOptions): void {
  const problems: string[] = [];
  if (!o.fileName || basename(o.fileName) !== o.fileName || o.fileName.includes('\\') || o.fileName.startsWith('.')) {
    problems.push(`fileName: '${o.fileName}' must be a plain file name`);
  }
  if (o.compressionLevel !== undefined && !(o.compressionLevel in ZLIB_LEVEL)) {
    problems.push(`compressionLevel: '${String(o.compressionLevel)}' is not Optimal, Fastest or NoCompression`);
  }
  const m = o.manifestEntryName ?? 'BackupManifest.json';
  if (m === '' || m.includes('\\') || m.startsWith('/') || m.endsWith('/')) problems.push(`manifestEntryName: '${m}' is not a valid entry name`);
  if (problems.length) throw new ValidationError(`Invalid archive options: ${problems.join('; ')}`, 'ARCHIVE_OPTIONS_INVALID', { details: problems });
}

function asStorageError(err: unknown, signal?: AbortSignal, sourceDir?: string): BackupError {
  if (signal?.aborted || (err as Error | undefined)?.name === 'AbortError') {
    return err instanceof CancelledError ? err : new CancelledError('Archive creation was cancelled.', { cause: err });
  }
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  const path = (err as NodeJS.ErrnoException | undefined)?.path;
  if (sourceDir && typeof path === 'string' && path.startsWith(sourceDir) && !(err instanceof BackupError)) {
    return new StorageError(`Cannot read ${path} for the archive: ${(err as Error).message}`, 'ARCHIVE_SOURCE_UNREADABLE', { cause: err, category: 'ReadError' });
  }
  if (errno === 'EFBIG' || errno === 'ENOSPC' || errno === 'EDQUOT') {
    return new StorageError(`Writing the archive failed, the destination is full or refuses the size: ${(err as Error).message}`, `STORAGE_${errno}`, { cause: err });
  }
  const e = toBackupError(err);
  if (e.code === 'GENERAL_ERROR') return new StorageError(`Writing the archive failed: ${e.message}`, 'ARCHIVE_WRITE_FAILED', { cause: err });
  return e;
}

/**
 * Builds `<destinationDir>/<fileName>` from the staging folder: written under
 * a temporary name, fsynced, verified (every CRC, every SHA256, the manifest),
 * then given its final name without replacing anything, then the `.sha256`
 * sidecar. On any failure or abort the temporary file is removed and nothing
 * carries the final name.
 */
export async function createArchive(o: CreateArchiveOptions): Promise<CreateArchiveResult> {
  const started = process.hrtime.bigint();
  checkOptions(o);
  const manifestEntryName = o.manifestEntryName ?? 'BackupManifest.json';
  const level = ZLIB_LEVEL[o.compressionLevel ?? 'Optimal'];
  const finalPath = join(o.destinationDir, o.fileName);
  const tempPath = join(o.destinationDir, temporaryName(o.fileName));
  const sidecarPath = `${finalPath}.sha256`;

  if (o.signal?.aborted) throw new CancelledError('Archive creation was cancelled.');
  const items = await listSourceTree(o.sourceDir).catch((err: unknown) => {
    throw asStorageError(err, o.signal, o.sourceDir);
  });
  if (items.some((i) => i.archivePath === manifestEntryName)) {
    throw new ValidationError(`The staging folder already holds a file named ${manifestEntryName}; the manifest would collide with it.`, 'ARCHIVE_MANIFEST_COLLISION');
  }
  await mkdir(o.destinationDir, { recursive: true }).catch((err: unknown) => {
    throw asStorageError(err);
  });
  // Partial files of killed runs: only our own pattern, only when their process is gone.
  await removeStaleTemporaries(o.destinationDir).catch(() => undefined);
  if (await stat(finalPath).then(() => true, () => false)) {
    throw new StorageError(`The archive ${finalPath} already exists; it was not overwritten.`, 'ARCHIVE_EXISTS', { category: 'ResourceBusy' });
  }

  const total = items.reduce((n, i) => n + i.sizeBytes, 0);
  const runner = createRunner(o.parallelism ?? (total >= INLINE_BELOW ? defaultParallelism() : 0));
  let tempCreated = false;
  try {
    tempCreated = true;
    const w = await writeZip(tempPath, {
      items,
      level,
      manifestEntryName,
      buildManifest: o.buildManifest,
      runner,
      onProgress: o.onProgress,
      signal: o.signal,
    });
    if (o.signal?.aborted) throw new CancelledError('Archive creation was cancelled.');
    collectNow();

    const { verification, checked } = await verifyArchiveDetailed(tempPath, {
      manifestEntryName,
      signal: o.signal,
      runner,
      onProgress: o.onProgress
        ? (p) => o.onProgress!({ bytesDone: total, bytesTotal: total, currentEntry: p.currentEntry, phase: 'verify', verifyBytesDone: p.bytesDone, verifyBytesTotal: p.bytesTotal })
        : undefined,
    });
    const problems = [...verification.errors];
    if (!verification.ok && problems.length === 0) problems.push('verification failed');
    problems.push(...verification.crcFailures.map((p) => `CRC mismatch: ${p}`));
    problems.push(...verification.sha256Mismatches.map((p) => `SHA256 differs from the manifest: ${p}`));
    problems.push(...verification.missingFromArchive.map((p) => `listed in the manifest but not in the archive: ${p}`));
    problems.push(...verification.extraInArchive.map((p) => `in the archive but not in the manifest: ${p}`));
    // Check against what was read from the sources too, whatever the manifest's shape.
    const byPath = new Map(checked.map((c) => [c.path, c]));
    for (const e of w.entries) {
      const c = byPath.get(e.archivePath);
      if (!c) problems.push(`written but not found on re-read: ${e.archivePath}`);
      else if (!e.isDirectory && (c.sha256 !== e.sha256 || c.sizeBytes !== e.sizeBytes)) problems.push(`re-read differs from source: ${e.archivePath}`);
    }
    const m = byPath.get(manifestEntryName);
    if (!m || m.sha256 !== w.manifestSha256) problems.push('the manifest inside the archive differs from the one given');
    if (checked.length !== w.entries.length + 1) problems.push(`archive holds ${checked.length} entries, expected ${w.entries.length + 1}`);
    if (verification.sizeBytes !== w.sizeBytes) problems.push('the archive on disk differs in size from what was written');
    const sha256 = verification.sha256;
    if (!sha256) problems.push('the archive could not be hashed');
    if (problems.length || !sha256) {
      throw new StorageError(`The new archive failed verification: ${problems.slice(0, 5).join('; ')}`, 'ARCHIVE_VERIFY_FAILED', {
        details: problems,
        category: 'InvalidData',
      });
    }
    if (o.signal?.aborted) throw new CancelledError('Archive creation was cancelled.');

    await publishNoOverwrite(tempPath, finalPath);
    tempCreated = false;
    try {
      await writeFileAtomic(sidecarPath, o.destinationDir, basename(sidecarPath), sidecarText(sha256, o.fileName));
    } catch (err) {
      // We just gave it its name, so it is ours to take back: a failed call leaves no archive.
      await unlink(finalPath).catch(() => undefined);
      throw new StorageError(`Writing the checksum file ${sidecarPath} failed: ${(err as Error).message}`, 'ARCHIVE_SIDECAR_FAILED', { cause: err });
    }
    return {
      archivePath: finalPath,
      fileName: o.fileName,
      sizeBytes: w.sizeBytes,
      sha256,
      sidecarPath,
      uncompressedBytes: w.uncompressedBytes,
      entries: w.entries,
      durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      compressionRatio: w.uncompressedBytes === 0 ? 1 : w.sizeBytes / w.uncompressedBytes,
      verification,
    };
  } catch (err) {
    // EEXIST from opening the temporary file means another call of this process is writing it: not ours to remove.
    const notOurs = (err as NodeJS.ErrnoException | undefined)?.code === 'EEXIST' && (err as NodeJS.ErrnoException).path === tempPath;
    if (notOurs) {
      throw new StorageError(`The archive ${finalPath} is already being written by another call.`, 'ARCHIVE_EXISTS', { cause: err, category: 'ResourceBusy' });
    }
    if (tempCreated) await unlink(tempPath).catch(() => undefined);
    throw asStorageError(err, o.signal, o.sourceDir);
  } finally {
    await runner.close();
  }
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
