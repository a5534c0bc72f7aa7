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

/** The data model's BackupExecutionState (§3.3), kept as the run goes. */
export class ExecutionState {
  readonly ExecutionId = randomUUID();
  readonly StartTime: Date;
  EndTime: Date | null = null;
  Phase: PhaseName = 'Initialize';
  Status: 'Running' | 'Success' | 'Failed' | 'Warning' = 'Running';
  ExitCode = 0;
  FilesBackedUp = 0;
  TotalSizeBytes = 0;
  readonly Errors: Array<{ Phase: PhaseName; Message: string; Exception: string | null; Timestamp: string }> = [];
  readonly Warnings: Array<{ Phase: PhaseName; Message: string; Timestamp: string }> = [];
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

  get DurationSeconds(): number {
    return Math.round((((this.EndTime ?? this.clock()).getTime() - this.StartTime.getTime()) / 1000) * 10) / 10;
  }

  warn(message: string): void {
    this.Warnings.push({ Phase: this.Phase, Message: message, Timestamp: this.clock().toISOString() });
  }

  fail(message: string, exception?: string): void {
    this.Errors.push({ Phase: this.Phase, Message: message, Exception: exception ?? null, Timestamp: this.clock().toISOString() });
  }
}
