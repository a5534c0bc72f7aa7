import { ARCHIVE_NAME_PATTERN, BACKUP_MODES, type BackupMode } from '../core/backup-mode';
import { ValidationError } from '../core/errors';

/** One archive found in a location, as retention sees it. */
export interface BackupEntry {
  name: string;
  mode: BackupMode;
  /** From the name (`yyyyMMdd_HHmmss`), never from file times, which copies and restores change. */
  timestamp: Date;
  /** Its `.sha256` sidecar exists and is well-formed: the backup was verified when it was published. */
  verified: boolean;
}

export type RetentionAction = 'keep' | 'remove';

export interface RetentionDecision {
  name: string;
  action: RetentionAction;
  reason: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Refuses a policy that could delete everything: every mode needs a finite
 * number of days greater than zero. All errors are reported at once.
 */
export function validateRetentionDays(retentionDays: Record<BackupMode, number>): void {
  const errors: string[] = [];
  for (const mode of BACKUP_MODES) {
    const days = (retentionDays as Partial<Record<BackupMode, unknown>> | undefined)?.[mode];
    if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0) {
      errors.push(`RetentionDays.${mode}: ${String(days)} is not a number of days greater than zero.`);
    }
  }
  if (errors.length > 0) {
    throw new ValidationError(`Retention policy refused: ${errors.join(' ')}`, 'RETENTION_POLICY_INVALID', { details: errors });
  }
}

/**
 * Remove-OldBackups' policy, as a pure function (restic's snapshot_policy):
 * a list of backups, a number of days per mode and the current time in,
 * one keep/remove decision with its reason per backup out, in input order.
 *
 * Per mode, independently:
 * - A name that does not match our own pattern is kept, whatever it claims.
 * - A backup dated in the future (clock skew, a restored server) is kept,
 *   and never counts as a newer backup.
 * - The newest verified backup that is not in the future is always kept.
 * - A backup older than the retention (age > days, strictly) is removed
 *   only if a newer verified backup exists. An unverified backup never
 *   counts as newer, so a run of failed backups cannot rotate away the
 *   last good one; an expired backup with nothing verified after it stays.
 * - Everything else is within retention and kept.
 */
export function decideRetention(
  backups: readonly BackupEntry[],
  retentionDays: Record<BackupMode, number>,
  now: Date,
): RetentionDecision[] {
  validateRetentionDays(retentionDays);
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) throw new ValidationError('Retention: the current time is not a valid date.', 'RETENTION_POLICY_INVALID');

  const ours = (b: BackupEntry) => ARCHIVE_NAME_PATTERN.test(b.name) && Number.isFinite(b.timestamp.getTime());
  const isFuture = (b: BackupEntry) => b.timestamp.getTime() > nowMs;

  // The newest verified, not-future backup of each mode: the one that must survive.
  const newestVerified = new Map<BackupMode, BackupEntry>();
  for (const b of backups) {
    if (!ours(b) || !b.verified || isFuture(b)) continue;
    const current = newestVerified.get(b.mode);
    if (!current || b.timestamp.getTime() > current.timestamp.getTime()) newestVerified.set(b.mode, b);
  }

  return backups.map((b): RetentionDecision => {
    if (!ours(b)) return { name: b.name, action: 'keep', reason: 'not one of our archive names; never touched' };
    if (isFuture(b)) return { name: b.name, action: 'keep', reason: 'dated in the future; kept, and not counted as a newer backup' };
    const days = retentionDays[b.mode];
    const ageDays = (nowMs - b.timestamp.getTime()) / DAY_MS;
    const age = `${ageDays.toFixed(1)} days old`;
    const newest = newestVerified.get(b.mode);
    if (newest === b) return { name: b.name, action: 'keep', reason: `newest verified ${b.mode} backup (${age}); always kept` };
    if (ageDays <= days) return { name: b.name, action: 'keep', reason: `${age}, within the ${days}-day ${b.mode} retention` };
    if (!newest || newest.timestamp.getTime() <= b.timestamp.getTime()) {
      return {
        name: b.name,
        action: 'keep',
        reason: `${age}, past the ${days}-day ${b.mode} retention, but no newer verified ${b.mode} backup exists`,
      };
    }
    return {
      name: b.name,
      action: 'remove',
      reason: `${age}, past the ${days}-day ${b.mode} retention; newer verified backup ${newest.name} exists`,
    };
  });
}
