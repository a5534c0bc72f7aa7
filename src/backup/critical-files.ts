import * as fs from 'node:fs';
import * as path from 'node:path';
import { criticalFiles, isModifiedAfterInstall, type CriticalFileDefinition } from '../core/file-matrix';
import { StorageError, ValidationError } from '../core/errors';
import type { BackupMode } from '../core/backup-mode';
import type { ManifestDirectoryEntry, ManifestFileEntry } from '../core/manifest';
import { copyFileHashed } from '../fs/copy-hashed';
import type { Log } from '../logging/logger';

export interface CriticalFilesOptions {
  mode: BackupMode;
  programDataPath: string;
  installPath: string;
  includeKeys: boolean;
  includeConfigFile: boolean;
  /** FilesConfiguration.BackupConnectorTools (default true): %ProgramData%\Alteryx\Tools when it exists. */
  includeConnectorTools?: boolean;
  /** Full path of AlteryxService.exe; its mtime is the install time for the alteryx.config check. */
  serviceExecutable?: string;
  stagingDir: string;
  log: Log;
  signal?: AbortSignal;
  /** Copy these instead of the mode's file matrix (Backup-CriticalFiles -FilesRegistry, data model §4.1). */
  definitions?: CriticalFileDefinition[];
}

/** The data model's FileBackupResultObject. */
export interface FileBackupResult {
  Success: boolean;
  StagingPath: string;
  FilesBackedUp: number;
  TotalSizeBytes: number;
  Files: Array<ManifestFileEntry | ManifestDirectoryEntry>;
  Skipped: Array<{ FilePath: string; Reason: string }>;
  Warnings: string[];
}

async function statOrUndefined(p: string): Promise<fs.Stats | undefined> {
  try {
    return await fs.promises.stat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function unreadable(p: string, err: unknown): StorageError {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  const why = code === 'EACCES' || code === 'EPERM' ? 'access is denied' : code === 'EBUSY' ? 'the file is locked by another process' : code;
  return new StorageError(`Cannot read '${p}': ${why}. The backup would be incomplete, so it was stopped.`, 'FILE_UNREADABLE', {
    cause: err,
    category: 'ReadError',
  });
}

/** A file to copy; `linkTarget` is its resolved path when a link or junction was followed to reach it. */
export interface ListedFile {
  path: string;
  linkTarget?: string;
}

/** A link or file type that cannot be copied as intended: the run fails (exit 4), naming it. */
function notCopyable(p: string, why: string, err?: unknown): StorageError {
  return new StorageError(`Cannot back up '${p}': ${why}. The backup would be incomplete, so it was stopped.`, 'FILE_NOT_COPYABLE', {
    cause: err,
    category: 'ReadError',
  });
}

function fileTypeName(st: fs.Stats): string {
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file or folder';
}

/** Follows the link at `p`; throws a FILE_NOT_COPYABLE StorageError for a dangling link, a loop or access denied. */
async function followLink(p: string): Promise<{ st: fs.Stats; target: string }> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const to = await fs.promises.readlink(p).catch(() => '?');
    if (code === 'ENOENT' || code === 'ENOTDIR') throw notCopyable(p, `it is a link to '${to}', which does not exist (a dangling link)`, err);
    if (code === 'ELOOP') throw notCopyable(p, `it is a link that loops back on itself ('${to}')`, err);
    if (code === 'EACCES' || code === 'EPERM') throw notCopyable(p, `it is a link to '${to}', and access to it is denied`, err);
    throw notCopyable(p, `it is a link to '${to}' that cannot be followed (${code ?? String(err)})`, err);
  }
  const target = await fs.promises.realpath(p);
  return { st, target };
}

/**
 * Every file under `dir`, sorted. Symbolic links and junctions (Node reports
 * a junction as a symbolic link) are followed: the content they point at is
 * what is copied, and each such file carries `linkTarget`. A link that cannot
 * be followed, a folder link that leads back into its own ancestors, and
 * anything that is not a plain file or folder (pipe, socket, device) throw
 * FILE_NOT_COPYABLE (RELIABILITY.md promise 11: every file or none).
 */
export async function listFilesRecursive(dir: string, ancestors: Set<string> = new Set(), viaLink = false): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  const chain = new Set(ancestors).add(await fs.promises.realpath(dir));
  const entries = await fs.promises.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isSymbolicLink()) {
      const { st, target } = await followLink(full);
      if (st.isDirectory()) {
        if (chain.has(target)) throw notCopyable(full, `it is a link to '${target}', one of its own parent folders (a loop)`);
        out.push(...(await listFilesRecursive(full, chain, true)));
      } else if (st.isFile()) out.push({ path: full, linkTarget: target });
      else throw notCopyable(full, `it is a link to '${target}', which is ${fileTypeName(st)}`);
    } else if (e.isDirectory()) out.push(...(await listFilesRecursive(full, chain, viaLink)));
    else if (e.isFile()) out.push(viaLink ? { path: full, linkTarget: await fs.promises.realpath(full) } : { path: full });
    else throw notCopyable(full, `it is ${fileTypeName(await fs.promises.lstat(full))}`);
  }
  return out;
}

/**
 * Backup-CriticalFiles: copies the mode's files into `<staging>/Config/…`,
 * hashing each copy. A required or unreadable file stops the backup: an
 * archive silently missing a Keys file is worse than none.
 */
export async function backupCriticalFiles(o: CriticalFilesOptions): Promise<FileBackupResult> {
  const defs = o.definitions ?? criticalFiles(o.mode, {
    programDataPath: o.programDataPath,
    installPath: o.installPath,
    includeKeys: o.includeKeys,
    includeConfigFile: o.includeConfigFile,
    includeConnectorTools: o.includeConnectorTools,
  });
  const result: FileBackupResult = {
    Success: false,
    StagingPath: o.stagingDir,
    FilesBackedUp: 0,
    TotalSizeBytes: 0,
    Files: [],
    Skipped: [],
    Warnings: [],
  };
  const warn = (m: string) => {
    result.Warnings.push(m);
    o.log.warn(m);
  };
  const taken = new Set<string>();
  const installTime = o.serviceExecutable ? (await statOrUndefined(o.serviceExecutable))?.mtime : undefined;

  const copyOne = async (source: string, archivePath: string, linkTarget?: string): Promise<ManifestFileEntry> => {
    const target = path.join(o.stagingDir, ...archivePath.split('/'));
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    let copy;
    try {
      copy = await copyFileHashed(source, target, o.signal);
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw unreadable(source, err);
    }
    result.FilesBackedUp++;
    result.TotalSizeBytes += copy.sizeBytes;
    o.log.debug(`Copied ${source}${linkTarget ? ` (a link to ${linkTarget})` : ''} → ${archivePath} (${copy.sizeBytes} bytes, SHA256 ${copy.sha256})`);
    if (linkTarget) o.log.info(`${source} is a link; archived the content of ${linkTarget}.`);
    return {
      FilePath: source,
      RelativePathInArchive: archivePath,
      SizeBytes: copy.sizeBytes,
      LastModified: copy.mtime.toISOString(),
      SHA256: copy.sha256,
      ...(linkTarget ? { LinkTarget: linkTarget } : {}),
    };
  };

  for (const def of defs) {
    if (taken.has(def.archivePath)) continue;
    let stat: fs.Stats | undefined;
    try {
      stat = await statOrUndefined(def.sourcePath);
    } catch (err) {
      throw unreadable(def.sourcePath, err);
    }
    if (!stat) {
      // A dangling link is not a missing file: something is there, and its content cannot be read.
      if ((await fs.promises.lstat(def.sourcePath).catch(() => undefined))?.isSymbolicLink()) await followLink(def.sourcePath);
      handleMissing(def, result, warn, o.log);
      continue;
    }
    const isLink = (await fs.promises.lstat(def.sourcePath)).isSymbolicLink();
    const linkTarget = isLink ? (await followLink(def.sourcePath)).target : undefined;
    if (def.type === 'Directory') {
      if (!stat.isDirectory()) throw new ValidationError(`'${def.sourcePath}' should be a folder but is a file.`, 'REQUIRED_FILE_MISSING');
      let files: ListedFile[];
      try {
        files = await listFilesRecursive(def.sourcePath, new Set(), isLink);
      } catch (err) {
        if (err instanceof StorageError) throw err;
        throw unreadable(def.sourcePath, err);
      }
      if (files.length === 0 && def.warnIfMissing) warn(`${def.description}: '${def.sourcePath}' is empty. Restores that need these keys will fail.`);
      let total = 0;
      for (const f of files) {
        const rel = path.relative(def.sourcePath, f.path).split(path.sep).join('/');
        const entry = await copyOne(f.path, def.archivePath + rel, f.linkTarget);
        total += entry.SizeBytes;
        result.Files.push(entry);
      }
      if (files.length === 0) await fs.promises.mkdir(path.join(o.stagingDir, ...def.archivePath.split('/')), { recursive: true });
      result.Files.push({
        FilePath: def.sourcePath,
        RelativePathInArchive: def.archivePath,
        Type: 'Directory',
        FileCount: files.length,
        TotalSizeBytes: total,
        SHA256: null,
      });
      taken.add(def.archivePath);
      continue;
    }
    if (def.condition === 'CheckIfModified' && !isModifiedAfterInstall(stat.mtime, installTime)) {
      result.Skipped.push({ FilePath: def.sourcePath, Reason: 'not modified since install' });
      o.log.info(`Skipping ${def.sourcePath}: not modified since install.`);
      taken.add(def.archivePath);
      continue;
    }
    if (!stat.isFile()) throw notCopyable(def.sourcePath, `it is ${fileTypeName(stat)}`);
    result.Files.push(await copyOne(def.sourcePath, def.archivePath, linkTarget));
    taken.add(def.archivePath);
  }
  result.Success = true;
  return result;
}

function handleMissing(def: CriticalFileDefinition, result: FileBackupResult, warn: (m: string) => void, log: Log): void {
  if (def.required) {
    throw new ValidationError(`Required file '${def.sourcePath}' (${def.description}) does not exist. Check AlteryxConfiguration.ProgramDataPath.`, 'REQUIRED_FILE_MISSING', {
      category: 'ObjectNotFound',
    });
  }
  if (def.warnIfMissing) {
    warn(
      `CRITICAL: ${def.description} folder '${def.sourcePath}' is missing. Without it, DCM and shared Gallery connections cannot be decrypted after a restore.`,
    );
  } else {
    log.info(`Optional file not present: ${def.sourcePath}`);
  }
  result.Skipped.push({ FilePath: def.sourcePath, Reason: 'not present' });
}

/**
 * Opens every file the mode will copy, before any service is touched: a
 * locked or unreadable Keys file must fail the run while Alteryx is still
 * up, not after the downtime has been spent on the dump.
 */
export async function findUnreadableCriticalFiles(o: Pick<CriticalFilesOptions, 'mode' | 'programDataPath' | 'installPath' | 'includeKeys' | 'includeConfigFile' | 'includeConnectorTools'>): Promise<StorageError | undefined> {
  const problems: string[] = [];
  const tryOpen = async (file: string) => {
    try {
      const lst = await fs.promises.lstat(file).catch(() => undefined);
      if (lst?.isSymbolicLink()) await followLink(file);
      const st = await fs.promises.stat(file);
      // Opening a named pipe would block: check the type first.
      if (!st.isFile()) throw notCopyable(file, `it is ${fileTypeName(st)}`);
      const fh = await fs.promises.open(file, 'r');
      await fh.close();
    } catch (err) {
      if (err instanceof StorageError) problems.push(err.message);
      else if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(unreadable(file, err).message);
    }
  };
  for (const def of criticalFiles(o.mode, o)) {
    if (def.type === 'File') {
      await tryOpen(def.sourcePath);
      continue;
    }
    let files: ListedFile[] = [];
    try {
      files = await listFilesRecursive(def.sourcePath);
    } catch (err) {
      if (err instanceof StorageError) problems.push(err.message);
      else if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(unreadable(def.sourcePath, err).message);
    }
    for (const f of files) await tryOpen(f.path);
  }
  if (problems.length === 0) return undefined;
  return new StorageError(problems.length === 1 ? problems[0] : `${problems.length} files cannot be read: ${problems.join(' ')}`, 'FILE_UNREADABLE', {
    details: problems,
    category: 'ReadError',
  });
}

/** The precondition checked before any service is touched. */
export async function checkRequiredFiles(programDataPath: string): Promise<string[]> {
  const problems: string[] = [];
  const rs = path.join(programDataPath, 'RuntimeSettings.xml');
  try {
    await fs.promises.access(rs, fs.constants.R_OK);
  } catch {
    problems.push(`Required file '${rs}' does not exist or cannot be read.`);
  }
  return problems;
}
