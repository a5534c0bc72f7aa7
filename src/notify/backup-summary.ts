import type { BackupMode } from '../core/backup-mode';

export type BackupStatus = 'Success' | 'Warning' | 'Failed';

/** What the orchestrator knows at the end of a run; everything the summary needs and nothing more. */
export interface BackupSummaryInput {
  backupMode: BackupMode;
  /** The run's exit code (0–6), decided by the one place that maps errors to codes. */
  exitCode: number;
  host: string;
  startTime: Date;
  endTime: Date;
  /** The published local archive; absent when the run failed before publishing. */
  archivePath?: string;
  archiveSha256?: string;
  archiveSizeBytes?: number;
  /** Total bytes of what went into the archive, for the compression ratio. */
  contentSizeBytes?: number;
  /** Seconds the service was stopped; absent or 0 when it was not (ConfigOnly). */
  downtimeSeconds?: number;
  /** Every destination including Local, as in DistributionResult.Destinations. */
  destinations?: ReadonlyArray<{ Destination: string; Kind: string; Success: boolean }>;
  warnings?: readonly string[];
  errors?: readonly string[];
  logPath?: string;
}

/** The data model's SummaryObject: what Write-BackupSummary prints and Invoke-AlteryxBackup returns. */
export interface BackupSummary {
  /** Failed when the exit code is not 0; Warning when it is 0 but there were warnings or errors; else Success. */
  Status: BackupStatus;
  ExitCode: number;
  BackupMode: BackupMode;
  ArchivePath: string | null;
  ArchiveSHA256: string | null;
  ArchiveSizeMB: number | null;
  /** Archive size ÷ content size, 2 decimals (0.99 ≈ incompressible); null when unknown. */
  CompressionRatio: number | null;
  DurationSeconds: number;
  /** `45s`, `42m 18s`, `1h 02m 03s`. */
  DurationFormatted: string;
  DowntimeSeconds: number | null;
  DowntimeFormatted: string | null;
  DestinationsSucceeded: number;
  DestinationsTotal: number;
  FailedDestinations: string[];
  Warnings: string[];
  Errors: string[];
  LogPath: string | null;
  Host: string;
  /** ISO 8601 (UTC). */
  StartTime: string;
  EndTime: string;
}

/** `45s`, `42m 18s`, `1h 02m 03s`: what an admin reads in a mail subject line or a log. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(Number.isFinite(totalSeconds) ? totalSeconds : 0));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (hours > 0) return `${hours}h ${pad(minutes)}m ${pad(seconds)}s`;
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function statusFor(exitCode: number, warnings: number, errors: number): BackupStatus {
  if (exitCode !== 0) return 'Failed';
  return warnings > 0 || errors > 0 ? 'Warning' : 'Success';
}

export function buildBackupSummary(input: BackupSummaryInput): BackupSummary {
  const warnings = [...(input.warnings ?? [])];
  const errors = [...(input.errors ?? [])];
  const durationSeconds = Math.max(0, Math.round((input.endTime.getTime() - input.startTime.getTime()) / 1000));
  const destinations = input.destinations ?? [];
  const downtime = input.downtimeSeconds !== undefined && input.downtimeSeconds > 0 ? Math.round(input.downtimeSeconds) : null;
  const size = input.archiveSizeBytes;
  const ratio =
    size !== undefined && input.contentSizeBytes !== undefined && input.contentSizeBytes > 0 ? round2(size / input.contentSizeBytes) : null;
  return {
    Status: statusFor(input.exitCode, warnings.length, errors.length),
    ExitCode: input.exitCode,
    BackupMode: input.backupMode,
    ArchivePath: input.archivePath ?? null,
    ArchiveSHA256: input.archiveSha256 ?? null,
    ArchiveSizeMB: size !== undefined ? round2(size / (1024 * 1024)) : null,
    CompressionRatio: ratio,
    DurationSeconds: durationSeconds,
    DurationFormatted: formatDuration(durationSeconds),
    DowntimeSeconds: downtime,
    DowntimeFormatted: downtime !== null ? formatDuration(downtime) : null,
    DestinationsSucceeded: destinations.filter((d) => d.Success).length,
    DestinationsTotal: destinations.length,
    FailedDestinations: destinations.filter((d) => !d.Success).map((d) => `${d.Kind}: ${d.Destination}`),
    Warnings: warnings,
    Errors: errors,
    LogPath: input.logPath ?? null,
    Host: input.host,
    StartTime: input.startTime.toISOString(),
    EndTime: input.endTime.toISOString(),
  };
}

/** The summary as text lines, for the console (Write-BackupSummary) and the email body. */
export function formatBackupSummaryText(s: BackupSummary): string {
  const lines = [
    `Status:        ${s.Status} (exit code ${s.ExitCode})`,
    `Backup mode:   ${s.BackupMode}`,
    `Host:          ${s.Host}`,
    `Started:       ${s.StartTime}`,
    `Finished:      ${s.EndTime}`,
    `Duration:      ${s.DurationFormatted}`,
    `Downtime:      ${s.DowntimeFormatted ?? 'none (service not stopped)'}`,
    `Archive:       ${s.ArchivePath ?? '(none)'}`,
  ];
  if (s.ArchiveSizeMB !== null) lines.push(`Archive size:  ${s.ArchiveSizeMB} MB${s.CompressionRatio !== null ? ` (ratio ${s.CompressionRatio})` : ''}`);
  if (s.ArchiveSHA256) lines.push(`SHA256:        ${s.ArchiveSHA256}`);
  lines.push(`Destinations:  ${s.DestinationsSucceeded}/${s.DestinationsTotal} succeeded`);
  for (const f of s.FailedDestinations) lines.push(`  FAILED ${f}`);
  if (s.Errors.length > 0) {
    lines.push(`Errors (${s.Errors.length}):`);
    for (const e of s.Errors) lines.push(`  - ${e}`);
  }
  if (s.Warnings.length > 0) {
    lines.push(`Warnings (${s.Warnings.length}):`);
    for (const w of s.Warnings) lines.push(`  - ${w}`);
  }
  lines.push(`Log:           ${s.LogPath ?? '(none)'}`);
  return lines.join('\n');
}
