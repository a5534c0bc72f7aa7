import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError,
  ExitCode,
  GeneralBackupError,
  InvalidBackupModeError,
  MongoDBError,
  RestoreFailedError,
  RollbackFailedError,
  ServiceTimeoutError,
  StorageError,
  ValidationError,
  isPermanentIoError,
  toBackupError,
} from '../../../src/core/errors';

test('each error class owns its exit code and a stable code', () => {
  const cases: Array<[Error & { exitCode: number; code: string }, number, string]> = [
    [new GeneralBackupError('x'), 1, 'GENERAL_ERROR'],
    [new ServiceTimeoutError('x'), 2, 'SERVICE_TIMEOUT'],
    [new ValidationError('x'), 3, 'VALIDATION_FAILED'],
    [new StorageError('x'), 4, 'STORAGE_ERROR'],
    [new MongoDBError('x'), 5, 'MONGODB_ERROR'],
    [new InvalidBackupModeError('x'), 6, 'INVALID_BACKUP_MODE'],
    [new CancelledError('x'), 1, 'CANCELLED'],
    [new RestoreFailedError('x'), 5, 'RESTORE_FAILED'],
    [new RestoreFailedError('x', 'MONGORESTORE_INCOMPLETE'), 5, 'MONGORESTORE_INCOMPLETE'],
    [new RollbackFailedError('x'), 1, 'ROLLBACK_FAILED'],
  ];
  for (const [err, exit, code] of cases) {
    assert.equal(err.exitCode, exit, err.name);
    assert.equal(err.code, code, err.name);
    assert.equal(err.name, err.constructor.name);
  }
});

test('toBackupError maps disk-full and access-denied to storage errors, anything else to exit 1', () => {
  const enospc = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
  const mapped = toBackupError(enospc);
  assert.equal(mapped.exitCode, ExitCode.StorageError);
  assert.equal(mapped.code, 'STORAGE_ENOSPC');
  assert.equal(toBackupError(new TypeError('bug')).exitCode, ExitCode.GeneralError);
  assert.equal(toBackupError('plain string').exitCode, ExitCode.GeneralError);
  // Any other file-system error is a storage error too, never exit 1; a non-file-system errno is left alone.
  const eexist = Object.assign(new Error("EEXIST: file already exists, mkdir '/x'"), { code: 'EEXIST', syscall: 'mkdir' });
  assert.equal(toBackupError(eexist).exitCode, ExitCode.StorageError);
  assert.equal(toBackupError(eexist).code, 'STORAGE_EEXIST');
  assert.equal(toBackupError(Object.assign(new Error('x'), { code: 'EISDIR', syscall: 'open' })).exitCode, ExitCode.StorageError);
  assert.equal(toBackupError(Object.assign(new Error('x'), { code: 'ECONNRESET', syscall: 'read' })).exitCode, ExitCode.StorageError);
  assert.equal(toBackupError(Object.assign(new Error('x'), { code: 'ENOENT', syscall: 'spawn x' })).exitCode, ExitCode.GeneralError);
  const v = new ValidationError('kept');
  assert.equal(toBackupError(v), v);
});

test('isPermanentIoError: disk full and access denied are permanent, a dropped share is not', () => {
  for (const code of ['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EDQUOT']) assert.equal(isPermanentIoError({ code }), true, code);
  for (const code of ['ECONNRESET', 'ENOENT', 'EIO', 'ETIMEDOUT', undefined]) assert.equal(isPermanentIoError({ code }), false, String(code));
});
