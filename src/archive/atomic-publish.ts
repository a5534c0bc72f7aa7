import { formatSidecar } from '../core/sidecar';
import { link, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '../core/errors';

/**
 * Temporary names start with a dot and end in `.<pid>.partial`, so they never
 * match `ServerBackup_*.zip` and a later run can tell whose they are.
 */
const TEMP_PATTERN = /^\.(.+)\.(\d+)\.partial$/;

export function temporaryName(fileName: string, pid = process.pid): string {
  return `.${fileName}.${pid}.partial`;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A PID can be reused after a reboot; past this age a partial file is stale whatever its PID says. */
const MAX_PARTIAL_AGE_MS = 24 * 3600 * 1000;

/**
 * Removes partial files left by killed runs: only names that match our own
 * temporary pattern, and only when the process that wrote them is gone (or
 * the file is older than a day). Returns the names removed.
 */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_PATTERN.exec(name);
    if (!m) continue;
    const full = join(dir, name);
    try {
      const st = await stat(full);
      if (!st.isFile()) continue;
      const old = Date.now() - st.mtimeMs > MAX_PARTIAL_AGE_MS;
      if (isAlive(Number(m[2])) && !old) continue;
      await unlink(full);
      removed.push(name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return removed;
}

/**
 * Gives `tempPath` its final name without ever replacing an existing file.
 * A hard link fails with EEXIST when the target exists, atomically; where
 * links are not supported (FAT, some shares) it falls back to check-then-rename.
 */
export async function publishNoOverwrite(tempPath: string, finalPath: string): Promise<void> {
  try {
    await link(tempPath, finalPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new StorageError(`The archive ${finalPath} already exists; it was not overwritten.`, 'ARCHIVE_EXISTS', { cause: err, category: 'ResourceBusy' });
    }
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS' || code === 'EXDEV' || code === 'EMLINK') {
      const exists = await stat(finalPath).then(() => true, () => false);
      if (exists) {
        throw new StorageError(`The archive ${finalPath} already exists; it was not overwritten.`, 'ARCHIVE_EXISTS', { category: 'ResourceBusy' });
      }
      await rename(tempPath, finalPath);
      return;
    }
    throw err;
  }
  await unlink(tempPath);
}

/** Writes a small file under a temporary name, fsyncs it, then renames it into place. */
export async function writeFileAtomic(finalPath: string, dir: string, fileName: string, data: Buffer | string): Promise<void> {
  const tmp = join(dir, temporaryName(fileName));
  const fh = await open(tmp, 'wx');
  try {
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, finalPath);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** The sidecar's text (core/sidecar.ts formats it for every layer). */
export function sidecarText(sha256: string, fileName: string): string {
  return formatSidecar(sha256, fileName);
}
