import { hostPaths, readJsonOr, writeJsonAtomic } from './host-layout';

/**
 * Fault switches: `sim/faults.json`, read fresh by every stand-in on each
 * action, so a test can flip one between two steps. test/README.md documents
 * each one; the names here are the contract.
 */

export type InitialState = 'Running' | 'Stopped' | 'Paused' | 'Disabled';

export interface Faults {
  // --- AlteryxService emongodump ---
  /** Exit with this code after writing a complete dump, printing no failure text. */
  dumpExitCode?: number;
  /** Print `EMongoDump failed ...` but exit 0 (the dump itself is complete). */
  dumpFailText?: boolean;
  /** Truncate this collection's .bson in the middle of a document (`true` = the largest collection). */
  dumpPartial?: boolean | string;
  /** Drop this many whole documents from the end of the largest collection; mongoDump.log still claims the full count. */
  dumpMissingDocs?: number;
  /** Flip the high bit of one document's terminating 0x00 byte in the largest collection. */
  dumpBitFlip?: boolean;
  /** Create the database folders but write no collections and an empty mongoDump.log. */
  dumpEmpty?: boolean;
  /** Leave out this database's folder (and its log lines). */
  dumpMissingDb?: string;
  /** Write the first collection, then hang until killed. */
  dumpHang?: boolean;
  /** Extra seconds the dump takes (simulates a large database). */
  dumpSeconds?: number;
  /** Allow emongodump while the service is not Stopped (normally it fails: the data files are locked). */
  dumpWhileRunning?: boolean;
  /** emongodump starts a mongod stand-in that holds mongod.lock and survives its parent, then hangs. */
  dumpChildSurvives?: boolean;

  // --- AlteryxService emongorestore / setserversecret ---
  /** emongorestore prints `EMongoRestore failed ...` and exits N after restoring the first collection only. */
  emongorestoreExitCode?: number;
  /** emongorestore restores half of the largest collection, reports the rest as failures in mongoRestore.log only, and exits 0. */
  emongorestorePartial?: boolean;
  /** emongorestore restores the first collection, then hangs until killed. */
  emongorestoreHang?: boolean;
  /** setserversecret fails (exit 1) and changes nothing. */
  setServerSecretFail?: boolean;

  // --- the service ---
  /** Stop requests are ignored: the service stays Running. */
  stopRefuse?: boolean;
  /** A stop goes to StopPending and stays there (a hung stop; only ending the process gets it out). */
  stopStuck?: boolean;
  /** A start goes to StartPending and stays there. */
  startStuck?: boolean;
  /** Seconds spent in StopPending (default 0.2). */
  stopSeconds?: number;
  /** Seconds spent in StartPending (default 0.2). */
  startSeconds?: number;
  /** Any start goes StartPending, then falls back to Stopped (the service won't start again). */
  startFail?: boolean;
  /** Force the service into this state when the switch is set (Disabled = Stopped with start type Disabled). */
  initialState?: InitialState;

  // --- workflows ---
  /** How many workflows to launch when the service reaches Running (with workflowsOnStart). */
  workflowCount?: number;
  /** How long each workflow runs. */
  workflowSeconds?: number;
  /** Launch workflowCount workflows each time the service reaches Running. */
  workflowsOnStart?: boolean;

  // --- the stand-in mongodump (self-managed) ---
  /** Exit with this code after writing a complete dump. */
  mongodumpExitCode?: number;
  /** Truncate the largest collection's output in the middle of a document; exit 0. */
  mongodumpPartial?: boolean;
  /** Write the first collection, then hang until killed. */
  mongodumpHang?: boolean;
  /** Fail authentication whatever the password. */
  mongodumpAuthFail?: boolean;
  /** Fail as if the server were unreachable. */
  mongodumpUnreachable?: boolean;
  /** Extra seconds mongodump takes. */
  mongodumpSeconds?: number;

  // --- the stand-in mongorestore (self-managed) ---
  /** Half of the largest collection fails to restore; `M document(s) failed to restore.`; exit 1. */
  mongorestorePartial?: boolean;
  /** The same failures, but exit 0 (only the log shows them). */
  mongorestoreFailuresExitZero?: boolean;
  /** Restore the first collection, then hang until killed. */
  mongorestoreHang?: boolean;
  /** The server's data folder is locked: nothing is restored, exit 1. */
  mongorestoreLocked?: boolean;
  // --- the account running the backup ---
  /** The caller is not a local administrator (Initialize-BackupEnvironment must refuse). */
  notAdministrator?: boolean;
  /** Leave this database out of the dump (and its log lines); exit 0. */
  mongodumpMissingDb?: string;

  // --- AlteryxService commands ---
  /** `getemongopassword` fails as it does where the embedded MongoDB is not enabled (always so on the self-managed variant). */
  emongoPasswordUnavailable?: boolean;
  /** `getversion` fails (exit 1, a message on stderr): the manifest's version must come from the file version of AlteryxService.exe. */
  getversionFail?: boolean;
}

type Kind = 'boolean' | 'number' | 'string' | 'boolean|string' | 'state';

export const FAULT_KINDS: Record<keyof Faults, Kind> = {
  dumpExitCode: 'number',
  dumpFailText: 'boolean',
  dumpPartial: 'boolean|string',
  dumpMissingDocs: 'number',
  dumpBitFlip: 'boolean',
  dumpEmpty: 'boolean',
  dumpMissingDb: 'string',
  dumpHang: 'boolean',
  dumpSeconds: 'number',
  dumpWhileRunning: 'boolean',
  dumpChildSurvives: 'boolean',
  stopRefuse: 'boolean',
  stopStuck: 'boolean',
  startStuck: 'boolean',
  stopSeconds: 'number',
  startSeconds: 'number',
  startFail: 'boolean',
  initialState: 'state',
  workflowCount: 'number',
  workflowSeconds: 'number',
  workflowsOnStart: 'boolean',
  mongodumpExitCode: 'number',
  mongodumpPartial: 'boolean',
  mongodumpHang: 'boolean',
  mongodumpAuthFail: 'boolean',
  mongodumpUnreachable: 'boolean',
  mongodumpSeconds: 'number',
  emongorestoreExitCode: 'number',
  emongorestorePartial: 'boolean',
  emongorestoreHang: 'boolean',
  setServerSecretFail: 'boolean',
  getversionFail: 'boolean',
  mongorestorePartial: 'boolean',
  mongorestoreFailuresExitZero: 'boolean',
  mongorestoreHang: 'boolean',
  mongorestoreLocked: 'boolean',
  notAdministrator: 'boolean',
  mongodumpMissingDb: 'string',
  emongoPasswordUnavailable: 'boolean',
};

export const DEFAULT_STOP_SECONDS = 0.2;
export const DEFAULT_START_SECONDS = 0.2;

export function readFaults(hostRoot: string): Faults {
  return readJsonOr<Faults>(hostPaths(hostRoot).faultsJson, {});
}

export function writeFaults(hostRoot: string, faults: Faults): void {
  writeJsonAtomic(hostPaths(hostRoot).faultsJson, faults);
}

/** Parses `name=value`; unknown names and bad values throw, so a typo in a test fails loudly. */
export function parseFaultAssignment(text: string): [keyof Faults, Faults[keyof Faults]] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`Fault '${text}' must look like name=value.`);
  const name = text.slice(0, eq) as keyof Faults;
  const raw = text.slice(eq + 1);
  const kind = FAULT_KINDS[name];
  if (!kind) {
    throw new Error(`Unknown fault '${name}'. Known faults: ${Object.keys(FAULT_KINDS).join(', ')}.`);
  }
  const asBool = raw.toLowerCase() === 'true' ? true : raw.toLowerCase() === 'false' ? false : undefined;
  switch (kind) {
    case 'boolean':
      if (asBool === undefined) throw new Error(`Fault ${name} takes true or false, not '${raw}'.`);
      return [name, asBool];
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`Fault ${name} takes a non-negative number, not '${raw}'.`);
      return [name, n];
    }
    case 'string':
      if (raw === '') throw new Error(`Fault ${name} needs a value.`);
      return [name, raw];
    case 'boolean|string':
      return [name, asBool ?? raw];
    case 'state': {
      const states: InitialState[] = ['Running', 'Stopped', 'Paused', 'Disabled'];
      const match = states.find((s) => s.toLowerCase() === raw.toLowerCase());
      if (!match) throw new Error(`Fault ${name} takes one of ${states.join(', ')}, not '${raw}'.`);
      return [name, match];
    }
  }
}
