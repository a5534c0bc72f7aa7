import * as fs from 'node:fs';
import * as path from 'node:path';
import { StorageError, ValidationError, type BackupError } from './errors';

/**
 * File-system errors on configured paths, mapped by what they mean
 * (RELIABILITY.md promise 10: no file-system error reaches the user as 1):
 * - the path has the wrong shape (a file where a folder belongs, a folder
 *   where the lock file belongs, a missing parent): exit 3, a configuration
 *   problem, code PATH_INVALID;
 * - the path cannot be written (access denied, read-only volume, disk full,
 *   I/O error): exit 4, code `unwritableCode`.
 */
const SHAPE_CODES = new Set(['EEXIST', 'ENOTDIR', 'EISDIR', 'ENOENT', 'ELOOP', 'ENAMETOOLONG']);

export function isPathShapeError(err: unknown): boolean {
  return SHAPE_CODES.has((err as NodeJS.ErrnoException | undefined)?.code ?? '');
}

export function describeFsError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full';
    case 'EACCES':
    case 'EPERM':
      return 'access is denied';
    case 'EROFS':
      return 'the volume is read-only';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EEXIST':
      return 'a file is in the way where a folder should be';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ENOENT':
      return 'a part of the path does not exist';
    case 'ELOOP':
      return 'the path loops through links';
    default:
      return e.message;
  }
}

/**
 * `setting` is the configuration name (e.g. `LogDirectory`), `p` its value;
 * `what` says what was being done ("the log file cannot be created there").
 */
export function pathError(setting: string, p: string, err: unknown, unwritableCode: string, what: string): BackupError {
  const e = underlyingMkdirError(p, err as NodeJS.ErrnoException);
  const code = e?.code ?? 'EIO';
  const reason = `${describeFsError(e)} (${code})`;
  const lead = `${setting} '${p}'${what ? `: ${what}` : ''}`;
  if (isPathShapeError(e)) {
    return new ValidationError(`${lead}: ${reason}. Point ${setting} at a folder that exists or can be created.`, 'PATH_INVALID', {
      cause: err,
      category: 'InvalidArgument',
    });
  }
  return new StorageError(`${lead}: ${reason}.`, unwritableCode, { cause: err, category: 'WriteError' });
}

/**
 * A recursive mkdir reports ENOENT when a missing parent cannot be created
 * (e.g. on a read-only volume); creating the first missing folder by itself
 * gives the real reason (EROFS, EACCES). Anything else is returned unchanged.
 */
function underlyingMkdirError(p: string, err: NodeJS.ErrnoException): NodeJS.ErrnoException {
  if (err?.code !== 'ENOENT' || err.syscall !== 'mkdir') return err;
  let missing = path.resolve(p);
  for (;;) {
    const parent = path.dirname(missing);
    if (parent === missing) return err;
    if (fs.existsSync(parent)) break;
    missing = parent;
  }
  try {
    if (!fs.statSync(path.dirname(missing)).isDirectory()) return Object.assign(new Error(`ENOTDIR: ${path.dirname(missing)}`), { code: 'ENOTDIR' });
    fs.mkdirSync(missing);
    fs.rmdirSync(missing); // it could be created after all: report the original error
    return err;
  } catch (real) {
    return real as NodeJS.ErrnoException;
  }
}
