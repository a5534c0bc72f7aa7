import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { StorageError } from '../core/errors';
import { sha256OfFile } from './checksum';
import { formatSidecar, parseSidecar, sidecarName } from './sidecar';

/**
 * One verified copy of an archive into one folder (local disk, UNC path or
 * mapped drive), in the order restic's local backend uses:
 *
 *   temp name in the same folder → write → fsync → close → RE-READ and
 *   compare SHA256 → link/rename to the final name without overwriting →
 *   sidecar, also via temp + no-overwrite publish.
 *
 * The temp name starts with a dot and ends in `.partial`, so it never matches
 * `ServerBackup_*.zip` and retention never sees it. Any failure removes it.
 *
 * A final name that already exists is never overwritten. If the file there
 * has exactly our SHA256 (a re-run after a crash between publish and sidecar,
 * or the same folder listed twice), the copy is reported as successful and
 * `alreadyPresent`; its sidecar is completed if missing. Any other content
 * under our name is an error: we cannot know what it is, so we leave it.
 */

export interface FolderCopyOptions {
  archivePath: string;
  /** The archive's SHA256 (lowercase hex), from the archive module. */
  sha256: string;
  destinationDir: string;
  signal?: AbortSignal;
  onProgress?: (bytesCopied: number, totalBytes: number) => void;
}

export interface FolderCopyOutcome {
  finalPath: string;
  alreadyPresent: boolean;
}

/**
 * Error codes on which a hard link cannot be used and we fall back to
 * check-then-rename. On Windows, CreateHardLink on FAT/exFAT or a share that
 * refuses links fails with ERROR_INVALID_FUNCTION, which libuv reports as
 * EISDIR, or with ACCESS_DENIED (EACCES/EPERM) even though the temp file was
 * just written there.
 */
const LINK_UNSUPPORTED = new Set(['EPERM', 'EACCES', 'EISDIR', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EINVAL', 'UNKNOWN']);

export function tempNameFor(finalName: string): string {
  return `.${finalName}.${randomBytes(6).toString('hex')}.partial`;
}

export async function copyArchiveToFolder(options: FolderCopyOptions): Promise<FolderCopyOutcome> {
  const { archivePath, destinationDir, signal } = options;
  const expected = options.sha256.toLowerCase();
  const name = path.basename(archivePath);
  const finalPath = path.join(destinationDir, name);

  const dirStat = await fs.stat(destinationDir);
  if (!dirStat.isDirectory()) {
    throw new StorageError(`Destination '${destinationDir}' is not a folder.`, 'DESTINATION_NOT_A_DIRECTORY');
  }

  const existing = await checkExisting(finalPath, expected, signal);
  if (existing === 'same') {
    await publishSidecar(destinationDir, name, expected);
    return { finalPath, alreadyPresent: true };
  }

  const tempPath = path.join(destinationDir, tempNameFor(name));
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tempPath, 'wx');
    const total = (await fs.stat(archivePath)).size;
    const sourceHash = createHash('sha256');
    let copied = 0;
    for await (const chunk of createReadStream(archivePath, { highWaterMark: 1024 * 1024, signal })) {
      const buf = chunk as Buffer;
      sourceHash.update(buf);
      let offset = 0;
      while (offset < buf.length) {
        const { bytesWritten } = await handle.write(buf, offset, buf.length - offset);
        offset += bytesWritten;
      }
      copied += buf.length;
      options.onProgress?.(copied, total);
    }
    const sourceSha = sourceHash.digest('hex');
    if (sourceSha !== expected) {
      throw new StorageError(
        `The local archive '${archivePath}' no longer matches its SHA256 (expected ${expected}, read ${sourceSha}); it was not copied.`,
        'SOURCE_CHANGED',
      );
    }
    await handle.sync();
    await handle.close();
    handle = undefined;

    // Re-read through a new handle, after fsync: what the destination returns, not what we handed it.
    // Node cannot bypass the OS cache (no portable O_DIRECT / FILE_FLAG_NO_BUFFERING), so on a local
    // disk this proves the file system's view after a flush; on a share it reads back over SMB/NFS,
    // which catches truncation, a vanished share and corruption in transit.
    const written = await sha256OfFile(tempPath, signal);
    if (written !== expected) {
      throw new StorageError(
        `The copy at '${destinationDir}' does not match the archive (expected SHA256 ${expected}, read back ${written}).`,
        'DESTINATION_VERIFY_MISMATCH',
      );
    }

    const published = await publishNoOverwrite(tempPath, finalPath, expected, signal);
    await fsyncDir(destinationDir);
    await publishSidecar(destinationDir, name, expected);
    return { finalPath, alreadyPresent: published === 'already-present' };
  } finally {
    if (handle) await handle.close().catch(() => undefined);
    await fs.rm(tempPath, { force: true }).catch(() => undefined);
  }
}

/** 'absent', 'same' (our bytes already there) or throws: other content under our name. */
async function checkExisting(finalPath: string, expected: string, signal?: AbortSignal): Promise<'absent' | 'same'> {
  let st;
  try {
    st = await fs.lstat(finalPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw err;
  }
  if (st.isFile() && (await sha256OfFile(finalPath, signal)) === expected) return 'same';
  throw new StorageError(
    `'${finalPath}' already exists with different content; it was left untouched and not overwritten.`,
    'DESTINATION_TARGET_EXISTS',
  );
}

/**
 * Gives `tempPath` the name `finalPath` unless that name exists. A hard link
 * fails atomically with EEXIST, which a plain rename cannot do (POSIX rename
 * and Node's rename on Windows both replace the target). Where the file
 * system cannot link (FAT, some NAS shares) we check and then rename; the
 * window between the two is tiny, and only another run of this tool writes
 * names like ours, and the run lock prevents that.
 */
export async function publishNoOverwrite(
  tempPath: string,
  finalPath: string,
  expected: string,
  signal?: AbortSignal,
): Promise<'published' | 'already-present'> {
  try {
    await fs.link(tempPath, finalPath);
    await fs.rm(tempPath, { force: true });
    return 'published';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') {
      await checkExisting(finalPath, expected, signal);
      return 'already-present';
    }
    if (!LINK_UNSUPPORTED.has(code)) throw err;
  }
  if ((await checkExisting(finalPath, expected, signal)) === 'same') return 'already-present';
  await fs.rename(tempPath, finalPath);
  return 'published';
}

/** Writes `<name>.sha256` atomically next to the archive; an identical one is fine, a different one is an error. */
export async function publishSidecar(destinationDir: string, archiveName: string, sha256: string): Promise<string> {
  const finalPath = path.join(destinationDir, sidecarName(archiveName));
  const content = formatSidecar(sha256, archiveName);
  const existing = await readIfExists(finalPath);
  if (existing !== undefined) return acceptExistingSidecar(finalPath, existing, archiveName, sha256);

  const tempPath = path.join(destinationDir, tempNameFor(sidecarName(archiveName)));
  try {
    const handle = await fs.open(tempPath, 'wx');
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if ((await fs.readFile(tempPath, 'utf8')) !== content) {
      throw new StorageError(`The sidecar written to '${destinationDir}' did not read back correctly.`, 'DESTINATION_VERIFY_MISMATCH');
    }
    try {
      await fs.link(tempPath, finalPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') {
        return acceptExistingSidecar(finalPath, await fs.readFile(finalPath, 'utf8'), archiveName, sha256);
      }
      if (!LINK_UNSUPPORTED.has(code)) throw err;
      const raced = await readIfExists(finalPath);
      if (raced !== undefined) return acceptExistingSidecar(finalPath, raced, archiveName, sha256);
      await fs.rename(tempPath, finalPath);
    }
    await fsyncDir(destinationDir);
    return finalPath;
  } finally {
    await fs.rm(tempPath, { force: true }).catch(() => undefined);
  }
}

function acceptExistingSidecar(finalPath: string, text: string, archiveName: string, sha256: string): string {
  const parsed = parseSidecar(text, archiveName);
  if (parsed && parsed.sha256 === sha256.toLowerCase()) return finalPath;
  throw new StorageError(
    `'${finalPath}' already exists and does not hold this archive's SHA256; it was left untouched.`,
    'DESTINATION_TARGET_EXISTS',
  );
}

async function readIfExists(filePath: string): Promise<string | undefined> {
  try {
    return await fs.readFile(filePath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Makes the rename itself durable on POSIX; Windows has no directory handles to fsync. */
async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Some network file systems refuse fsync on a directory; the data itself was synced.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
