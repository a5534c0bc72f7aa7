import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ValidationError } from '../core/errors';
import type { Platform } from '../platform/platform';

/**
 * Before anything is stopped, the temp volume must hold twice the estimated
 * database size: the dump itself, plus room for the archive built from it.
 * A shortfall is a failed precondition, so it is a ValidationError (exit 3),
 * found before the service is touched, not a StorageError (exit 4), which
 * is for writes that fail while running.
 */

export const DISK_SPACE_FACTOR = 2;

export interface DiskSpaceCheck {
  tempDirectory: string;
  estimatedDatabaseBytes: number;
  /** How the estimate was made, for the log and the manifest. */
  estimateSource: string;
  requiredBytes: number;
  availableBytes: number;
  sufficient: boolean;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => (bytes / MB).toFixed(1);

/** Pure: the decision and its numbers. */
export function assessDiskSpace(tempDirectory: string, estimatedDatabaseBytes: number, estimateSource: string, availableBytes: number): DiskSpaceCheck {
  const requiredBytes = Math.ceil(estimatedDatabaseBytes * DISK_SPACE_FACTOR);
  return { tempDirectory, estimatedDatabaseBytes, estimateSource, requiredBytes, availableBytes, sufficient: availableBytes >= requiredBytes };
}

export function diskSpaceMessage(c: DiskSpaceCheck): string {
  return (
    `Not enough free space in ${c.tempDirectory}: ${mb(c.availableBytes)} MB available, ${mb(c.requiredBytes)} MB required ` +
    `(${DISK_SPACE_FACTOR} × the estimated database size of ${mb(c.estimatedDatabaseBytes)} MB from ${c.estimateSource}). ` +
    `Free ${mb(c.requiredBytes - c.availableBytes)} MB or point BackupConfiguration.TempDirectory at a larger volume.`
  );
}

/** Total bytes of the regular files under `dir`; symlinks are not followed. Missing folder → undefined. */
export async function folderSizeBytes(dir: string): Promise<number | undefined> {
  try {
    if (!(await fs.stat(dir)).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  let total = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    let entries;
    try {
      entries = await fs.readdir(current, { withFileTypes: true });
    } catch (err) {
      // The running mongod may lock a file or folder; an estimate can live without it.
      if ((err as NodeJS.ErrnoException).code === 'EACCES' || (err as NodeJS.ErrnoException).code === 'EPERM') continue;
      throw err;
    }
    for (const e of entries) {
      const full = path.join(current, e.name);
      if (e.isDirectory()) stack.push(full);
      else if (e.isFile()) total += (await fs.lstat(full).catch(() => ({ size: 0 }))).size;
    }
  }
  return total;
}

/** Throws ValidationError (exit 3) with the numbers when the temp volume is too small. */
export async function ensureDiskSpace(platform: Platform, tempDirectory: string, estimatedDatabaseBytes: number, estimateSource: string): Promise<DiskSpaceCheck> {
  await fs.mkdir(tempDirectory, { recursive: true });
  const check = assessDiskSpace(tempDirectory, estimatedDatabaseBytes, estimateSource, await platform.freeBytes(tempDirectory));
  if (!check.sufficient) {
    throw new ValidationError(diskSpaceMessage(check), 'INSUFFICIENT_DISK_SPACE', {
      details: [`available=${check.availableBytes}`, `required=${check.requiredBytes}`, `estimate=${check.estimatedDatabaseBytes}`],
      category: 'ResourceUnavailable',
    });
  }
  return check;
}
