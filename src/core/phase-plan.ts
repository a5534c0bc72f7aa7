import { modeIncludesDatabase, modeIncludesFiles, type BackupMode } from './backup-mode';

export const PHASES = [
  'Initialize',
  'StopService',
  'BackupMongoDB',
  'StartService',
  'BackupFiles',
  'Archive',
  'Distribute',
  'Validate',
  'Cleanup',
  'Complete',
] as const;
export type PhaseName = (typeof PHASES)[number];

export interface PlannedPhase {
  phase: PhaseName;
  run: boolean;
  /** Why it runs or is skipped, in words an administrator can check. */
  reason: string;
}

export interface PlanInput {
  mode: BackupMode;
  /** Resolved type; 'auto' must be detected before planning. */
  mongoType: 'embedded' | 'self-managed';
  stopServiceForExternalDB: boolean;
  /** Hostnames in stop order (Workers, ServerUI, Controller); empty or one entry for a single node. */
  stopOrder: string[];
  /** Hostnames in start order (Controller, ServerUI, Workers). */
  startOrder: string[];
}

export interface PhasePlan {
  mode: BackupMode;
  stopsService: boolean;
  phases: PlannedPhase[];
  stopOrder: string[];
  startOrder: string[];
}

/** Whether this run must take AlteryxService down at all. */
export function planStopsService(mode: BackupMode, mongoType: 'embedded' | 'self-managed', stopForExternal: boolean): boolean {
  if (!modeIncludesDatabase(mode)) return false;
  return mongoType === 'embedded' || stopForExternal;
}

/**
 * The pure planner: (mode, MongoDB type, StopServiceForExternalDB, topology)
 * → the phases that will run. The service comes back up right after the
 * dump; everything after StartService runs with Alteryx live.
 */
export function planPhases(input: PlanInput): PhasePlan {
  const db = modeIncludesDatabase(input.mode);
  const files = modeIncludesFiles(input.mode);
  const stops = planStopsService(input.mode, input.mongoType, input.stopServiceForExternalDB);
  const serviceReason = !db
    ? `${input.mode} never touches the service`
    : stops
      ? input.mongoType === 'embedded'
        ? 'embedded MongoDB can only be dumped with the service stopped'
        : 'StopServiceForExternalDB is set'
      : 'self-managed MongoDB is dumped while the service runs (StopServiceForExternalDB is false)';
  const phases: PlannedPhase[] = [
    { phase: 'Initialize', run: true, reason: 'load configuration, check prerequisites, take the run lock' },
    { phase: 'StopService', run: stops, reason: stops ? `stop ${input.stopOrder.join(' → ') || 'AlteryxService'}: ${serviceReason}` : serviceReason },
    { phase: 'BackupMongoDB', run: db, reason: db ? `dump ${input.mongoType} MongoDB and verify the dump` : `${input.mode} has no database` },
    { phase: 'StartService', run: stops, reason: stops ? `start ${input.startOrder.join(' → ') || 'AlteryxService'} immediately after the dump` : serviceReason },
    { phase: 'BackupFiles', run: files, reason: files ? 'copy configuration files and export controller settings (service running)' : `${input.mode} copies no files` },
    { phase: 'Archive', run: true, reason: 'write the ZIP64 archive under a temporary name, verify it, then publish it' },
    { phase: 'Distribute', run: true, reason: 'copy to network and cloud destinations, verifying each copy' },
    { phase: 'Validate', run: true, reason: 'check size and checksums of what was published' },
    { phase: 'Cleanup', run: true, reason: 'remove the staging folder and apply retention' },
    { phase: 'Complete', run: true, reason: 'summary, log and notification' },
  ];
  return { mode: input.mode, stopsService: stops, phases, stopOrder: input.stopOrder, startOrder: input.startOrder };
}
