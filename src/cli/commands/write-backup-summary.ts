import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseBackupMode } from '../../core/backup-mode';
import { ValidationError } from '../../core/errors';
import { formatLogTimestamp } from '../../logging/logger';
import { formatDuration, statusFor } from '../../notify/backup-summary';
import type { CommandContext, CommandOutcome } from '../command-context';
import { get } from './shared';
import { absolute } from './shared';

const STATUSES = ['Running', 'Success', 'Failed', 'Warning'] as const;
const GB = 1024 * 1024 * 1024;
const round3 = (n: number) => Math.round(n * 1000) / 1000;

function bad(message: string): ValidationError {
  return new ValidationError(`-BackupState: ${message}`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
}

function num(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${name} must be a number.`);
  return v;
}

function date(v: unknown, name: string): Date | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const d = new Date(String(v));
  if (Number.isNaN(d.getTime())) throw bad(`${name} '${String(v)}' is not a date.`);
  return d;
}

function count(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (typeof v === 'number') return v;
  return 0;
}

function destinationCounts(state: Record<string, unknown>): { copied: number; failed: number } {
  const copied = num(get(state, 'DestinationsCopied'), 'DestinationsCopied');
  const failed = num(get(state, 'DestinationsFailed'), 'DestinationsFailed');
  if (copied !== undefined || failed !== undefined) return { copied: copied ?? 0, failed: failed ?? 0 };
  // A Copy-BackupToDestinations result kept in the state.
  const results = get(state, 'DestinationResults') ?? get(get(state, 'CopyResult'), 'DestinationResults');
  if (results && typeof results === 'object' && !Array.isArray(results)) {
    const values = Object.values(results as Record<string, unknown>);
    const ok = values.filter((r) => get(r, 'Success') === true).length;
    return { copied: ok, failed: values.length - ok };
  }
  return { copied: 0, failed: 0 };
}

/**
 * Write-BackupSummary -BackupState -LogPath (CONTRACTS.md §13): the summary
 * of a BackupExecutionState (data model §3.3). Status and ExitCode come from
 * the state, never from the log; a state without ExitCode is refused.
 */
export async function summaryFromState(ctx: CommandContext): Promise<CommandOutcome> {
  const state = ctx.params.raw('BackupState');
  if (state === null || typeof state !== 'object' || Array.isArray(state)) throw bad('must be a BackupExecutionState hashtable (data model §3.3).');
  const s = state as Record<string, unknown>;
  const logPath = absolute('LogPath', ctx.params.requiredString('LogPath'));
  const mode = parseBackupMode(get(s, 'BackupMode'), '-BackupState.BackupMode');
  const exitCode = num(get(s, 'ExitCode'), 'ExitCode');
  if (exitCode === undefined || !Number.isInteger(exitCode) || exitCode < 0 || exitCode > 6) {
    throw bad('ExitCode (0-6) is required: Write-BackupSummary reports the run\'s exit code and never guesses it.');
  }
  const warnings = count(get(s, 'Warnings'));
  const errors = count(get(s, 'Errors'));
  const statusRaw = get(s, 'Status');
  if (statusRaw !== undefined && statusRaw !== null && !(STATUSES as readonly unknown[]).includes(statusRaw)) throw bad(`Status must be one of ${STATUSES.join(', ')}, got '${String(statusRaw)}'.`);
  const status = (statusRaw as string | undefined) ?? statusFor(exitCode, warnings, errors);
  const start = date(get(s, 'StartTime'), 'StartTime');
  if (!start) throw bad('StartTime is required.');
  const end = date(get(s, 'EndTime'), 'EndTime') ?? new Date();
  const duration = num(get(s, 'DurationSeconds'), 'DurationSeconds') ?? Math.max(0, Math.round((end.getTime() - start.getTime()) / 1000));
  const totalBytes = num(get(s, 'TotalSizeBytes'), 'TotalSizeBytes');
  const archiveBytes = num(get(s, 'ArchiveSizeBytes'), 'ArchiveSizeBytes');
  const ratio = num(get(s, 'CompressionRatio'), 'CompressionRatio') ?? (archiveBytes !== undefined && totalBytes ? Math.round((archiveBytes / totalBytes) * 100) / 100 : null);
  const dest = destinationCounts(s);
  const summary = {
    BackupMode: mode,
    Status: status,
    ExitCode: exitCode,
    StartTime: start.toISOString(),
    EndTime: end.toISOString(),
    DurationSeconds: duration,
    DurationFormatted: formatDuration(duration),
    FilesBackedUp: num(get(s, 'FilesBackedUp'), 'FilesBackedUp') ?? 0,
    TotalSizeGB: totalBytes === undefined ? null : round3(totalBytes / GB),
    ArchiveSizeGB: archiveBytes === undefined ? null : round3(archiveBytes / GB),
    CompressionRatio: ratio,
    DestinationsCopied: dest.copied,
    DestinationsFailed: dest.failed,
    Warnings: warnings,
    Errors: errors,
    LogFile: logPath,
    ExecutionId: get(s, 'ExecutionId') ?? null,
    Phase: get(s, 'Phase') ?? null,
    ArchivePath: get(s, 'ArchivePath') ?? null,
  };
  const lines = [
    `===== ${mode} backup summary =====`,
    `Status:        ${status} (exit code ${exitCode})`,
    `Started:       ${summary.StartTime}`,
    `Finished:      ${summary.EndTime}`,
    `Duration:      ${summary.DurationFormatted}`,
    `Files:         ${summary.FilesBackedUp}${summary.TotalSizeGB !== null ? ` (${summary.TotalSizeGB} GB)` : ''}`,
    `Archive:       ${summary.ArchivePath ?? '(none)'}${summary.ArchiveSizeGB !== null ? ` (${summary.ArchiveSizeGB} GB${ratio !== null ? `, ratio ${ratio}` : ''})` : ''}`,
    `Destinations:  ${dest.copied} copied, ${dest.failed} failed`,
    `Warnings:      ${warnings}`,
    `Errors:        ${errors}`,
  ];
  const level = status === 'Failed' ? 'ERROR' : status === 'Warning' ? 'WARNING' : 'SUCCESS';
  const ts = formatLogTimestamp(new Date());
  await fs.promises.mkdir(path.dirname(logPath), { recursive: true });
  await fs.promises.appendFile(logPath, lines.map((l) => `${ts} [${level === 'SUCCESS' ? 'SUCCESS' : 'INFO'}] ${ctx.redactor.text(l)}`).join('\n') + '\n', 'utf8');
  for (const l of lines) ctx.log.info(l);
  return { data: summary };
}
