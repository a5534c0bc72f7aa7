import { randomUUID } from 'node:crypto';
import type { BackupMode } from '../core/backup-mode';
import type { PhaseName } from '../core/phase-plan';

export interface PhaseRecord {
  Phase: PhaseName;
  Status: 'Pending' | 'Skipped' | 'Running' | 'Succeeded' | 'Failed' | 'NotRun';
  StartTime: string | null;
  DurationSeconds: number | null;
  Reason: string;
}

/**
 * The data model's BackupExecutionState (§3.3), kept as the run goes. Status,
 * exit code, warnings and duration are not duplicated here: the summary takes
 * them from the error, the logger and the clock.
 */
export class ExecutionState {
  readonly ExecutionId = randomUUID();
  readonly StartTime: Date;
  EndTime: Date | null = null;
  Phase: PhaseName = 'Initialize';
  FilesBackedUp = 0;
  readonly Errors: Array<{ Phase: PhaseName; Message: string; Exception: string | null; Timestamp: string }> = [];
  readonly Phases: PhaseRecord[] = [];

  constructor(
    readonly BackupMode: BackupMode,
    private readonly clock: () => Date,
  ) {
    this.StartTime = clock();
  }

  get PhaseProgress(): { Current: number; Total: number; Percentage: number } {
    const total = this.Phases.filter((p) => p.Status !== 'Skipped').length || 1;
    const current = this.Phases.filter((p) => p.Status === 'Succeeded' || p.Status === 'Failed').length;
    return { Current: current, Total: total, Percentage: Math.round((current / total) * 100) };
  }

  fail(message: string, exception?: string): void {
    this.Errors.push({ Phase: this.Phase, Message: message, Exception: exception ?? null, Timestamp: this.clock().toISOString() });
  }
}
