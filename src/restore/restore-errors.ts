import { BackupError, ExitCode, type PsErrorCategory } from '../core/errors';

/** Exit 5: a restore step failed (mongorestore, the token, the restored files); the host was rolled back. */
export class RestoreFailedError extends BackupError {
  readonly exitCode = ExitCode.MongoDBError;
  constructor(message: string, readonly code = 'RESTORE_FAILED', options?: ConstructorParameters<typeof BackupError>[1]) {
    super(message, options);
  }
  protected override defaultCategory(): PsErrorCategory {
    return 'InvalidData';
  }
}

/** Exit 1: the rollback itself failed. The message always names the safety copy. */
export class RollbackFailedError extends BackupError {
  readonly exitCode = ExitCode.GeneralError;
  readonly code = 'ROLLBACK_FAILED';
  protected override defaultCategory(): PsErrorCategory {
    return 'InvalidOperation';
  }
}
