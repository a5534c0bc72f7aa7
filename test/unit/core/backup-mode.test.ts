import { test } from 'node:test';
import assert from 'node:assert/strict';
import { archiveFileName, parseArchiveName, parseBackupMode, logFileName } from '../../../src/core/backup-mode';
import { ExitCode, InvalidBackupModeError } from '../../../src/core/errors';

test('archive names use Full, DB and Config suffixes', () => {
  const d = new Date(2026, 0, 14, 2, 0, 15);
  assert.equal(archiveFileName('Full', d), 'ServerBackup_Full_20260114_020015.zip');
  assert.equal(archiveFileName('DatabaseOnly', d), 'ServerBackup_DB_20260114_020015.zip');
  assert.equal(archiveFileName('ConfigOnly', d), 'ServerBackup_Config_20260114_020015.zip');
  assert.equal(logFileName('ConfigOnly', d), 'BackupLog_ConfigOnly_20260114_020015.log');
});

test('parseArchiveName round-trips every mode and rejects everything else', () => {
  const d = new Date(2026, 10, 26, 23, 59, 1);
  for (const mode of ['Full', 'DatabaseOnly', 'ConfigOnly'] as const) {
    const parsed = parseArchiveName(archiveFileName(mode, d));
    assert.ok(parsed);
    assert.equal(parsed.mode, mode);
    assert.equal(parsed.timestamp.getTime(), d.getTime());
  }
  for (const foreign of [
    'ServerBackup_DatabaseOnly_20260114_020015.zip', // the spec's buggy pattern
    'ServerBackup_Full_20260114_020015.zip.sha256',
    'ServerBackup_Full_20260114_020015.zip.partial',
    '.ServerBackup_Full_20260114_020015.zip.1234.partial',
    'ServerBackup_Full_20261341_020015.zip', // impossible date
    'serverbackup_full_20260114_020015.zip',
    'ServerBackup_Full_20260114_020015 (1).zip',
    'MyServerBackup_Full_20260114_020015.zip',
  ]) {
    assert.equal(parseArchiveName(foreign), undefined, foreign);
  }
});

test('parseBackupMode accepts the three modes case-insensitively and maps others to exit 6', () => {
  assert.equal(parseBackupMode('full'), 'Full');
  assert.equal(parseBackupMode('DATABASEONLY'), 'DatabaseOnly');
  assert.throws(() => parseBackupMode('Foo', '-BackupMode'), (e: unknown) => {
    assert.ok(e instanceof InvalidBackupModeError);
    assert.equal(e.exitCode, ExitCode.InvalidBackupMode);
    assert.match(e.message, /-BackupMode: 'Foo' is not a valid backup mode/);
    return true;
  });
  assert.throws(() => parseBackupMode(7), InvalidBackupModeError);
});
