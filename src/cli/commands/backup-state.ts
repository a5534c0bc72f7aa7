import type { BackupSummary } from '../../backup/run-backup';

/**
 * The data model's BackupExecutionState (§3.3) of a finished
 * Invoke-AlteryxBackup run, as a script passes it to
 * `Write-BackupSummary -BackupState`. Built from the run's summary, so both
 * agree; the archive and destination figures are our additions that let
 * Write-BackupSummary report them without reading the log.
 */
export function backupStateFromSummary(s: BackupSummary): Record<string, unknown> {
  const ran = s.Phases.filter((p) => p.Status === 'Succeeded' || p.Status === 'Failed');
  const failed = s.Phases.find((p) => p.Status === 'Failed');
  const counted = s.Phases.filter((p) => p.Status !== 'Skipped');
  const errorPhase = (text: string) => {
    const m = /^(\w+): /.exec(text);
    return m && s.Phases.some((p) => p.Phase === m[1]) ? m[1] : (failed?.Phase ?? 'Complete');
  };
  return {
    ExecutionId: s.ExecutionId,
    BackupMode: s.BackupMode,
    StartTime: s.StartTime,
    EndTime: s.EndTime,
    DurationSeconds: s.DurationSeconds,
    Phase: failed?.Phase ?? ran[ran.length - 1]?.Phase ?? 'Initialize',
    PhaseProgress: { Current: ran.length, Total: counted.length, Percentage: counted.length ? Math.round((ran.length / counted.length) * 100) : 0 },
    Status: s.Status,
    ExitCode: s.ExitCode,
    FilesBackedUp: s.FilesBackedUp,
    TotalSizeBytes: s.ArchiveSizeMB !== null && s.CompressionRatio ? Math.round((s.ArchiveSizeMB * 1048576) / s.CompressionRatio) : null,
    Errors: s.Errors.map((e) => ({ Phase: errorPhase(e), Message: e.replace(/^\w+: /, ''), Exception: null, Timestamp: s.EndTime })),
    Warnings: s.Warnings.map((w) => ({ Phase: failed?.Phase ?? 'Complete', Message: w, Timestamp: s.EndTime })),
    ArchivePath: s.ArchivePath,
    ArchiveSizeBytes: s.ArchiveSizeMB === null ? null : Math.round(s.ArchiveSizeMB * 1048576),
    CompressionRatio: s.CompressionRatio,
    DestinationsCopied: s.DestinationsSucceeded,
    DestinationsFailed: s.DestinationsTotal - s.DestinationsSucceeded,
    LogPath: s.LogPath,
  };
}
