import * as path from 'node:path';
import { formatStamp, parseBackupMode } from '../core/backup-mode';
import { listBackups } from '../catalog/backup-catalog';
import { ValidationError } from '../core/errors';
import { runRestore } from '../restore/run-restore';
import type { CommandHandler } from './command-context';

/** Restore-AlteryxBackup: -ArchivePath, -RestoreMode, -Force, -AllowNewHost, -WhatIf. */
const restoreAlteryxBackup: CommandHandler = async (ctx) => {
  const archivePath = ctx.params.requiredString('ArchivePath');
  if (!path.isAbsolute(archivePath)) throw new ValidationError(`-ArchivePath: must be an absolute path, got "${archivePath}".`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
  // -SmtpCredential's user name, for the notification email (the password arrives as a secret).
  const config = ctx.config({ SmtpUsername: ctx.params.string('SmtpUsername') });
  const platform = ctx.platform(config);
  if (!ctx.request.whatIf) {
    const started = new Date();
    ctx.log.attachFile(config.LogDirectory, 'Maintenance', started, `RestoreLog_${formatStamp(started)}.log`);
  }
  const outcome = await runRestore({
    config,
    platform,
    log: ctx.log,
    redactor: ctx.redactor,
    sink: ctx.sink,
    signal: ctx.signal,
    archivePath,
    restoreMode: ctx.params.string('RestoreMode'),
    force: ctx.params.bool('Force') ?? false,
    allowNewHost: ctx.params.bool('AllowNewHost') ?? false,
    whatIf: ctx.request.whatIf,
  });
  return { data: outcome.result, error: outcome.error };
};

/** Get-AlteryxBackup: the catalog. -BackupMode, -Latest, -Verify. */
const getAlteryxBackup: CommandHandler = async (ctx) => {
  const mode = ctx.params.string('BackupMode');
  const config = ctx.config({});
  const entries = await listBackups({
    localBackupPath: config.LocalBackupPath,
    networkBackupPaths: config.NetworkBackupPaths,
    cloud: config.file.CloudConfiguration,
    secrets: config.secrets,
    hostname: ctx.platform(config).hostname(),
    mode: mode ? parseBackupMode(mode, '-BackupMode') : undefined,
    latest: ctx.params.bool('Latest') ?? false,
    verify: ctx.params.bool('Verify') ?? false,
    log: ctx.log,
    signal: ctx.signal,
  });
  for (const e of entries) for (const w of e.Warnings) ctx.log.warn(`${e.FileName}: ${w}`);
  ctx.log.info(`${entries.length} backup(s) found.`);
  return { data: entries };
};

export const RESTORE_COMMANDS: Record<string, CommandHandler> = {
  'Restore-AlteryxBackup': restoreAlteryxBackup,
  'Get-AlteryxBackup': getAlteryxBackup,
};
