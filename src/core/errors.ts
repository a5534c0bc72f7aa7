/**
 * One error hierarchy. Every class owns its exit code (the data model's 0–6)
 * and a stable `code` string that the PowerShell bridge turns into the
 * ErrorRecord's ErrorId. Only the CLI entry point turns these into
 * `process.exitCode`.
 */

export const ExitCode = {
  Success: 0,
  GeneralError: 1,
  ServiceTimeout: 2,
  ValidationFailure: 3,
  StorageError: 4,
  MongoDBError: 5,
  InvalidBackupMode: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** PowerShell ErrorCategory names, so the bridge can build a real ErrorRecord. */
export type PsErrorCategory =
  | 'NotSpecified'
  | 'InvalidArgument'
  | 'InvalidData'
  | 'InvalidOperation'
  | 'OperationTimeout'
  | 'ResourceUnavailable'
  | 'ResourceBusy'
  | 'ObjectNotFound'
  | 'PermissionDenied'
  | 'WriteError'
  | 'ReadError'
  | 'OperationStopped'
  | 'ConnectionError';

export interface ErrorOptions {
  cause?: unknown;
  /** Extra, already-redacted facts for the caller (e.g. every config error). */
  details?: string[];
  category?: PsErrorCategory;
}

export abstract class BackupError extends Error {
  abstract readonly exitCode: ExitCode;
  abstract readonly code: string;
  readonly details: string[];
  readonly categoryOverride?: PsErrorCategory;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details ?? [];
    this.categoryOverride = options.category;
  }

  get category(): PsErrorCategory {
    return this.categoryOverride ?? this.defaultCategory();
  }

  protected defaultCategory(): PsErrorCategory {
    return 'NotSpecified';
  }
}

/** Exit 1: anything unexpected, including bugs. */
export class GeneralBackupError extends BackupError {
  readonly exitCode = ExitCode.GeneralError;
  constructor(message: string, readonly code = 'GENERAL_ERROR', options?: ErrorOptions) {
    super(message, options);
  }
}

/** Exit 2: the service or the workflows did not reach a state in time. */
export class ServiceTimeoutError extends BackupError {
  readonly exitCode = ExitCode.ServiceTimeout;
  constructor(message: string, readonly code = 'SERVICE_TIMEOUT', options?: ErrorOptions) {
    super(message, options);
  }
  protected override defaultCategory(): PsErrorCategory {
    return 'OperationTimeout';
  }
}

/** Exit 3: bad configuration, bad parameters, unmet preconditions, a busy lock. */
export class ValidationError extends BackupError {
  readonly exitCode = ExitCode.ValidationFailure;
  constructor(message: string, readonly code = 'VALIDATION_FAILED', options?: ErrorOptions) {
    super(message, options);
  }
  protected override defaultCategory(): PsErrorCategory {
    return 'InvalidData';
  }
}

/** Exit 4: disk full, unwritable destination, failed copy, failed verification of a copy. */
export class StorageError extends BackupError {
  readonly exitCode = ExitCode.StorageError;
  constructor(message: string, readonly code = 'STORAGE_ERROR', options?: ErrorOptions) {
    super(message, options);
  }
  protected override defaultCategory(): PsErrorCategory {
    return 'WriteError';
  }
}

/** Exit 5: dump failed, dump incomplete, server unreachable. */
export class MongoDBError extends BackupError {
  readonly exitCode = ExitCode.MongoDBError;
  constructor(message: string, readonly code = 'MONGODB_ERROR', options?: ErrorOptions) {
    super(message, options);
  }
  protected override defaultCategory(): PsErrorCategory {
    return 'InvalidData';
  }
}

/** Exit 6: the backup mode is not Full, DatabaseOnly or ConfigOnly. */
export class InvalidBackupModeError extends BackupError {
  readonly exitCode = ExitCode.InvalidBackupMode;
  readonly code = 'INVALID_BACKUP_MODE';
  protected override defaultCategory(): PsErrorCategory {
    return 'InvalidArgument';
  }
}

/** Exit 1 with its own code: the run was interrupted (Ctrl+C, SIGTERM). */
export class CancelledError extends BackupError {
  readonly exitCode = ExitCode.GeneralError;
  readonly code = 'CANCELLED';
  protected override defaultCategory(): PsErrorCategory {
    return 'OperationStopped';
  }
}

/** Exit 5: a restore step failed (mongorestore, the token, the restored files); the host was rolled back. */
export class RestoreFailedError extends BackupError {
  readonly exitCode = ExitCode.MongoDBError;
  constructor(message: string, readonly code = 'RESTORE_FAILED', options?: ErrorOptions) {
    super(message, options);
  }
  protected override defaultCategory(): PsErrorCategory {
    return 'InvalidData';
  }
}

/** Exit 1 with its own code: a restore's rollback itself failed. The message always names the safety copy. */
export class RollbackFailedError extends BackupError {
  readonly exitCode = ExitCode.GeneralError;
  readonly code = 'ROLLBACK_FAILED';
  protected override defaultCategory(): PsErrorCategory {
    return 'InvalidOperation';
  }
}

const FS_SYSCALLS = new Set([
  'open', 'close', 'read', 'write', 'mkdir', 'mkdtemp', 'rmdir', 'rm', 'unlink', 'rename', 'copyfile', 'stat', 'lstat', 'fstat',
  'scandir', 'opendir', 'realpath', 'readlink', 'symlink', 'link', 'access', 'chmod', 'fchmod', 'utime', 'futime', 'fsync', 'fdatasync', 'ftruncate',
]);

/** Maps anything thrown to a BackupError; unknown errors become exit 1, file-system errors never do. */
export function toBackupError(err: unknown): BackupError {
  if (err instanceof BackupError) return err;
  const e = err as NodeJS.ErrnoException | undefined;
  if (e && typeof e === 'object' && typeof e.code === 'string') {
    if (['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO'].includes(e.code)) {
      return new StorageError(e.message, `STORAGE_${e.code}`, { cause: err });
    }
    // Any other file-system error (it names a syscall): a storage problem, never "general" (RELIABILITY.md promise 10).
    if (typeof e.syscall === 'string' && FS_SYSCALLS.has(e.syscall) && /^E[A-Z]+$/.test(e.code)) {
      return new StorageError(e.message, `STORAGE_${e.code}`, { cause: err });
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return new GeneralBackupError(message, 'GENERAL_ERROR', { cause: err });
}

/** Errors whose retry would not help: disk full, access denied, read-only. */
export function isPermanentIoError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'EEXIST';
}
