import { parseArchiveName, type BackupMode } from '../core/backup-mode';
import { CancelledError } from '../core/errors';
import { errorMessage, redactSecrets, toLogSink, type LogSink, type LogTarget } from '../distribution/log-sink';
import { parseSidecar, sidecarName } from '../distribution/sidecar';
import type { BackupConfigFile, Secrets } from '../config/config-types';
import { cloudJobs } from '../distribution/copy-to-destinations';
import { folderLocation, type BackupLocation } from './backup-location';
import { decideRetention, validateRetentionDays, type BackupEntry, type RetentionDecision } from './retention-policy';

export interface RemoveOldBackupsOptions {
  /** Local folder, network folders, cloud prefixes: each is judged on its own. */
  locations: BackupLocation[];
  retentionDays: Record<BackupMode, number>;
  now?: Date;
  /** List what would be removed; delete nothing. */
  whatIf?: boolean;
  log?: LogTarget;
  /** Only used to keep secrets out of error messages (cloud SDK errors can echo URLs). */
  secrets?: object;
  /**
   * Our own temp files older than this are leftovers of a killed copy and are
   * removed. Default 48 h: far longer than any copy still in progress, even a
   * 500 GB archive over a slow link from another server sharing the folder.
   */
  staleTemporaryAgeHours?: number;
  /** Ctrl+C: stops between deletions (never in the middle of an archive + sidecar pair's first delete). */
  signal?: AbortSignal;
}

export interface LocationCleanup {
  Location: string;
  /** Archives deleted (with their sidecars). Empty under WhatIf. */
  Removed: string[];
  /** Archives WhatIf would delete. Empty unless WhatIf. */
  WouldRemove: string[];
  Kept: string[];
  /** Deletions that failed: a warning, never a reason to stop. */
  Failed: Array<{ Name: string; Error: string }>;
  /** Leftover temp files of killed copies that were removed (or, under WhatIf, would be). */
  TemporariesRemoved: string[];
  /** Set when the location could not even be listed. */
  Error?: string;
}

export interface CleanupDecision extends RetentionDecision {
  Location: string;
}

/** The data model's CleanupResultObject. */
export interface CleanupResult {
  /** False when a deletion failed or a location could not be listed. Warnings only, never an exit code by itself. */
  Success: boolean;
  Locations: LocationCleanup[];
  Decisions: CleanupDecision[];
  WhatIf: boolean;
}

const MAX_SIDECAR_BYTES = 4096;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Remove-OldBackups: applies `decideRetention` to every location. Only names
 * of our own pattern (`ServerBackup_{Full|DB|Config}_yyyyMMdd_HHmmss.zip`)
 * and their sidecars are ever considered; everything else is invisible to
 * it. A backup counts as verified when its sidecar exists and is
 * well-formed for that very name.
 *
 * The archive is deleted before its sidecar: if the sidecar's deletion then
 * fails, a harmless orphan sidecar is left, which a later run removes once
 * its date is past retention. A sidecar is never deleted while its archive
 * stays, since that would turn a verified backup into an unverified one.
 *
 * Throws only for an invalid policy (ValidationError, before anything is
 * touched).
 */
export async function removeOldBackups(options: RemoveOldBackupsOptions): Promise<CleanupResult> {
  validateRetentionDays(options.retentionDays);
  const log = toLogSink(options.log);
  const now = options.now ?? new Date();
  const whatIf = options.whatIf === true;
  const clean = (text: string) => redactSecrets(text, options.secrets);

  const locations: LocationCleanup[] = [];
  const decisions: CleanupDecision[] = [];
  const checkCancelled = () => {
    if (options.signal?.aborted) throw new CancelledError('Retention was cancelled; what was removed so far is listed in the log.');
  };
  for (const location of options.locations) {
    checkCancelled();
    const summary: LocationCleanup = {
      Location: location.description,
      Removed: [],
      WouldRemove: [],
      Kept: [],
      Failed: [],
      TemporariesRemoved: [],
    };
    locations.push(summary);
    let names: string[];
    try {
      names = await location.list();
    } catch (err) {
      summary.Error = clean(errorMessage(err));
      log('WARNING', `Retention skipped '${location.description}': it could not be listed: ${summary.Error}`);
      continue;
    }
    const present = new Set(names);

    const entries: BackupEntry[] = [];
    const sidecarHashes = new Map<string, string>();
    for (const name of names) {
      const parsed = parseArchiveName(name);
      if (!parsed) continue;
      let verified = false;
      if (present.has(sidecarName(name))) {
        try {
          const text = await location.readSmallText(sidecarName(name), MAX_SIDECAR_BYTES);
          const sidecar = text === undefined ? undefined : parseSidecar(text, name);
          verified = sidecar !== undefined;
          if (sidecar) sidecarHashes.set(name, sidecar.sha256);
        } catch (err) {
          log('WARNING', clean(`Could not read the sidecar of '${name}' in '${location.description}': ${errorMessage(err)}; treated as unverified.`));
        }
      }
      entries.push({ name, mode: parsed.mode, timestamp: parsed.timestamp, verified });
    }

    const locationDecisions = decideRetention(entries, options.retentionDays, now);
    await recheckJustifiers(location, entries, locationDecisions, sidecarHashes, now, log, clean);
    for (const d of locationDecisions) decisions.push({ Location: location.description, ...d });

    for (const d of locationDecisions) {
      if (d.action === 'keep') {
        summary.Kept.push(d.name);
        log('DEBUG', `Keep ${d.name} in '${location.description}': ${d.reason}.`);
        continue;
      }
      checkCancelled();
      if (whatIf) {
        summary.WouldRemove.push(d.name);
        log('INFO', `What if: would remove ${d.name} and its sidecar from '${location.description}': ${d.reason}.`);
        continue;
      }
      try {
        await location.remove(d.name);
      } catch (err) {
        const message = clean(errorMessage(err));
        summary.Failed.push({ Name: d.name, Error: message });
        log('WARNING', `Could not remove ${d.name} from '${location.description}': ${message}. Retention goes on.`);
        continue;
      }
      summary.Removed.push(d.name);
      log('INFO', `Removed ${d.name} from '${location.description}': ${d.reason}.`);
      if (present.has(sidecarName(d.name))) await removeSidecar(location, sidecarName(d.name), summary, log, clean);
    }

    // Sidecars of our own names whose archive is gone (a sidecar deletion that failed earlier).
    for (const name of names) {
      if (!name.endsWith('.sha256')) continue;
      const archiveName = name.slice(0, -'.sha256'.length);
      const parsed = parseArchiveName(archiveName);
      if (!parsed || present.has(archiveName)) continue;
      const ageDays = (now.getTime() - parsed.timestamp.getTime()) / DAY_MS;
      const days = options.retentionDays[parsed.mode];
      if (ageDays <= days) continue;
      const reason = `orphan sidecar (its archive is gone), ${ageDays.toFixed(1)} days old, past the ${days}-day retention`;
      decisions.push({ Location: location.description, name, action: 'remove', reason });
      if (whatIf) {
        summary.WouldRemove.push(name);
        log('INFO', `What if: would remove ${name} from '${location.description}': ${reason}.`);
      } else {
        await removeSidecar(location, name, summary, log, clean);
      }
    }

    if (location.staleTemporaries) {
      const hours = options.staleTemporaryAgeHours ?? 48;
      try {
        for (const name of await location.staleTemporaries(new Date(now.getTime() - hours * 3600_000))) {
          if (whatIf) {
            summary.TemporariesRemoved.push(name);
            log('INFO', `What if: would remove the leftover temp file ${name} from '${location.description}'.`);
            continue;
          }
          try {
            await location.remove(name);
            summary.TemporariesRemoved.push(name);
            log('INFO', `Removed the leftover temp file ${name} (older than ${hours} h) from '${location.description}'.`);
          } catch (err) {
            const message = clean(errorMessage(err));
            summary.Failed.push({ Name: name, Error: message });
            log('WARNING', `Could not remove the leftover temp file ${name} from '${location.description}': ${message}.`);
          }
        }
      } catch (err) {
        log('WARNING', clean(`Could not look for leftover temp files in '${location.description}': ${errorMessage(err)}`));
      }
    }

    log(
      'INFO',
      whatIf
        ? `Retention (WhatIf) in '${location.description}': ${summary.WouldRemove.length} would be removed, ${summary.Kept.length} kept.`
        : `Retention in '${location.description}': ${summary.Removed.length} removed, ${summary.Kept.length} kept, ${summary.Failed.length} failed.`,
    );
  }

  const success = locations.every((l) => l.Error === undefined && l.Failed.length === 0);
  return { Success: success, Locations: locations, Decisions: decisions, WhatIf: whatIf };
}

/**
 * A sidecar that is well-formed proves nothing about the file beside it: a
 * truncated archive with a good-looking sidecar would otherwise justify
 * deleting an older, good backup. Before removing anything of a mode, the
 * newest verified backup of that mode (the one whose existence allows the
 * removals) is hashed again and compared with its sidecar. If that fails,
 * every removal of that mode in this location becomes a keep, with a warning.
 * Locations that cannot hash (cloud) keep the sidecar-only rule.
 */
async function recheckJustifiers(
  location: BackupLocation,
  entries: BackupEntry[],
  decisions: RetentionDecision[],
  sidecarHashes: Map<string, string>,
  now: Date,
  log: LogSink,
  clean: (s: string) => string,
): Promise<void> {
  if (!location.sha256) return;
  const modes = new Set(decisions.filter((d) => d.action === 'remove').map((d) => parseArchiveName(d.name)?.mode).filter((m): m is BackupMode => m !== undefined));
  for (const mode of modes) {
    const candidates = entries.filter((e) => e.mode === mode && e.verified && e.timestamp.getTime() <= now.getTime());
    const justifier = candidates.sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime())[0];
    if (!justifier) continue;
    let problem: string | undefined;
    try {
      const actual = await location.sha256(justifier.name);
      if (actual.toLowerCase() !== sidecarHashes.get(justifier.name)) problem = `its SHA256 is ${actual}, but its sidecar says ${sidecarHashes.get(justifier.name)}`;
    } catch (err) {
      problem = `it could not be read to check its SHA256 (${errorMessage(err)})`;
    }
    if (!problem) continue;
    const msg = clean(
      `Retention removed nothing of mode ${mode} in '${location.description}': the newest ${mode} backup ${justifier.name}, which would justify the removals, fails its check: ${problem}. ` +
        'Check that archive (Test-BackupIntegrity); older backups are kept until a newer one verifies.',
    );
    log('WARNING', msg);
    for (const d of decisions) {
      if (d.action === 'remove' && parseArchiveName(d.name)?.mode === mode) {
        d.action = 'keep';
        d.reason = `kept: the newest ${mode} backup ${justifier.name} failed its SHA256 re-check`;
      }
    }
  }
}

async function removeSidecar(
  location: BackupLocation,
  name: string,
  summary: LocationCleanup,
  log: LogSink,
  clean: (s: string) => string,
): Promise<void> {
  try {
    await location.remove(name);
  } catch (err) {
    const message = clean(errorMessage(err));
    summary.Failed.push({ Name: name, Error: message });
    log('WARNING', `Could not remove ${name} from '${location.description}': ${message}. Retention goes on.`);
  }
}

export interface RetentionLocationsInput {
  localBackupPath: string;
  networkBackupPaths: string[];
  cloud?: BackupConfigFile['CloudConfiguration'];
  secrets?: Secrets;
}

/**
 * Every place retention applies to: the local folder, each network folder
 * and each enabled cloud. A cloud whose credential is missing is reported
 * as a location that cannot be listed, not as a crash.
 */
export function retentionLocations(input: RetentionLocationsInput): BackupLocation[] {
  const out: BackupLocation[] = [folderLocation(input.localBackupPath), ...input.networkBackupPaths.map((p) => folderLocation(p))];
  for (const job of input.cloud ? cloudJobs(input.cloud, input.secrets ?? {}) : []) {
    let target: BackupLocation | undefined;
    let failure: unknown;
    try {
      target = job.create();
    } catch (err) {
      failure = err;
    }
    out.push(
      target ?? {
        description: job.label,
        list: () => Promise.reject(failure),
        readSmallText: () => Promise.reject(failure),
        remove: () => Promise.reject(failure),
      },
    );
  }
  return out;
}
