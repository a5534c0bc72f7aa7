import * as path from 'node:path';
import type { BackupStatus } from '../notify/backup-summary';
import { formatDuration } from '../notify/backup-summary';
import { STATUS_WORD, type NotificationContent } from '../notify/email';
import type { RestoreResult } from './run-restore';

/** Success with warnings is Warning, any non-zero exit code (Failed, RolledBack, RollbackFailed) is Failed. */
export function restoreNotificationStatus(r: Pick<RestoreResult, 'ExitCode' | 'Warnings'>): BackupStatus {
  if (r.ExitCode !== 0) return 'Failed';
  return r.Warnings.length > 0 ? 'Warning' : 'Success';
}

/** `[AlteryxBackup] FAILED Full restore on ALTERYX-PROD-01 from ServerBackup_Full_20260114_020015.zip`. */
export function restoreNotificationSubject(r: RestoreResult): string {
  const mode = r.RestoreMode ? `${r.RestoreMode} ` : '';
  return `[AlteryxBackup] ${STATUS_WORD[restoreNotificationStatus(r)]} ${mode}restore on ${r.Host} from ${path.basename(r.ArchivePath)}`;
}

/** The restore result as text lines, for the email body. */
export function formatRestoreResultText(r: RestoreResult): string {
  const lines = [
    `Status:        ${r.Status} (exit code ${r.ExitCode})`,
    `Restore mode:  ${r.RestoreMode ?? '(not decided)'}`,
    `Archive:       ${r.ArchivePath}`,
    `Host:          ${r.Host}${r.SourceHost ? ` (backup taken on ${r.SourceHost})` : ''}`,
    `Duration:      ${formatDuration(r.DurationSeconds)}`,
    `Downtime:      ${r.DowntimeSeconds === null ? 'none (service not stopped)' : formatDuration(r.DowntimeSeconds)}`,
  ];
  if (r.DocumentsExpected !== null) lines.push(`Documents:     ${r.DocumentsRestored ?? 0} restored of ${r.DocumentsExpected} expected`);
  lines.push(`Files:         ${r.Files.length} restored, ${r.Files.filter((f) => f.Verified === true).length} verified`);
  const ran = r.Phases.filter((p) => p.Status !== 'NotRun' && p.Status !== 'Pending').map((p) => `${p.Phase} ${p.Status}`);
  if (ran.length > 0) lines.push(`Phases:        ${ran.join(', ')}`);
  if (r.SafetyCopyPath) lines.push(`Safety copy:   ${r.SafetyCopyPath}`);
  if (r.RolledBack) lines.push('Rolled back:   yes, the server is as it was before the restore');
  if (r.Errors.length > 0) {
    lines.push(`Errors (${r.Errors.length}):`);
    for (const e of r.Errors) lines.push(`  - ${e}`);
  }
  if (r.Warnings.length > 0) {
    lines.push(`Warnings (${r.Warnings.length}):`);
    for (const w of r.Warnings) lines.push(`  - ${w}`);
  }
  lines.push(`Log:           ${r.LogPath ?? '(none)'}`);
  return lines.join('\n');
}

/** A restore's result as the content of the same email the backup sends. */
export function restoreNotificationContent(r: RestoreResult): NotificationContent {
  return {
    Status: restoreNotificationStatus(r),
    ExitCode: r.ExitCode,
    Kind: 'restore',
    Subject: restoreNotificationSubject(r),
    SummaryText: formatRestoreResultText(r),
    LogPath: r.LogPath,
  };
}
