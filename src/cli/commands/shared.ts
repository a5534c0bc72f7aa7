import * as path from 'node:path';
import { parseBackupMode, type BackupMode } from '../../core/backup-mode';
import { ValidationError } from '../../core/errors';
import type { ConfigOverrides } from '../../config/load-config';
import type { CommandContext } from '../command-context';

/** The configuration overrides every backup-shaped cmdlet accepts (Invoke-AlteryxBackup, Initialize-BackupEnvironment). */
export function backupOverrides(ctx: CommandContext): ConfigOverrides {
  const p = ctx.params;
  return {
    BackupMode: p.string('BackupMode'),
    TempDirectory: p.string('TempDirectory'),
    LocalBackupPath: p.string('LocalBackupPath'),
    NetworkBackupPath: p.strings('NetworkBackupPath'),
    LogDirectory: p.string('LogDirectory'),
    MongoDBType: p.string('MongoDBType'),
    MaxServiceWait: p.number('MaxServiceWait'),
    RetentionDays: p.number('RetentionDays'),
    StopServiceForExternalDB: p.bool('StopServiceForExternalDB'),
    SmtpUsername: p.string('SmtpUsername'),
  };
}

export function serviceEvents(ctx: CommandContext) {
  return (e: { event: 'stopped' | 'started'; host?: string }) => ctx.sink.service(e.event, e.host);
}

export function absolute(name: string, value: string): string {
  if (!path.isAbsolute(value)) throw new ValidationError(`-${name}: must be an absolute path, got "${value}".`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
  return value;
}

export function modeOf(ctx: CommandContext, name = 'BackupMode'): BackupMode {
  return parseBackupMode(ctx.params.requiredString(name), `-${name}`);
}

/** The first of several parameter names that was given (a contract name and its older alias). */
export function firstString(ctx: CommandContext, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = ctx.params.string(n);
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/** Case-insensitive field of a PowerShell hashtable sent as JSON. */
export function get(o: unknown, name: string): unknown {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const obj = o as Record<string, unknown>;
  const k = Object.keys(obj).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : obj[k];
}
