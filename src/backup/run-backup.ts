import * as fs from 'node:fs';
import * as path from 'node:path';
import { archiveFileName, modeIncludesDatabase, modeIncludesFiles } from '../core/backup-mode';
import { BackupError, CancelledError, ExitCode, StorageError, ValidationError, toBackupError } from '../core/errors';
import { runPhase } from '../core/run-phase';
import { buildManifest, type ArchiveEntryRecord } from '../core/manifest';
import { pathError } from '../core/path-errors';
import { planPhases, type PhaseName, type PhasePlan } from '../core/phase-plan';
import type { Redactor } from '../core/redact';
import type { ResolvedConfig } from '../config/config-types';
import { createArchive, removeStaleTemporaries, type CreateArchiveResult } from '../archive';
import type { ProtocolSink } from '../cli/protocol';
import { archiveProgressUpdate, bytesProgressUpdate } from '../cli/progress-throttle';
import { copyBackupToDestinations, distributionFailure, type DistributionResult } from '../distribution/copy-to-destinations';
import { preflightCloud, preflightDestinations } from '../distribution/preflight';
import { hostScopedDestinations } from '../distribution/host-folders';
import type { BackupLogger } from '../logging/logger';
import { detectMongo, detectPersistenceType, invokeMongoDBBackup, persistenceOf, preflightMongoDB, type MongoDetection, type PersistenceType } from '../mongo';
import { collectEnvironmentFacts, type EnvironmentFacts } from './environment-facts';
import type { MongoDBBackupResult, MongoPreflight } from '../mongo';
import { buildBackupSummary, type BackupSummary as SummaryObject } from '../notify/backup-summary';
import { sendBackupNotification } from '../notify/email';
import type { Platform } from '../platform/platform';
import { removeOldBackups, retentionLocations, type CleanupResult } from '../retention/remove-old-backups';
import { acquireRunLock, type RunLock } from '../service/run-lock';
import { testServiceState, unusableReason } from '../service/service-controller';
import { ServiceSession } from '../service/service-session';
import { repairFromMarker } from '../service/state-marker';
import { buildTopology, sequenceNames } from '../service/topology';
import { backupCriticalFiles, checkRequiredFiles, findUnreadableCriticalFiles, type FileBackupResult } from './critical-files';
import { exportControllerSettings, type ControllerSettingsResult } from './controller-settings';
import { plaintextSecretsCheck, resolveSecretsEncryption, type SecretsEncryptionPlan } from '../secrets/secrets-encryption';
import { ExecutionState } from './execution-state';
import { removeStaleStaging, removeStagingDir, stagingDirFor } from './staging';
import { TOOL_VERSION } from './version';
import { repairInterruptedRestore } from '../restore/run-restore';

export { TOOL_VERSION } from './version';

/** How often a service state change is polled: each poll can add this much to the downtime. */
const SERVICE_POLL_MS = 200;

export interface RunBackupContext {
  config: ResolvedConfig;
  platform: Platform;
  log: BackupLogger;
  redactor: Redactor;
  sink?: ProtocolSink;
  signal: AbortSignal;
  clock?: () => Date;
}

/** What Invoke-AlteryxBackup returns: the data model's summary, plus the run's details. */
export interface BackupSummary extends SummaryObject {
  ExecutionId: string;
  FilesBackedUp: number;
  Phases: ExecutionState['Phases'];
  Destinations: DistributionResult['Destinations'];
  ServiceSequence: ServiceSession['sequence'];
  MongoDB: { DeploymentType: string; CollectionCount: number; TotalDocuments: number; BackupSizeMB: number } | null;
  Retention: CleanupResult | null;
  NotificationSent: boolean;
  /** Full/ConfigOnly: whether the token and passwords in the archive are encrypted (null: DatabaseOnly, none exported). */
  SecretsEncrypted: boolean | null;
  /** Thumbprints of the certificates whose private keys open them. */
  SecretsEncryptedTo: string[];
}

export interface RunBackupOutcome {
  summary: BackupSummary;
  error?: BackupError;
}

/** The plan for a config, with the topology's node order. Reads nothing but the config. */
export function describePlan(config: ResolvedConfig, mongoType: 'embedded' | 'self-managed', localHostname = 'localhost'): PhasePlan {
  const topology = buildTopology(config.file.AlteryxConfiguration.Nodes, localHostname);
  return planPhases({
    mode: config.BackupMode,
    mongoType,
    stopServiceForExternalDB: config.StopServiceForExternalDB,
    stopOrder: topology.isMultiNode ? sequenceNames(topology.shutdown) : [],
    startOrder: topology.isMultiNode ? sequenceNames(topology.startup) : [],
  });
}

class PhaseRunner {
  private readonly pending = new Set<PhaseName>();

  constructor(
    private readonly state: ExecutionState,
    private plan: PhasePlan,
    private readonly ctx: RunBackupContext,
  ) {
    this.replan(plan);
  }

  /** The plan becomes exact once Initialize knows the MongoDB type. */
  replan(plan: PhasePlan): void {
    this.plan = plan;
    for (const p of plan.phases) {
      const existing = this.state.Phases.find((r) => r.Phase === p.phase);
      if (existing && existing.Status !== 'Pending' && existing.Status !== 'Skipped') continue;
      const rec = { Phase: p.phase, Status: p.run ? ('Pending' as const) : ('Skipped' as const), StartTime: null, DurationSeconds: null, Reason: p.reason };
      if (existing) Object.assign(existing, rec);
      else this.state.Phases.push(rec);
      if (p.run) this.pending.add(p.phase);
      else this.pending.delete(p.phase);
    }
  }

  /** Complete always runs, after a failure too: it writes the summary, the log and the notification. */
  complete(at: Date): void {
    if (!this.pending.has('Complete')) return;
    this.pending.delete('Complete');
    const rec = this.state.Phases.find((p) => p.Phase === 'Complete');
    if (!rec) return;
    this.state.Phase = 'Complete';
    rec.Status = 'Succeeded';
    rec.StartTime = at.toISOString();
    rec.DurationSeconds = 0;
  }

  /** Phases that never started because an earlier one failed. */
  markNotRun(): void {
    for (const rec of this.state.Phases) if (rec.Status === 'Pending') rec.Status = 'NotRun';
  }

  async phase<T>(name: PhaseName, fn: () => Promise<T>): Promise<T | undefined> {
    if (!this.pending.has(name)) return undefined;
    this.pending.delete(name);
    if (this.ctx.signal.aborted) throw new CancelledError(`The backup was cancelled before ${name}.`);
    const rec = this.state.Phases.find((p) => p.Phase === name)!;
    const clock = this.ctx.clock ?? (() => new Date());
    this.state.Phase = name;
    return runPhase(rec, fn, {
      now: () => clock().getTime(),
      onStart: (startedAt) => {
        rec.StartTime = new Date(startedAt).toISOString();
        this.ctx.sink?.progress({ activity: `${this.plan.mode} backup`, status: name, percent: this.state.PhaseProgress.Percentage });
        this.ctx.log.info(`Phase ${name}: ${rec.Reason}.`);
      },
    });
  }
}

/**
 * Runs one backup from Initialize to Complete. Never throws: failures come
 * back in `error`, with the summary of what happened. If this run stopped
 * AlteryxService, it is running again before this returns, on every path.
 */
export async function runBackup(ctx: RunBackupContext): Promise<RunBackupOutcome> {
  const { config, platform, log } = ctx;
  const clock = ctx.clock ?? (() => new Date());
  const state = new ExecutionState(config.BackupMode, clock);
  const fileName = archiveFileName(config.BackupMode, state.StartTime);
  const stagingDir = stagingDirFor(config.TempDirectory, state.StartTime);
  const alteryx = config.file.AlteryxConfiguration;
  const onEvent = (e: { event: 'stopped' | 'started'; host?: string }) => ctx.sink?.service(e.event, e.host);
  // Shared destinations: this host's copies live under <path>/<HOSTNAME> (HostSubfolder).
  const scoped = hostScopedDestinations(config, platform.hostname());
  const phases = new PhaseRunner(state, describePlan(config, config.MongoType === 'self-managed' ? 'self-managed' : 'embedded', platform.hostname()), ctx);

  let lock: RunLock | undefined;
  let session: ServiceSession | undefined;
  let detection: MongoDetection | undefined;
  let persistence: PersistenceType | undefined;
  let facts: EnvironmentFacts | undefined;
  let mongoPreflight: MongoPreflight | undefined;
  let mongo: MongoDBBackupResult | undefined;
  let files: FileBackupResult | undefined;
  let controller: ControllerSettingsResult | undefined;
  let secretsPlan: SecretsEncryptionPlan | undefined;
  let archive: CreateArchiveResult | undefined;
  let distribution: DistributionResult | undefined;
  let retention: CleanupResult | null = null;
  let deferred: BackupError | undefined;
  let error: BackupError | undefined;
  let stagingCreated = false;
  let restoreAttempted = false;

  log.info(`AlteryxBackup ${TOOL_VERSION}: ${config.BackupMode} backup of ${platform.hostname()} (execution ${state.ExecutionId}).`);
  try {
    await phases.phase('Initialize', async () => {
      await fs.promises.mkdir(config.TempDirectory, { recursive: true }).catch((err) => {
        throw pathError('TempDirectory', config.TempDirectory, err, 'TEMP_UNWRITABLE', 'the staging folder cannot be created there');
      });
      lock = await acquireRunLock(config.TempDirectory, { log, command: 'Invoke-AlteryxBackup' });
      // A restore killed half-way must be rolled back before anything starts the service on its data.
      await repairInterruptedRestore(platform, config, log, onEvent);
      const repair = await repairFromMarker(platform, config.file, log, { onEvent });
      if (repair.outcome === 'repaired' && repair.started.length > 0) log.warn(`An earlier run had left the service stopped. ${repair.message}`);

      const fromSettings = await detectPersistenceType(config);
      if (fromSettings) persistence = persistenceOf(fromSettings);
      if (modeIncludesDatabase(config.BackupMode)) {
        // SQL Server persistence: exit 3 here, before anything is touched (the SQL databases need SQL Server's tools).
        detection = await detectMongo(config);
        persistence = persistenceOf(detection);
        phases.replan(describePlan(config, detection.type, platform.hostname()));
        log.info(`MongoDB: ${detection.type} (from ${detection.source}).`);
      }
      const plan = describePlan(config, detection?.type ?? 'embedded', platform.hostname());
      if (plan.stopsService) {
        session = ServiceSession.fromConfig(platform, config.file, { log, onEvent, runId: lock.runId, servicePollMs: SERVICE_POLL_MS });
        for (const node of session.topology.nodes) {
          const s = await testServiceState(platform, alteryx.ServiceName, node.host);
          const why = unusableReason({ state: s.CurrentState, startType: s.StartType });
          if (s.CurrentState === 'NotFound') throw new ValidationError(`${alteryx.ServiceName} does not exist on ${node.hostname}.`, 'SERVICE_NOT_FOUND', { category: 'ObjectNotFound' });
          if (why) throw new ValidationError(`${alteryx.ServiceName} on ${node.hostname} cannot be backed up: ${why}.`, 'SERVICE_NOT_USABLE');
        }
      }
      if (modeIncludesFiles(config.BackupMode)) {
        // Certificates missing, expired or of the wrong kind, or RequireEncryptedSecrets without one: exit 3 here, before any stop.
        secretsPlan = resolveSecretsEncryption(config, clock());
        for (const w of secretsPlan.warnings) log.warn(w);
        const plaintext = plaintextSecretsCheck(config, secretsPlan);
        if (plaintext) log.warn(plaintext);
        else log.info(`The controller token and MongoDB passwords will be encrypted to ${secretsPlan.recipients.map((r) => `${r.subject} (${r.thumbprint})`).join(', ')}.`);
        const missing = await checkRequiredFiles(alteryx.ProgramDataPath);
        if (missing.length > 0) throw new ValidationError(missing.join(' '), 'REQUIRED_FILE_MISSING', { details: missing, category: 'ObjectNotFound' });
        const unreadableFiles = await findUnreadableCriticalFiles({
          mode: config.BackupMode,
          programDataPath: alteryx.ProgramDataPath,
          installPath: alteryx.InstallPath,
          includeKeys: config.IncludeKeys,
          includeConfigFile: config.IncludeConfigFile,
          includeConnectorTools: config.file.FilesConfiguration.BackupConnectorTools !== false,
        });
        if (unreadableFiles) throw unreadableFiles;
      }
      await fs.promises.mkdir(config.LocalBackupPath, { recursive: true }).catch((err) => {
        throw pathError('LocalBackupPath', config.LocalBackupPath, err, 'DESTINATION_UNUSABLE', 'the backup folder cannot be created there');
      });
      const localProblems = await preflightDestinations([config.LocalBackupPath]);
      if (localProblems.length > 0) {
        throw new StorageError(`LocalBackupPath is not usable: ${localProblems.map((p) => p.Message).join(' ')}`, 'DESTINATION_UNUSABLE', {
          details: localProblems.map((p) => `${p.Code}: ${p.Message}`),
        });
      }
      // A network share that is down now may be back by the end; the backup is still worth taking locally.
      for (const [i, root] of config.NetworkBackupPaths.entries()) {
        // The host subfolder is ours to create; a share that is down now is only warned about.
        if (scoped.networkPaths[i] !== root && fs.existsSync(root)) await fs.promises.mkdir(scoped.networkPaths[i], { recursive: true }).catch(() => undefined);
      }
      for (const p of await preflightDestinations(scoped.networkPaths)) log.warn(`Network destination problem (the copy will still be tried): ${p.Message}`);
      for (const p of await preflightCloud(scoped.cloud, config.secrets)) log.warn(`Cloud destination problem (the upload will still be tried): ${p.Message}`);
      if (detection) mongoPreflight = await preflightMongoDB({ config, platform, detection, log });
      facts = await collectEnvironmentFacts({ config, platform, log, signal: ctx.signal, persistenceType: persistence });
      if (facts.AlteryxServerVersion) log.info(`Alteryx Server ${facts.AlteryxServerVersion}; persistence ${facts.PersistenceType ?? 'unknown'}.`);
      await removeStaleStaging(config.TempDirectory, log);
      await removeStaleTemporaries(config.LocalBackupPath);
      await fs.promises.mkdir(stagingDir);
      stagingCreated = true;
      log.debug(`Staging folder: ${stagingDir}`);
    });

    await phases.phase('StopService', async () => {
      await session!.stop(ctx.signal);
      if (session!.wasAlreadyStopped) log.warn(`${alteryx.ServiceName} was already stopped; it will be left stopped.`);
    });

    const startService = async () => {
      await phases.phase('StartService', async () => {
        restoreAttempted = true;
        await session!.restore();
        const down = session!.downtime();
        if (down) log.success(`${alteryx.ServiceName} is running again; downtime ${down.seconds.toFixed(1)} s.`);
      });
    };
    await phases.phase('BackupMongoDB', async () => {
      mongo = await invokeMongoDBBackup({
        config,
        platform,
        detection,
        stagingDir,
        log,
        signal: ctx.signal,
        preflight: mongoPreflight,
        serviceStopped: session !== undefined,
        // The service comes back as soon as the dump files are written; the dump is verified with Alteryx live.
        afterDumpCommand: startService,
        onDumpProcess: (pid) => {
          session?.recordHelperProcess(pid, detection?.type === 'embedded' ? detection.embeddedRootPath : undefined).catch((err) => log.warn(`Could not record the dump's PID in the state marker: ${(err as Error).message}`));
        },
      });
    });
    // Only reached without a restart if the dump failed before its command finished (then `finally` restores).
    await startService();

    await phases.phase('BackupFiles', async () => {
      files = await backupCriticalFiles({
        mode: config.BackupMode,
        programDataPath: alteryx.ProgramDataPath,
        installPath: alteryx.InstallPath,
        includeKeys: config.IncludeKeys,
        includeConfigFile: config.IncludeConfigFile,
        includeConnectorTools: config.file.FilesConfiguration.BackupConnectorTools !== false,
        serviceExecutable: platform.alteryxServiceExecutable(),
        stagingDir,
        log,
        signal: ctx.signal,
      });
      controller = await exportControllerSettings({
        platform,
        serviceName: alteryx.ServiceName,
        programDataPath: alteryx.ProgramDataPath,
        includeMongoPasswords: config.IncludeMongoPasswords,
        includeMetadata: config.IncludeMetadata,
        persistenceType: persistence,
        serverVersion: facts ? facts.AlteryxServerVersion : undefined,
        stagingDir,
        redactor: ctx.redactor,
        log,
        signal: ctx.signal,
        encryptTo: secretsPlan?.recipients,
      });
      state.FilesBackedUp = files.FilesBackedUp + controller.Files.length;
      log.success(`Backed up ${state.FilesBackedUp} files.`);
    });

    await phases.phase('Archive', async () => {
      archive = await createArchive({
        sourceDir: stagingDir,
        destinationDir: config.LocalBackupPath,
        fileName,
        compressionLevel: 'Optimal',
        signal: ctx.signal,
        onProgress: (p) => ctx.sink?.progress(archiveProgressUpdate('Archive', p)),
        buildManifest: (entries) => {
          const records: ArchiveEntryRecord[] = entries.filter((e) => !e.isDirectory).map((e) => ({ Path: e.archivePath, SizeBytes: e.sizeBytes, SHA256: e.sha256 }));
          const down = session?.downtime() ?? null;
          const manifest = buildManifest({
            mode: config.BackupMode,
            startedAt: state.StartTime,
            completedAt: clock(),
            version: TOOL_VERSION,
            system: {
              AlteryxServerVersion: facts?.AlteryxServerVersion ?? controller?.AlteryxServerVersion ?? null,
              ServerHostname: platform.hostname(),
              WindowsVersion: platform.osVersion(),
              IsMultiNode: session?.topology.isMultiNode ?? alteryx.Nodes.length > 1,
              NodeRole: 'Controller',
              BackupPerformedBy: platform.currentUser(),
            },
            mongo: mongo
              ? {
                  Included: true,
                  DeploymentType: mongo.DeploymentType,
                  Oplog: mongo.Oplog,
                  PointInTime: mongo.PointInTime,
                  PointInTimeReason: mongo.PointInTimeReason,
                  DatabaseName: mongo.DatabaseName,
                  BackupMethod: mongo.BackupMethod,
                  BackupSizeMB: mongo.BackupSizeMB,
                  CollectionCount: mongo.CollectionCount,
                  TotalDocuments: mongo.TotalDocuments,
                  Databases: mongo.Databases,
                  CountsCheckedAgainst: mongo.Verification.CountsCheckedAgainst,
                  DumpDurationSeconds: mongo.DurationSeconds,
                }
              : null,
            files: [...(files?.Files ?? []), ...(controller?.Files ?? [])],
            controllerSettings: controller
              ? {
                  ControllerTokenExported: controller.ControllerTokenExported,
                  MongoPasswordsExported: controller.MongoPasswordsExported,
                  ...(controller.EmbeddedMongoCredentialsNote ? { EmbeddedMongoCredentialsNote: controller.EmbeddedMongoCredentialsNote } : {}),
                  ServiceAccountUser: controller.ServiceAccountUser,
                  RunAsUser: controller.RunAsUser,
                }
              : null,
            secretsEncryption: controller ? { ...controller.SecretsEncryption } : null,
            archive: { fileName, uncompressedBytes: entries.reduce((a, e) => a + e.sizeBytes, 0) },
            entries: records,
            service: session
              ? {
                  ServiceName: alteryx.ServiceName,
                  StoppedByBackup: down !== null,
                  WasAlreadyStopped: session.wasAlreadyStopped,
                  DowntimeSeconds: down ? Math.round(down.seconds * 1000) / 1000 : 0,
                  DowntimeStartedAt: down?.startedAt ?? null,
                  DowntimeEndedAt: down?.endedAt ?? null,
                  IsMultiNode: session.topology.isMultiNode,
                  Sequence: session.sequence,
                  // Hung in StopPending and ended by ForceStopServiceAfterSeconds.
                  ForceStoppedNodes: session.stopStates.filter((s) => s.ForcedStop).map((s) => s.Host),
                }
              : { ServiceName: alteryx.ServiceName, StoppedByBackup: false, DowntimeSeconds: 0 },
            preBackupChecks: {
              SufficientDiskSpace: mongoPreflight ? mongoPreflight.diskSpace.sufficient : true,
              ServiceAccessible: true,
              NoActiveWorkflows: session ? session.stopStates.every((s) => !s.HasActiveWorkflows || s.KilledWorkflowPids.length === 0) : true,
              AllPathsExist: true,
            },
            keysFolder: config.IncludeKeys && modeIncludesFiles(config.BackupMode) ? path.join(alteryx.ProgramDataPath, 'Keys') : null,
            warnings: log.warnings.slice(),
            errors: [],
            facts: {
              PersistenceType: facts?.PersistenceType ?? persistence ?? null,
              MongoDBVersion: mongo?.MongoDBVersion ?? facts?.MongoDBVersion ?? null,
              NodeServiceAccounts: facts?.NodeServiceAccounts ?? [],
              TlsBinding: facts?.TlsBinding ?? null,
            },
          });
          return Buffer.from(JSON.stringify(ctx.redactor.value(manifest), null, 2), 'utf8');
        },
      });
      log.success(`Archive ${archive.archivePath} published (${(archive.sizeBytes / 1048576).toFixed(2)} MB, SHA256 ${archive.sha256}).`);
    });

    await phases.phase('Distribute', async () => {
      const a = archive!;
      const local = {
        Destination: config.LocalBackupPath,
        Kind: 'Local' as const,
        Success: true,
        Attempts: 1,
        FinalPath: a.archivePath,
        DurationSeconds: a.durationSeconds,
        SHA256Verified: a.verification.ok,
        AlreadyPresent: false,
      };
      const bc = config.file.BackupConfiguration;
      const remote = await copyBackupToDestinations({
        archivePath: a.archivePath,
        sha256: a.sha256,
        destinations: scoped.networkPaths,
        cloud: scoped.cloud,
        secrets: config.secrets,
        retry: { count: bc.CopyRetryCount, delaySeconds: bc.CopyRetryDelaySeconds },
        log,
        signal: ctx.signal,
        onProgress: (p) => ctx.sink?.progress(bytesProgressUpdate(`Copy to ${p.Destination}`, p.Kind, p.BytesCopied, p.TotalBytes)),
      });
      distribution = { Success: remote.Success, Destinations: [local, ...remote.Destinations] };
      // Exit 4, but only after validation and retention have run: the local archive is good.
      deferred = distributionFailure(remote);
      if (deferred) log.error(deferred.message);
    });

    await phases.phase('Validate', async () => {
      const a = archive!;
      if (!a.verification.ok) throw new StorageError(`Archive verification failed: ${a.verification.errors.join('; ')}`, 'ARCHIVE_VERIFY_FAILED');
      if (a.sizeBytes < config.MinimumSizeMB * 1048576) {
        log.warn(
          `The archive is ${(a.sizeBytes / 1048576).toFixed(3)} MB, below the ${config.MinimumSizeMB} MB minimum for ${config.BackupMode} (ValidationConfiguration.MinimumBackupSizeMB). Check that nothing is missing.`,
        );
      }
      const verified = distribution?.Destinations.filter((d) => d.Success && d.SHA256Verified).length ?? 0;
      log.info(`Validated: archive CRCs and SHA256s checked before publishing; ${verified} destination(s) verified by SHA256.`);
    });

    await phases.phase('Cleanup', async () => {
      await removeStagingDir(config.TempDirectory, stagingDir, log);
      stagingCreated = false;
      retention = await removeOldBackups({
        locations: retentionLocations({
          localBackupPath: config.LocalBackupPath,
          networkBackupPaths: scoped.networkPaths,
          cloud: scoped.cloud,
          secrets: config.secrets,
        }),
        retentionDays: config.RetentionDays,
        now: clock(),
        log,
        secrets: config.secrets,
      });
    });
    if (deferred) {
      // The copy failure belongs to Distribute; Validate and Cleanup ran after it and succeeded.
      state.Phase = 'Distribute';
      throw deferred;
    }
  } catch (err) {
    error = toBackupError(err);
    if (ctx.signal.aborted && !(error instanceof CancelledError) && error.exitCode === ExitCode.GeneralError) {
      error = new CancelledError(`The backup was cancelled during ${state.Phase}.`, { cause: err });
    }
    state.fail(error.message, error.code);
    log.error(`${state.Phase} failed: ${error.message}`, { final: true });
  } finally {
    // A restart that already waited MaxServiceWaitSeconds and failed is not waited out a second time.
    if (session?.needsRestore && restoreAttempted && error) {
      log.error(
        `CRITICAL: ${alteryx.ServiceName} could not be started again: ${error.message} Start it by hand; the next run will also try (state marker in ${config.TempDirectory}).`,
      );
    } else if (session?.needsRestore) {
      try {
        log.warn(`Restoring ${alteryx.ServiceName} after the failure.`);
        await session.restore();
        log.success(`${alteryx.ServiceName} is running again.`);
      } catch (restoreErr) {
        const e = toBackupError(restoreErr);
        log.error(`CRITICAL: ${alteryx.ServiceName} could not be started again: ${e.message}. Start it by hand.`);
        error ??= e;
      }
    }
    if (stagingCreated) {
      await removeStagingDir(config.TempDirectory, stagingDir, log).catch((err) => log.warn(`Could not remove the staging folder ${stagingDir}: ${(err as Error).message}`));
    }
    await (lock as RunLock | undefined)?.release().catch((err) => log.warn(`Could not release the run lock: ${(err as Error).message}`));
  }

  phases.complete(clock());
  phases.markNotRun();
  state.Phase = 'Complete';
  state.EndTime = clock();
  const exitCode = error ? error.exitCode : ExitCode.Success;
  const a = archive as CreateArchiveResult | undefined;
  const down = session ? (session as ServiceSession).downtime() : null;
  const m = mongo as MongoDBBackupResult | undefined;
  if (!error) log.success(`${config.BackupMode} backup completed.`);
  const base = buildBackupSummary({
    backupMode: config.BackupMode,
    exitCode,
    host: platform.hostname(),
    startTime: state.StartTime,
    endTime: state.EndTime,
    archivePath: a?.archivePath,
    archiveSha256: a?.sha256,
    archiveSizeBytes: a?.sizeBytes,
    contentSizeBytes: a?.uncompressedBytes,
    downtimeSeconds: down?.seconds,
    destinations: (distribution as DistributionResult | undefined)?.Destinations,
    warnings: log.warnings,
    errors: state.Errors.map((e) => `${e.Phase}: ${e.Message}`),
    logPath: log.logFilePath,
  });
  const summary: BackupSummary = {
    ...base,
    // Sub-second downtime matters to the bench and the manifest; the summary keeps 0.1 s.
    DowntimeSeconds: down ? Math.round(down.seconds * 10) / 10 : null,
    ExecutionId: state.ExecutionId,
    FilesBackedUp: state.FilesBackedUp,
    Phases: state.Phases,
    Destinations: (distribution as DistributionResult | undefined)?.Destinations ?? [],
    ServiceSequence: session ? (session as ServiceSession).sequence : [],
    MongoDB: m ? { DeploymentType: m.DeploymentType, CollectionCount: m.CollectionCount, TotalDocuments: m.TotalDocuments, BackupSizeMB: m.BackupSizeMB } : null,
    Retention: retention,
    NotificationSent: false,
    SecretsEncrypted: modeIncludesFiles(config.BackupMode) && secretsPlan ? secretsPlan.recipients.length > 0 : null,
    SecretsEncryptedTo: (secretsPlan as SecretsEncryptionPlan | undefined)?.recipients.map((r) => r.thumbprint) ?? [],
  };
  const notification = await sendBackupNotification({
    summary,
    settings: config.file.NotificationConfiguration,
    secrets: config.secrets,
    logLines: log.tail(config.file.NotificationConfiguration.LogLinesInBody),
    log,
  });
  summary.NotificationSent = notification.Sent;
  if (notification.Warning) summary.Warnings.push(notification.Warning);
  // The run's last line records its exit code, as Write-BackupSummary does: the acceptance suite reads it.
  log.info(`Status: ${summary.Status} (exit code ${summary.ExitCode}).`);
  return { summary, error };
}
