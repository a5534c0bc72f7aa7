import type { NodeRole } from '../config/config-types';
import type { ServiceStartType, ServiceState } from '../platform/platform';

/** The logging interface the service layer needs; structurally the same as the app's `Log`. */
export interface ServiceLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  success(message: string): void;
}

/**
 * Sent the moment the service changes hands, so the CLI can forward it to the
 * PowerShell bridge as `{"type":"service","event":...,"host":...}`.
 * `stopped` is sent just BEFORE the stop control goes out: if node dies while
 * the service is StopPending, the bridge must still restart it.
 * `started` is sent once the service is confirmed Running.
 */
export interface ServiceEvent {
  event: 'stopped' | 'started';
  /** undefined for the local machine. */
  host?: string;
}

export type ServiceEventHandler = (e: ServiceEvent) => void;

/** The data model's ServiceStateInfo (section 3.1), plus Host and StartType. */
export interface ServiceStateInfo {
  ServiceName: string;
  /** The machine's name; the local hostname when the service is local. */
  Host: string;
  InitialState: ServiceState;
  CurrentState: ServiceState;
  /** What the last operation aimed for; null for a plain query. */
  TargetState: 'Stopped' | 'Running' | null;
  StartType: ServiceStartType;
  HasActiveWorkflows: boolean;
  WorkflowCheckCount: number;
  WorkflowWaitSeconds: number;
  /** ISO 8601; when the service reached (or failed to reach) TargetState. */
  StateChangeTimestamp: string | null;
  StateChangeSuccess: boolean;
  StateChangeError: string | null;
  /** True once we have sent a stop: the service must be started again. */
  RequiresRollback: boolean;
  /** PIDs of AlteryxEngineCmd processes killed because ForceStopWorkflows was set. */
  KilledWorkflowPids: number[];
  /** Running AlteryxEngineCmd processes when last counted (Test-AlteryxServiceState, CONTRACTS.md §2). */
  WorkflowProcessCount?: number;
  /** The service hung in StopPending and its process tree was ended (ForceStopServiceAfterSeconds). */
  ForcedStop?: boolean;
}

/** One node of the topology. `host` undefined means this machine (no `\\host`). */
export interface ServiceNode {
  hostname: string;
  host: string | undefined;
  role: NodeRole;
}

/** One service action that actually ran, for the manifest. */
export interface ServiceStep {
  host: string;
  role: NodeRole;
  action: 'stop' | 'start';
  /** ISO 8601 start of the action. */
  at: string;
  durationMs: number;
  result: 'ok' | 'skipped' | 'failed';
  /** State found before acting. */
  initialState: ServiceState;
  finalState: ServiceState;
  /** Why it was skipped or failed. */
  note?: string;
  /** True when this step was a rollback after a failure. */
  rollback?: boolean;
}
