import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ResolvedConfig } from '../config/config-types';
import { BackupError, MongoDBError, ValidationError } from '../core/errors';
import type { Platform } from '../platform/platform';
import { ensureDiskSpace, folderSizeBytes, type DiskSpaceCheck } from './disk-space';
import type { DumpLogger } from './dump-logger';
import { verifyDump, type DumpVerification } from './dump-verify';
import { runEmbeddedDump, type DumpCommandOutcome } from './embedded-dump';
import {
  DEFAULT_EMBEDDED_ROOT_RELATIVE,
  DEFAULT_SELF_MANAGED_DATABASES,
  detectFromRuntimeSettingsFile,
  persistenceOf,
  EMBEDDED_DATABASES,
  EMBEDDED_MONGO_PORT,
  EMBEDDED_MONGO_USER,
  type MongoDetection,
} from './runtime-settings';
import { probeSelfManaged, resolveSelfManagedTarget, runSelfManagedDump, type MongoProbe, type SelfManagedTarget } from './self-managed-dump';

/**
 * The MongoDB step as the backup executor and the CLI see it:
 * `detectMongo` (resolves Type=auto), `preflightMongoDB` (everything that
 * must be known before the service is touched: connectivity, size, disk
 * space) and `invokeMongoDBBackup` (dump into `<staging>/MongoDB/`, prove
 * it whole, or clean up and throw).
 */

export type { DumpLogger } from './dump-logger';
export type { DumpVerification } from './dump-verify';
export { verifyDump } from './dump-verify';
export { checkBsonFile, checkBsonStream, type BsonFileCheck } from './bson-file-verify';
export type { MongoDetection, PersistenceType } from './runtime-settings';
export { persistenceOf } from './runtime-settings';
export { redactMongoUri } from './runtime-settings';
export { readEmbeddedMongoPasswords, parseEmongoPasswordOutput } from './embedded-dump';

export const DUMP_FOLDER = 'MongoDB';

export function runtimeSettingsPath(config: ResolvedConfig): string {
  return path.join(config.file.AlteryxConfiguration.ProgramDataPath, 'RuntimeSettings.xml');
}

/** The embedded data folder: RuntimeSettings' EmbeddedMongoDBRootPath, else Alteryx's default under ProgramData. */
export function embeddedRootPath(config: ResolvedConfig, detection: MongoDetection): string {
  return detection.embeddedRootPath ?? path.join(config.file.AlteryxConfiguration.ProgramDataPath, ...DEFAULT_EMBEDDED_ROOT_RELATIVE);
}

/**
 * The message for a database backup of a server that keeps its data in SQL
 * Server: there is no MongoDB to dump, and this tool does not back up SQL
 * Server databases.
 */
export function sqlServerRefusal(detection: MongoDetection): ValidationError {
  return new ValidationError(
    `${detection.source} configures SQL Server persistence (${detection.sqlServerEvidence ?? 'SQL Server settings'}): Alteryx Server keeps its data in SQL Server, not MongoDB. ` +
      'Back up the AlteryxGallery and AlteryxService SQL databases with SQL Server\'s own tools (BACKUP DATABASE, SQL Server Agent or your DBA\'s backup); ' +
      'this tool only backs up the configuration of such a server: use -BackupMode ConfigOnly.',
    'SQL_SERVER_PERSISTENCE',
    { category: 'InvalidOperation' },
  );
}

/**
 * The persistence type from RuntimeSettings.xml, for every mode (ConfigOnly
 * records it in the manifest). A missing or unreadable file → undefined.
 */
export async function detectPersistenceType(config: ResolvedConfig): Promise<MongoDetection | undefined> {
  const file = runtimeSettingsPath(config);
  if (!existsSync(file)) return undefined;
  try {
    return await detectFromRuntimeSettingsFile(file);
  } catch {
    return undefined;
  }
}

/**
 * Resolves MongoDBConfiguration.Type; `auto` reads RuntimeSettings.xml (unparseable → ValidationError, exit 3).
 * SQL Server persistence in RuntimeSettings.xml → ValidationError (exit 3), whatever Type says.
 */
export async function detectMongo(config: ResolvedConfig): Promise<MongoDetection> {
  const file = runtimeSettingsPath(config);
  if (config.MongoType === 'auto') {
    const d = await detectFromRuntimeSettingsFile(file);
    if (d.persistenceType === 'SQLServer') throw sqlServerRefusal(d);
    return d;
  }

  // Type is forced; the file may still tell us where the embedded data lives.
  let fromFile: MongoDetection | undefined;
  const warnings: string[] = [];
  if (existsSync(file)) {
    try {
      fromFile = await detectFromRuntimeSettingsFile(file);
      if (fromFile.persistenceType === 'SQLServer') throw sqlServerRefusal(fromFile);
      if (fromFile.type !== config.MongoType) {
        warnings.push(`MongoDBConfiguration.Type is '${config.MongoType}' but ${file} describes ${fromFile.type} MongoDB; using '${config.MongoType}'`);
      }
    } catch (err) {
      if (err instanceof ValidationError && err.code === 'SQL_SERVER_PERSISTENCE') throw err;
      warnings.push(`MongoDBConfiguration.Type is '${config.MongoType}'; ${file} could not be read: ${(err as Error).message}`);
    }
  }
  if (config.MongoType === 'embedded') {
    return {
      type: 'embedded',
      persistenceType: 'EmbeddedMongoDB',
      source: 'configuration',
      embeddedRootPath: fromFile?.embeddedRootPath,
      port: EMBEDDED_MONGO_PORT,
      user: EMBEDDED_MONGO_USER,
      databases: [...EMBEDDED_DATABASES],
      warnings,
    };
  }
  return { type: 'self-managed', persistenceType: 'SelfManagedMongoDB', source: 'configuration', port: fromFile?.port, databases: [], selfManaged: fromFile?.selfManaged ?? { databases: [] }, warnings };
}

export interface MongoPreflight {
  detection: MongoDetection;
  diskSpace: DiskSpaceCheck;
  /** Self-managed only. */
  target?: SelfManagedTarget;
  /** Self-managed only, unless SkipConnectivityCheck. */
  probe?: MongoProbe;
  warnings: string[];
}

export interface PreflightInput {
  config: ResolvedConfig;
  platform: Platform;
  detection?: MongoDetection;
  log: DumpLogger;
  /** Driver server-selection timeout for the connectivity check. */
  serverSelectionTimeoutMS?: number;
}

/**
 * Everything that must hold before the service is touched. Unreachable
 * server or bad credentials → MongoDBError (exit 5); too little space →
 * ValidationError (exit 3).
 */
export async function preflightMongoDB(input: PreflightInput): Promise<MongoPreflight> {
  const { config, platform, log } = input;
  const detection = input.detection ?? (await detectMongo(config));
  const warnings = [...detection.warnings];
  let estimate = 0;
  let source: string;
  let target: SelfManagedTarget | undefined;
  let probe: MongoProbe | undefined;
  if (detection.type === 'embedded') {
    if (/\s/.test(config.TempDirectory)) {
      // emongodump takes `emongodump=<dir>` as one token; Alteryx documents it without spaces.
      warnings.push(`TempDirectory '${config.TempDirectory}' contains whitespace; AlteryxService emongodump=<dir> may not accept it. Prefer a path without spaces.`);
    }
    const root = embeddedRootPath(config, detection);
    const size = await folderSizeBytes(root);
    if (size === undefined) {
      warnings.push(`Embedded MongoDB folder ${root} not found: the disk-space check cannot estimate the database size`);
      source = `missing folder ${root}`;
    } else {
      estimate = size;
      source = `the size of ${root}`;
    }
  } else {
    const section = config.file.MongoDBConfiguration.SelfManagedMongoDB;
    target = resolveSelfManagedTarget(section, config.secrets, detection);
    const leftOut = leftOutAlteryxDatabases(target, detection);
    if (leftOut.length > 0) {
      warnings.push(
        `SelfManagedMongoDB.Database is '${section.Database}', which LEAVES OUT the Alteryx database(s) ${leftOut.join(', ')}: ` +
          `they will NOT be in this backup, and a server restored from it loses their data (AlteryxService holds schedules, the queue and results). ` +
          `Leave Database empty (the default) to dump every database, or list all of ${alteryxDatabaseNames(detection).join(', ')}.`,
      );
    }
    if (section.SkipConnectivityCheck) {
      warnings.push(`SkipConnectivityCheck is set: MongoDB at ${target.display} was not contacted before the backup, its size is unknown, and document counts will only be checked against mongodump's log`);
      source = 'nothing (SkipConnectivityCheck)';
    } else {
      log.info(`Checking connectivity to MongoDB at ${target.display}`);
      probe = await probeSelfManaged(target, { serverSelectionTimeoutMS: input.serverSelectionTimeoutMS });
      estimate = probe.totalDataBytes;
      source = `dbStats.dataSize of ${probe.databases.map((d) => d.name).join(', ') || 'no databases'}`;
      log.info(`MongoDB reachable: ${probe.databases.length} database(s), ${(estimate / 1024 / 1024).toFixed(1)} MB of data`);
    }
    const consistency = dumpConsistency({ target, probe, detection, serviceStopped: config.StopServiceForExternalDB });
    target.oplog = consistency.Oplog;
    if (consistency.Warning) warnings.push(consistency.Warning);
  }
  for (const w of warnings) log.warn(w);
  const diskSpace = await ensureDiskSpace(platform, config.TempDirectory, estimate, source);
  return { detection, diskSpace, target, probe, warnings };
}

/**
 * Pure: the databases Alteryx Server keeps in a self-managed MongoDB. A
 * self-managed RuntimeSettings.xml usually leaves the names out because they
 * are the defaults (AlteryxService, AlteryxGallery, AlteryxGallery_Lucene,
 * the same three as the embedded database); names it does give win.
 */
export function alteryxDatabaseNames(detection: MongoDetection): string[] {
  const sm = detection.selfManaged;
  const names = [sm?.serviceDatabase ?? 'AlteryxService', sm?.galleryDatabase ?? 'AlteryxGallery', DEFAULT_SELF_MANAGED_DATABASES[2]];
  for (const n of sm?.databases ?? []) if (!names.some((x) => x.toLowerCase() === n.toLowerCase())) names.push(n);
  return names;
}

/** Pure: Alteryx databases the configured Database list would skip (none when the whole server is dumped). */
export function leftOutAlteryxDatabases(target: SelfManagedTarget, detection: MongoDetection): string[] {
  if (target.databases.length === 0) return [];
  return alteryxDatabaseNames(detection).filter((db) => !target.databases.some((d) => d.toLowerCase() === db.toLowerCase()));
}

/** Kept for callers of the earlier name. */
export const missingNamedDatabases = leftOutAlteryxDatabases;

/**
 * Pure: the databases that must be in the dump, or the run fails (exit 5):
 * every listed database, and every Alteryx database the dump was meant to
 * contain. With a connectivity probe, a database that exists but holds no
 * collections produces no folder, so it is not demanded.
 */
export function requiredDumpDatabases(target: SelfManagedTarget, detection: MongoDetection, probe?: MongoProbe): string[] {
  const wanted = target.databases.length > 0 ? target.databases.slice() : alteryxDatabaseNames(detection);
  if (!probe) return wanted;
  const empty = new Set(probe.databases.filter((d) => d.collections.length === 0 && d.dataSizeBytes === 0).map((d) => d.name.toLowerCase()));
  const present = new Set(probe.databases.map((d) => d.name.toLowerCase()));
  // Listed but absent from the server: still demanded (the dump cannot contain it; that must fail).
  return wanted.filter((d) => !empty.has(d.toLowerCase()) || !present.has(d.toLowerCase()));
}

export interface DumpConsistency {
  /** `mongodump --oplog` was used. */
  Oplog: boolean;
  /** The dump is one moment in time across all collections. */
  PointInTime: boolean;
  /** Why, in one sentence, for the manifest. */
  PointInTimeReason: string;
  /** Set when the dump is not point-in-time: logged as a WARNING. */
  Warning?: string;
}

/**
 * Pure: whether a self-managed dump is one point in time. With the service
 * stopped nothing writes; otherwise only `--oplog` on a whole-instance dump
 * of a replica set captures the writes made while mongodump runs.
 */
export function dumpConsistency(o: { target: SelfManagedTarget; probe?: MongoProbe; detection?: MongoDetection; serviceStopped: boolean }): DumpConsistency {
  if (o.serviceStopped) {
    return { Oplog: false, PointInTime: true, PointInTimeReason: 'AlteryxService was stopped during the dump (StopServiceForExternalDB)' };
  }
  const replicaSet =
    o.probe?.replicaSetName !== undefined ||
    (o.target.uri !== undefined && /[?&]replicaSet=/i.test(o.target.uri)) ||
    (o.probe === undefined && o.target.uri === undefined && o.target.host === undefined && o.detection?.selfManaged?.replicaSetHint === true);
  if (replicaSet && o.target.databases.length === 0) {
    return { Oplog: true, PointInTime: true, PointInTimeReason: 'whole-instance dump of a replica set with mongodump --oplog (restore with mongorestore --oplogReplay)' };
  }
  const why = o.target.databases.length > 0 ? 'Database lists databases (mongodump --oplog only works for a whole-instance dump)' : 'the server is not known to be a replica set (mongodump --oplog needs an oplog)';
  return {
    Oplog: false,
    PointInTime: false,
    PointInTimeReason: `not point-in-time: AlteryxService kept writing during the dump and ${why}. Set ServiceConfiguration.StopServiceForExternalDB to true to make it point-in-time`,
    Warning:
      `The self-managed MongoDB dump is NOT point-in-time: AlteryxService keeps writing while mongodump runs, and ${why}. ` +
      'Set ServiceConfiguration.StopServiceForExternalDB to true to stop the service during the dump and make it point-in-time.',
  };
}

export interface InvokeMongoDBBackupInput {
  config: ResolvedConfig;
  platform: Platform;
  detection?: MongoDetection;
  /** Our own staging folder; the dump goes to `<stagingDir>/MongoDB/`. */
  stagingDir: string;
  /**
   * Write the dump exactly here instead (Invoke-MongoDBBackup -BackupPath, CONTRACTS.md §5).
   * The caller makes sure it is empty or missing; on failure it is emptied again.
   */
  dumpDir?: string;
  log: DumpLogger;
  signal?: AbortSignal;
  /** From preflightMongoDB: reuses its target and pre-dump counts. */
  preflight?: MongoPreflight;
  /**
   * Whether the application was stopped during the dump. When it was not,
   * pre-dump counts may legitimately differ and are reported as warnings.
   * Default: StopServiceForExternalDB for self-managed.
   */
  serviceStopped?: boolean;
  /**
   * Runs as soon as the dump command has finished, before the (long)
   * verification: the executor restarts AlteryxService here, because the
   * files on disk no longer need the database to stay still. If it throws,
   * the dump is discarded and the error propagates.
   */
  afterDumpCommand?: () => Promise<void>;
  /** Each dump process's PID, as it starts: the executor records it in the state marker. */
  onDumpProcess?: (pid: number) => void;
}

export interface MongoDBBackupResult {
  Success: true;
  BackupPath: string;
  BackupSizeMB: number;
  CollectionCount: number;
  DurationSeconds: number;
  Error: null;
  DeploymentType: 'embedded' | 'self-managed';
  PersistenceType: 'EmbeddedMongoDB' | 'SelfManagedMongoDB' | 'SQLServer';
  Oplog: boolean;
  PointInTime: boolean;
  PointInTimeReason: string;
  /** The self-managed server's version (buildInfo), when the connectivity check ran. */
  MongoDBVersion?: string | null;
  BackupMethod: string;
  /** The databases in the dump, comma-separated (the manifest's DatabaseName). */
  DatabaseName: string;
  TotalDocuments: number;
  Databases: Array<{ Name: string; Collections: Array<{ Name: string; Documents: number; SizeBytes: number }> }>;
  Verification: {
    Verified: boolean;
    TotalDocuments: number;
    BsonBytes: number;
    /** What the counts were compared with: `mongoDump.log`, `countDocuments`. */
    CountsCheckedAgainst: string[];
    Errors: string[];
    Warnings: string[];
  };
  Warnings: string[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;
/** Enough to diagnose; a dump with thousands of damaged files should not flood the log and the bridge. */
const MAX_ERROR_DETAILS = 50;

export async function invokeMongoDBBackup(input: InvokeMongoDBBackupInput): Promise<MongoDBBackupResult> {
  const { config, platform, log, signal } = input;
  const started = Date.now();
  const detection = input.preflight?.detection ?? input.detection ?? (await detectMongo(config));
  const dumpDir = input.dumpDir ?? path.join(input.stagingDir, DUMP_FOLDER);
  const timeoutSeconds = config.file.MongoDBConfiguration.DumpTimeoutSeconds;
  await fs.mkdir(input.stagingDir, { recursive: true });
  // Leftovers of an earlier attempt inside our own staging folder are never a valid dump.
  await fs.rm(dumpDir, { recursive: true, force: true });
  const warnings: string[] = [];
  try {
    let outcome: DumpCommandOutcome;
    let verification: DumpVerification;
    let method: string;
    let consistency: DumpConsistency | undefined;
    let mongoVersion: string | undefined;
    const checkedAgainst: string[] = [];
    if (detection.type === 'embedded') {
      if (!config.file.MongoDBConfiguration.EmbeddedMongoDB.UseAlteryxService) {
        warnings.push('EmbeddedMongoDB.UseAlteryxService=false is not supported: the embedded database is only dumped safely by AlteryxService emongodump');
      }
      method = 'AlteryxService.exe emongodump';
      outcome = await runEmbeddedDump({
        executable: platform.alteryxServiceExecutable(),
        outDir: dumpDir,
        timeoutSeconds,
        log,
        signal,
        onSpawn: input.onDumpProcess,
        // Only when we stopped the service: otherwise its own mongod legitimately holds the folder.
        dataDir: input.serviceStopped === true ? embeddedRootPath(config, detection) : undefined,
      });
      log.info(`emongodump finished in ${outcome.durationSeconds.toFixed(1)} s; verifying the dump`);
      await input.afterDumpCommand?.();
      verification = await verifyDump(dumpDir, { expectedDatabases: detection.databases, signal });
    } else {
      const section = config.file.MongoDBConfiguration.SelfManagedMongoDB;
      const target = input.preflight?.target ?? resolveSelfManagedTarget(section, config.secrets, detection);
      let probe = input.preflight?.probe;
      if (!probe && !section.SkipConnectivityCheck) probe = await probeSelfManaged(target);
      if (section.SkipConnectivityCheck) {
        warnings.push('SkipConnectivityCheck is set: no pre-dump document counts; counts are checked against mongodump\'s log only');
      }
      method = 'mongodump';
      const stopped = input.serviceStopped ?? config.StopServiceForExternalDB;
      consistency = dumpConsistency({ target, probe, detection, serviceStopped: stopped });
      target.oplog = consistency.Oplog;
      if (consistency.Oplog) method = 'mongodump --oplog';
      if (consistency.Warning && !input.preflight) warnings.push(consistency.Warning);
      mongoVersion = probe?.serverVersion;
      outcome = await runSelfManagedDump({ mongodump: section.MongoDumpPath.trim() || 'mongodump', target, outDir: dumpDir, timeoutSeconds, log, signal, onSpawn: input.onDumpProcess });
      await input.afterDumpCommand?.();
      const expectedDatabases = requiredDumpDatabases(target, detection, probe);
      const exact = input.serviceStopped ?? config.StopServiceForExternalDB;
      verification = await verifyDump(dumpDir, { expectedDatabases, expectedCounts: probe?.counts, expectedCountsExact: exact, signal });
      if (probe) checkedAgainst.push(exact ? 'countDocuments' : 'countDocuments (warnings only: the service kept running)');
    }
    if (!verification.warnings.some((w) => w.startsWith('mongoDump.log not found'))) checkedAgainst.unshift('mongoDump.log');
    if (!verification.ok) {
      const first = verification.errors[0];
      const more = verification.errors.length > 1 ? ` (and ${verification.errors.length - 1} more problem(s))` : '';
      const shown = verification.errors.slice(0, MAX_ERROR_DETAILS);
      if (verification.errors.length > shown.length) shown.push(`... and ${verification.errors.length - shown.length} more`);
      throw new MongoDBError(`The MongoDB dump failed verification and will not be archived: ${first}${more}`, 'DUMP_VERIFICATION_FAILED', {
        details: shown,
      });
    }
    warnings.push(...verification.warnings);
    for (const w of warnings) log.warn(w);
    const databases = verification.databases.filter((d) => d.name !== '');
    log.info(
      `MongoDB dump verified: ${verification.collectionCount} collections, ${verification.totalDocuments} documents, ${(verification.sizeBytes / 1024 / 1024).toFixed(2)} MB`,
    );
    return {
      Success: true,
      BackupPath: dumpDir,
      BackupSizeMB: round2(verification.sizeBytes / 1024 / 1024),
      CollectionCount: verification.collectionCount,
      DurationSeconds: round2((Date.now() - started) / 1000),
      Error: null,
      DeploymentType: detection.type,
      PersistenceType: persistenceOf(detection),
      MongoDBVersion: mongoVersion ?? null,
      Oplog: consistency?.Oplog ?? false,
      // The embedded dump runs with the service stopped: nothing writes during it.
      PointInTime: consistency?.PointInTime ?? true,
      PointInTimeReason: consistency?.PointInTimeReason ?? 'AlteryxService was stopped during the embedded dump',
      BackupMethod: method,
      DatabaseName: databases.map((d) => d.name).join(','),
      TotalDocuments: verification.totalDocuments,
      Databases: databases.map((d) => ({
        Name: d.name,
        Collections: d.collections.map((c) => ({ Name: c.name, Documents: c.documents, SizeBytes: c.sizeBytes })),
      })),
      Verification: {
        Verified: true,
        TotalDocuments: verification.totalDocuments,
        BsonBytes: verification.bsonBytes,
        CountsCheckedAgainst: checkedAgainst,
        Errors: [],
        Warnings: verification.warnings,
      },
      Warnings: warnings,
    };
  } catch (err) {
    // A partial dump must never be picked up by the archive step.
    await fs.rm(dumpDir, { recursive: true, force: true }).catch(() => undefined);
    if (err instanceof BackupError) throw err;
    throw new MongoDBError(`MongoDB backup failed: ${(err as Error)?.message ?? String(err)}`, 'MONGODB_BACKUP_FAILED', { cause: err });
  }
}

