import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatStamp, modeIncludesDatabase, modeIncludesFiles, parseBackupMode, type BackupMode } from '../core/backup-mode';
import { BackupError, CancelledError, ExitCode, GeneralBackupError, RestoreFailedError, RollbackFailedError, ServiceTimeoutError, StorageError, ValidationError, toBackupError } from '../core/errors';
import { runPhase } from '../core/run-phase';
import type { Redactor } from '../core/redact';
import type { ResolvedConfig } from '../config/config-types';
import { verifyArchive } from '../archive';
import type { ProtocolSink } from '../cli/protocol';
import type { BackupLogger } from '../logging/logger';
import { detectMongo, embeddedRootPath, type MongoDetection } from '../mongo';
import { resolveSelfManagedTarget, runSelfManagedDump, type SelfManagedTarget } from '../mongo/self-managed-dump';
import type { Platform } from '../platform/platform';
import { runCommand } from '../platform/run-command';
import { acquireRunLock, type RunLock } from '../service/run-lock';
import { testServiceState, unusableReason } from '../service/service-controller';
import { ServiceSession } from '../service/service-session';
import { endOrphanedHelpers, readStateMarker, repairFromMarker } from '../service/state-marker';
import { sendNotification } from '../notify/email';
import { extractArchive } from './extract-archive';
import { restoreNotificationContent } from './restore-notification';
import { mongorestoreExecutable, runEmbeddedRestore, runSelfManagedRestore, type RestoreCommandResult } from './mongo-restore';
import { readArchiveSecrets } from './read-secrets';
import { checkRestoreLog, expectedCollections, parseRestoreLog, type RestoreCountCheck } from './restore-log';
import { decodeWithBom, encodeWithBom, mergeRuntimeSettings, withoutMachineBound } from './runtime-settings-merge';
import {
  clearRestoreMarker,
  readRestoreMarker,
  readSafetyManifest,
  restoreDataFolder,
  restoreSavedFiles,
  saveFiles,
  saveSafetyManifest,
  sha256OfFile,
  writeRestoreMarker,
  type SafetyManifest,
} from './safety-copy';
import { isPidAlive } from '../service/process-alive';
import type { Log } from '../logging/logger';

export const ENCRYPTION_KEY_TRANSFER_URL = 'https://help.alteryx.com/20223/en/server/install/server-host-recovery-guide/encryption-key-transfer-process.html';
export const HOST_RECOVERY_GUIDE_URL = 'https://help.alteryx.com/current/en/server/install/server-host-recovery-guide.html';

export type RestorePhaseName = 'Preflight' | 'Extract' | 'StopService' | 'SafetyCopy' | 'RuntimeSettings' | 'MongoDB' | 'Files' | 'ControllerToken' | 'StartService' | 'Verify';

export interface RestorePhaseRecord {
  Phase: RestorePhaseName;
  Status: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Skipped' | 'NotRun';
  DurationSeconds: number | null;
}

export interface RestoreFileRecord {
  ArchivePath: string;
  TargetPath: string;
  Existed: boolean;
  SHA256: string;
  Verified: boolean | null;
}

export interface RestorePlan {
  ArchivePath: string;
  ArchiveMode: BackupMode;
  RestoreMode: BackupMode;
  SourceHost: string | null;
  TargetHost: string;
  SourceVersion: string | null;
  TargetVersion: string | null;
  PersistenceType: string | null;
  ServicesToStop: string[];
  Files: { ArchivePath: string; TargetPath: string; Existed: boolean }[];
  Database: { Method: string; Target: string; ExpectedCollections: number; ExpectedDocuments: number } | null;
  ControllerToken: boolean;
  SafetyCopyPath: string;
  DataFolderMovedTo: string | null;
  Warnings: string[];
}

export interface RestoreResult {
  Status: 'Success' | 'WhatIf' | 'Failed' | 'RolledBack' | 'RollbackFailed';
  ExitCode: number;
  ArchivePath: string;
  RestoreMode: BackupMode | null;
  Host: string;
  SourceHost: string | null;
  Phases: RestorePhaseRecord[];
  DocumentsExpected: number | null;
  DocumentsRestored: number | null;
  Collections: RestoreCountCheck['collections'];
  Files: RestoreFileRecord[];
  SafetyCopyPath: string | null;
  DataFolderMovedTo: string | null;
  RolledBack: boolean;
  DowntimeSeconds: number | null;
  DurationSeconds: number;
  Warnings: string[];
  Errors: string[];
  LogPath: string | null;
  Plan: RestorePlan | null;
  /** Whether the notification email went out (NotificationConfiguration). */
  NotificationSent: boolean;
}

export interface RunRestoreContext {
  config: ResolvedConfig;
  platform: Platform;
  log: BackupLogger;
  redactor: Redactor;
  sink?: ProtocolSink;
  signal: AbortSignal;
  archivePath: string;
  restoreMode?: string;
  force?: boolean;
  allowNewHost?: boolean;
  whatIf?: boolean;
}

export interface RunRestoreOutcome {
  result: RestoreResult;
  error?: BackupError;
}

/** Archive path → where it goes on this host; undefined for entries that are not files to put back. */
export function targetPathFor(archivePath: string, programDataPath: string, installPath: string, manifestFilePath?: string): string | undefined {
  if (archivePath === 'Config/RuntimeSettings.xml') return path.join(programDataPath, 'RuntimeSettings.xml');
  if (archivePath.startsWith('Config/Keys/') && !archivePath.endsWith('/')) return path.join(programDataPath, 'Keys', ...archivePath.slice('Config/Keys/'.length).split('/'));
  if (archivePath === 'Config/SystemAlias.xml') return path.join(programDataPath, 'Engine', 'SystemAlias.xml');
  // %ProgramData%\Alteryx\Tools (connector tools; FilesConfiguration.BackupConnectorTools).
  if (archivePath.startsWith('Config/Tools/') && !archivePath.endsWith('/')) return path.join(programDataPath, 'Tools', ...archivePath.slice('Config/Tools/'.length).split('/'));
  if (archivePath === 'Config/SystemConnections.xml') return path.join(programDataPath, 'Engine', 'SystemConnections.xml');
  if (archivePath === 'Config/alteryx.config') {
    // 2020.1 moved it to bin\server\config; follow where the backup found it, else what exists here.
    const modern = path.join(installPath, 'bin', 'server', 'config', 'alteryx.config');
    const legacy = path.join(installPath, 'bin', 'config', 'alteryx.config');
    if (manifestFilePath && !/[\\/]server[\\/]config[\\/]/i.test(manifestFilePath) && fs.existsSync(path.dirname(legacy))) return legacy;
    return modern;
  }
  return undefined;
}

function shortHost(h: string): string {
  return h.split('.')[0].toUpperCase();
}

/** Which modes an archive can be restored in. */
export function allowedRestoreModes(archiveMode: BackupMode): BackupMode[] {
  return archiveMode === 'Full' ? ['Full', 'DatabaseOnly', 'ConfigOnly'] : [archiveMode];
}

const DATA_ASIDE_SUFFIX = '_PreRestore_';

class Phases {
  readonly records: RestorePhaseRecord[];
  constructor(
    names: RestorePhaseName[],
    private readonly log: Log,
    private readonly signal: AbortSignal,
    private readonly onPhase: (p: RestorePhaseName) => Promise<void>,
  ) {
    this.records = names.map((n) => ({ Phase: n, Status: 'Pending', DurationSeconds: null }));
  }
  skip(name: RestorePhaseName): void {
    const r = this.records.find((p) => p.Phase === name);
    if (r) r.Status = 'Skipped';
  }
  async run<T>(name: RestorePhaseName, fn: () => Promise<T>, abortable = true): Promise<T | undefined> {
    const r = this.records.find((p) => p.Phase === name)!;
    if (r.Status === 'Skipped') return undefined;
    if (abortable && this.signal.aborted) throw new CancelledError(`The restore was cancelled before ${name}.`);
    return runPhase(r, fn, {
      onStart: async () => {
        this.log.info(`Restore phase ${name}.`);
        await this.onPhase(name);
      },
    });
  }
  markNotRun(): void {
    for (const r of this.records) if (r.Status === 'Pending') r.Status = 'NotRun';
  }
}

async function alteryxServiceOutput(platform: Platform, arg: string, signal?: AbortSignal): Promise<{ ok: boolean; stdout: string; exitCode: number | null }> {
  const r = await runCommand(platform.alteryxServiceExecutable(), [arg], { timeoutMs: 120_000, signal });
  return { ok: r.exitCode === 0 && !r.timedOut, stdout: r.stdout, exitCode: r.exitCode };
}

/**
 * Restores a backup archive onto this host, in the Host Recovery Guide's
 * order, behind the same service guard as the backup. Never throws: the
 * outcome carries the error. Any failure after the first change rolls the
 * host back from the safety copy and starts the service again.
 */
export async function runRestore(ctx: RunRestoreContext): Promise<RunRestoreOutcome> {
  const { config, platform, log } = ctx;
  const started = new Date();
  const stamp = formatStamp(started);
  const alteryx = config.file.AlteryxConfiguration;
  const onEvent = (e: { event: 'stopped' | 'started'; host?: string }) => ctx.sink?.service(e.event, e.host);
  const archivePath = path.resolve(ctx.archivePath);
  const result: RestoreResult = {
    Status: 'Failed',
    ExitCode: 1,
    ArchivePath: archivePath,
    RestoreMode: null,
    Host: platform.hostname(),
    SourceHost: null,
    Phases: [],
    DocumentsExpected: null,
    DocumentsRestored: null,
    Collections: [],
    Files: [],
    SafetyCopyPath: null,
    DataFolderMovedTo: null,
    RolledBack: false,
    DowntimeSeconds: null,
    DurationSeconds: 0,
    Warnings: [],
    Errors: [],
    LogPath: log.logFilePath ?? null,
    Plan: null,
    NotificationSent: false,
  };
  let marker: { safetyCopyPath: string; runId?: string } | undefined;
  const phases = new Phases(
    ['Preflight', 'Extract', 'StopService', 'SafetyCopy', 'RuntimeSettings', 'MongoDB', 'Files', 'ControllerToken', 'StartService', 'Verify'],
    log,
    ctx.signal,
    async (phase) => {
      if (marker) {
        await writeRestoreMarker(config.TempDirectory, { version: 1, pid: process.pid, host: platform.hostname(), runId: marker.runId, startedAt: started.toISOString(), safetyCopyPath: marker.safetyCopyPath, phase });
      }
    },
  );
  result.Phases = phases.records;

  let lock: RunLock | undefined;
  let session: ServiceSession | undefined;
  let error: BackupError | undefined;
  let workDir: string | undefined;
  let safety: SafetyManifest | undefined;
  let safetyDir: string | undefined;
  let changed = false;
  let plan: RestorePlan | undefined;

  try {
    // ---------- Preflight: reads only ----------
    let manifest: Record<string, any> = {};
    let mode: BackupMode = 'Full';
    let detection: MongoDetection | undefined;
    let selfManaged: SelfManagedTarget | undefined;
    let archiveToken: string | undefined;
    let dataDir: string | undefined;
    const filePlan: { ArchivePath: string; TargetPath: string; Existed: boolean; SHA256: string }[] = [];
    await phases.run('Preflight', async () => {
      if (!fs.existsSync(archivePath)) throw new ValidationError(`-ArchivePath: '${archivePath}' does not exist.`, 'PARAMETER_INVALID', { category: 'ObjectNotFound' });
      log.info(`Verifying ${archivePath} (every CRC and SHA256) before anything is touched.`);
      const v = await verifyArchive(archivePath, { signal: ctx.signal });
      if (!v.ok) {
        throw new StorageError(`The archive is corrupt or cannot be verified; nothing was changed: ${v.errors.concat(v.crcFailures.map((c) => `CRC ${c}`), v.sha256Mismatches.map((c) => `SHA256 ${c}`)).slice(0, 6).join('; ')}`, 'ARCHIVE_CORRUPT', {
          details: [...v.errors, ...v.crcFailures, ...v.sha256Mismatches, ...v.missingFromArchive.map((m) => `missing ${m}`)],
          category: 'InvalidData',
        });
      }
      if (!v.sidecarFound) log.warn(`${path.basename(archivePath)} has no .sha256 sidecar: its entries match the manifest inside, but the archive as a whole cannot be checked against the published hash.`);
      manifest = v.manifest as Record<string, any>;
      const archiveMode = parseBackupMode(manifest?.BackupMetadata?.BackupMode, 'BackupManifest.json BackupMetadata.BackupMode');
      mode = ctx.restoreMode ? parseBackupMode(ctx.restoreMode, '-RestoreMode') : archiveMode;
      if (!allowedRestoreModes(archiveMode).includes(mode)) {
        throw new ValidationError(`-RestoreMode ${mode}: a ${archiveMode} archive holds only ${archiveMode === 'DatabaseOnly' ? 'the database' : 'the configuration'}; use -RestoreMode ${archiveMode}.`, 'RESTORE_MODE_UNAVAILABLE', { category: 'InvalidArgument' });
      }
      result.RestoreMode = mode;

      // Same host?
      const sourceHost: string | null = manifest?.SystemInformation?.ServerHostname ?? null;
      result.SourceHost = sourceHost;
      if (sourceHost && shortHost(sourceHost) !== shortHost(platform.hostname())) {
        const why =
          `This backup was taken on ${sourceHost}; this machine is ${platform.hostname()}. Since Alteryx Server 2021.4.2 Patch 5, 2022.1.1 Patch 3 and 2022.3, ` +
          `encryption is bound to the machine: encrypted DCM connections and Server data connections will not work on a new host unless they are moved with ` +
          `Alteryx's Encryption Key Transfer Process, which needs the original host running (${ENCRYPTION_KEY_TRANSFER_URL}).`;
        if (!ctx.allowNewHost) throw new ValidationError(`${why} Add -AllowNewHost to restore anyway.`, 'RESTORE_OTHER_HOST');
        log.warn(why);
      }
      // Same version?
      const sourceVersion: string | null = manifest?.SystemInformation?.AlteryxServerVersion ?? null;
      const v2 = await alteryxServiceOutput(platform, 'getversion', ctx.signal);
      const targetVersion = v2.ok ? v2.stdout.trim().split(/\r?\n/)[0].trim() : null;
      if (!sourceVersion) log.warn('The manifest does not record the Alteryx Server version; the version check was skipped.');
      else if (!targetVersion) log.warn(`AlteryxService getversion failed (exit ${String(v2.exitCode)}); the version check was skipped.`);
      else if (sourceVersion !== targetVersion) {
        const why = `The backup is from Alteryx Server ${sourceVersion}; this server runs ${targetVersion}. A restore needs the same version (Server Host Recovery Guide, ${HOST_RECOVERY_GUIDE_URL}).`;
        if (!ctx.force) throw new ValidationError(`${why} Install ${sourceVersion}, or add -Force to restore anyway.`, 'RESTORE_VERSION_MISMATCH');
        log.warn(`${why} Going on because of -Force.`);
      }

      // Service: exists and usable.
      const s = await testServiceState(platform, alteryx.ServiceName);
      if (s.CurrentState === 'NotFound') throw new ValidationError(`${alteryx.ServiceName} does not exist on this machine: install Alteryx Server ${sourceVersion ?? ''} first.`, 'SERVICE_NOT_FOUND', { category: 'ObjectNotFound' });
      const unusable = unusableReason({ state: s.CurrentState, startType: s.StartType });
      if (unusable) throw new ValidationError(`${alteryx.ServiceName} cannot be restored: ${unusable}.`, 'SERVICE_NOT_USABLE');

      // Database target.
      if (modeIncludesDatabase(mode)) {
        const archiveType: string | undefined = manifest?.PersistenceType ?? manifest?.MongoDBInformation?.DeploymentType;
        if (archiveType === 'SQLServer') throw new ValidationError('The backup is of a SQL Server persistence; this tool restores MongoDB only.', 'RESTORE_PERSISTENCE_UNSUPPORTED');
        detection = await detectMongo(config);
        const archiveIsEmbedded = archiveType === undefined ? undefined : /embedded/i.test(archiveType);
        if (archiveIsEmbedded !== undefined && archiveIsEmbedded !== (detection.type === 'embedded')) {
          throw new ValidationError(`The backup holds a ${archiveIsEmbedded ? 'embedded' : 'self-managed'} MongoDB dump, but this server uses ${detection.type} MongoDB.`, 'RESTORE_PERSISTENCE_MISMATCH');
        }
        if (detection.type === 'embedded') {
          dataDir = path.resolve(embeddedRootPath(config, detection));
          if (/[\s,]/.test(dataDir) || /[\s,]/.test(config.TempDirectory)) log.warn('A path with spaces or commas may not survive emongorestore=<source>,<target>; prefer paths without them.');
        } else {
          selfManaged = resolveSelfManagedTarget(config.file.MongoDBConfiguration.SelfManagedMongoDB, config.secrets, detection);
          if (selfManaged.username && selfManaged.password === undefined) {
            throw new ValidationError('Self-managed MongoDB needs its password (-MongoCredential, -MongoPassword or CredentialFile) to restore.', 'MONGO_PASSWORD_MISSING');
          }
        }
      }

      // Files.
      const byArchive = new Map<string, any>();
      for (const f of Array.isArray(manifest?.BackedUpFiles) ? manifest.BackedUpFiles : []) if (f?.RelativePathInArchive) byArchive.set(f.RelativePathInArchive, f);
      const entries: { Path: string; SHA256: string; SizeBytes: number }[] = Array.isArray(manifest?.ArchiveEntries) ? manifest.ArchiveEntries : [];
      if (modeIncludesFiles(mode)) {
        for (const e of entries) {
          const target = targetPathFor(e.Path, alteryx.ProgramDataPath, alteryx.InstallPath, byArchive.get(e.Path)?.FilePath);
          if (target) filePlan.push({ ArchivePath: e.Path, TargetPath: target, Existed: fs.existsSync(target), SHA256: e.SHA256 });
        }
        if (!filePlan.some((f) => f.ArchivePath === 'Config/RuntimeSettings.xml')) throw new StorageError('The archive has no Config/RuntimeSettings.xml: it cannot restore the configuration.', 'ARCHIVE_INCOMPLETE');
        archiveToken = entries.some((e) => e.Path === 'Config/ControllerToken.txt' || e.Path === 'Config/ControllerToken.txt.p7m') ? 'present' : undefined;
        if (!archiveToken) log.warn('The archive holds no controller token: this server keeps its own token.');
      }

      // Disk space: the extracted archive in TempDirectory, the safety copies, and the restored data beside the old.
      await fs.promises.mkdir(config.TempDirectory, { recursive: true });
      const extractBytes = entries.reduce((a, e) => a + (e.SizeBytes ?? 0), 0);
      const dumpBytes = entries.filter((e) => e.Path.startsWith('MongoDB/')).reduce((a, e) => a + (e.SizeBytes ?? 0), 0);
      const safetyBytes = filePlan.reduce((a, f) => a + (f.Existed ? fs.statSync(f.TargetPath).size : 0), 0);
      const needs = new Map<number, { path: string; bytes: number }>();
      const need = (p: string, bytes: number) => {
        let probe = p;
        while (!fs.existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
        const dev = fs.statSync(probe).dev;
        const cur = needs.get(dev) ?? { path: probe, bytes: 0 };
        cur.bytes += bytes;
        needs.set(dev, cur);
      };
      need(config.TempDirectory, extractBytes + safetyBytes + (selfManaged ? dumpBytes : 0));
      if (dataDir) need(path.dirname(dataDir), dumpBytes);
      for (const { path: p, bytes } of needs.values()) {
        const free = await platform.freeBytes(p);
        const want = Math.ceil(bytes * 1.1) + 64 * 1024 * 1024;
        if (free < want) throw new ValidationError(`Not enough disk space on the volume of ${p}: ${(free / 1048576).toFixed(0)} MB free, the restore needs about ${(want / 1048576).toFixed(0)} MB (the extracted archive, the safety copy and the restored data).`, 'INSUFFICIENT_DISK_SPACE', { category: 'ResourceUnavailable' });
      }

      const expected = expectedCollections(manifest);
      safetyDir = path.join(config.TempDirectory, `PreRestore_${stamp}`);
      const topology = ServiceSession.fromConfig(platform, config.file, { log }).topology;
      plan = {
        ArchivePath: archivePath,
        ArchiveMode: archiveMode,
        RestoreMode: mode,
        SourceHost: sourceHost,
        TargetHost: platform.hostname(),
        SourceVersion: sourceVersion,
        TargetVersion: targetVersion,
        PersistenceType: modeIncludesDatabase(mode) ? (detection?.type === 'embedded' ? 'EmbeddedMongoDB' : 'SelfManagedMongoDB') : null,
        ServicesToStop: topology.nodes.map((n) => `${alteryx.ServiceName} on ${n.hostname} (${n.role})`),
        Files: filePlan.map((f) => ({ ArchivePath: f.ArchivePath, TargetPath: f.TargetPath, Existed: f.Existed })),
        Database: modeIncludesDatabase(mode)
          ? {
              Method: detection?.type === 'embedded' ? `AlteryxService emongorestore=<dump>,${dataDir}` : `mongorestore --drop --dir <dump> (${selfManaged?.display ?? ''})`,
              Target: dataDir ?? selfManaged?.display ?? '',
              ExpectedCollections: expected.length,
              ExpectedDocuments: expected.reduce((a, e) => a + e.documents, 0),
            }
          : null,
        ControllerToken: Boolean(archiveToken),
        SafetyCopyPath: safetyDir,
        DataFolderMovedTo: dataDir ? `${dataDir}${DATA_ASIDE_SUFFIX}${stamp}` : null,
        Warnings: [...log.warnings],
      };
      result.Plan = plan;
    });

    if (ctx.whatIf) {
      const p = plan!;
      log.info(`What if: restore ${p.ArchivePath} (${p.ArchiveMode} archive) as ${p.RestoreMode} onto ${p.TargetHost}.`);
      for (const s of p.ServicesToStop) log.info(`What if: stop ${s}, then start it again (Controller, then UI nodes, then Workers).`);
      log.info(`What if: save a safety copy to ${p.SafetyCopyPath}${p.DataFolderMovedTo ? ` and move the data folder aside to ${p.DataFolderMovedTo}` : ''}.`);
      for (const f of p.Files) log.info(`What if: ${f.Existed ? 'replace' : 'create '} ${f.TargetPath} from ${f.ArchivePath}.`);
      if (p.Database) log.info(`What if: restore the database with ${p.Database.Method}: ${p.Database.ExpectedCollections} collections, ${p.Database.ExpectedDocuments} documents expected.`);
      if (p.ControllerToken) log.info('What if: set the controller token from the archive (AlteryxService setserversecret).');
      result.Status = 'WhatIf';
      result.ExitCode = 0;
      phases.markNotRun();
      result.DurationSeconds = (Date.now() - started.getTime()) / 1000;
      return { result };
    }

    // ---------- Extract (still nothing touched on the server) ----------
    lock = await acquireRunLock(config.TempDirectory, { log, command: 'Restore-AlteryxBackup', hostname: platform.hostname() });
    await repairInterruptedRestore(platform, config, log, onEvent);
    const repair = await repairFromMarker(platform, config.file, log, { onEvent });
    if (repair.outcome === 'repaired' && repair.started.length > 0) log.warn(`An earlier run had left the service stopped. ${repair.message}`);
    workDir = path.join(config.TempDirectory, `AlteryxRestore_${stamp}`);
    const expectedEntries = new Map<string, string>(((manifest.ArchiveEntries ?? []) as { Path: string; SHA256: string }[]).map((e) => [e.Path, e.SHA256]));
    await phases.run('Extract', async () => {
      await fs.promises.rm(workDir!, { recursive: true, force: true });
      const skip = (p: string) => (!modeIncludesDatabase(mode) && p.startsWith('MongoDB/')) || (!modeIncludesFiles(mode) && p.startsWith('Config/'));
      await extractArchive(archivePath, workDir!, expectedEntries, { signal: ctx.signal, skip });
      if (modeIncludesFiles(mode)) {
        const secrets = await readArchiveSecrets(workDir!, { secrets: config.secrets, manifest });
        archiveToken = secrets.controllerToken;
        if (archiveToken) ctx.redactor.add(archiveToken);
      }
    });

    // ---------- Stop ----------
    await phases.run('StopService', async () => {
      session = ServiceSession.fromConfig(platform, config.file, { log, onEvent, runId: lock!.runId, servicePollMs: 200 });
      marker = { safetyCopyPath: safetyDir!, runId: lock!.runId };
      // The marker exists before the first change, so a killed run is rolled back by the repair.
      await writeRestoreMarker(config.TempDirectory, { version: 1, pid: process.pid, host: platform.hostname(), runId: lock!.runId, startedAt: started.toISOString(), safetyCopyPath: safetyDir!, phase: 'StopService' });
      await session.stop(ctx.signal);
    });

    // ---------- Safety copy ----------
    await phases.run('SafetyCopy', async () => {
      await fs.promises.mkdir(safetyDir!, { recursive: true });
      if (process.platform !== 'win32') await fs.promises.chmod(safetyDir!, 0o700);
      safety = {
        version: 1,
        createdAt: new Date().toISOString(),
        host: platform.hostname(),
        files: [],
        dataDir: dataDir ?? null,
        dataAside: dataDir ? `${dataDir}${DATA_ASIDE_SUFFIX}${stamp}` : null,
        dataMoved: false,
        tokenSaved: false,
        selfManagedDump: null,
      };
      result.SafetyCopyPath = safetyDir!;
      await saveSafetyManifest(safetyDir!, safety);
      if (archiveToken) {
        const current = await alteryxServiceOutput(platform, 'getserversecret');
        if (!current.ok) throw new RestoreFailedError(`AlteryxService getserversecret failed (exit ${String(current.exitCode)}): the current token cannot be saved for a rollback.`, 'TOKEN_READ_FAILED');
        const token = current.stdout.trim();
        ctx.redactor.add(token);
        const fh = await fs.promises.open(path.join(safetyDir!, 'ControllerToken.txt'), 'wx', 0o600);
        await fh.writeFile(token);
        await fh.close();
        safety.tokenSaved = true;
      }
      safety.files = await saveFiles(safetyDir!, filePlan.map((f) => f.TargetPath));
      if (selfManaged) {
        const dumpDir = path.join(safetyDir!, 'MongoDB');
        log.info(`Dumping the current self-managed database to ${dumpDir} before it is replaced.`);
        await runSelfManagedDump({
          mongodump: config.file.MongoDBConfiguration.SelfManagedMongoDB.MongoDumpPath || 'mongodump',
          target: selfManaged,
          outDir: dumpDir,
          timeoutSeconds: config.file.MongoDBConfiguration.DumpTimeoutSeconds,
          log,
          signal: ctx.signal,
        });
        safety.selfManagedDump = dumpDir;
      }
      await saveSafetyManifest(safetyDir!, safety);
      if (dataDir && fs.existsSync(dataDir)) {
        changed = true;
        await fs.promises.rename(dataDir, safety.dataAside!);
        safety.dataMoved = true;
        await saveSafetyManifest(safetyDir!, safety);
        result.DataFolderMovedTo = safety.dataAside;
        log.info(`Moved the data folder aside: ${dataDir} → ${safety.dataAside}.`);
      }
      log.success(`Safety copy in ${safetyDir}.`);
    });

    // ---------- RuntimeSettings.xml ----------
    const writeFile = async (f: (typeof filePlan)[number], bytes: Buffer) => {
      changed = true;
      await fs.promises.mkdir(path.dirname(f.TargetPath), { recursive: true });
      const tmp = `${f.TargetPath}.restore-${process.pid}.tmp`;
      await fs.promises.writeFile(tmp, bytes);
      await fs.promises.rename(tmp, f.TargetPath);
    };
    if (!modeIncludesFiles(mode)) {
      phases.skip('RuntimeSettings');
      phases.skip('Files');
      phases.skip('ControllerToken');
    }
    if (!modeIncludesDatabase(mode)) phases.skip('MongoDB');
    let mergedRuntimeSettings: string | undefined;
    await phases.run('RuntimeSettings', async () => {
      const f = filePlan.find((x) => x.ArchivePath === 'Config/RuntimeSettings.xml')!;
      const backedUp = decodeWithBom(await fs.promises.readFile(path.join(workDir!, 'Config', 'RuntimeSettings.xml')));
      const current = f.Existed ? decodeWithBom(await fs.promises.readFile(path.join(safetyDir!, safety!.files.find((s) => s.target === f.TargetPath)!.copy!))).text : undefined;
      const merged = mergeRuntimeSettings(backedUp.text, current);
      if (!archiveToken && current !== undefined) {
        // No token in the archive: this server keeps its own, encrypted for this machine.
        const m = /<ServerSecretEncrypted>[^<]*<\/ServerSecretEncrypted>/.exec(current);
        if (m) merged.text = merged.text.replace(/([ \t]*)<\/Controller>/, (all, indent: string) => `${indent}  ${m[0]}${merged.text.includes('\r\n') ? '\r\n' : '\n'}${all}`);
      }
      if (merged.keptFromTarget.length > 0) log.info(`RuntimeSettings.xml: kept this machine's ${merged.keptFromTarget.join(', ')}.`);
      mergedRuntimeSettings = merged.text;
      await writeFile(f, encodeWithBom(backedUp.bom, merged.text));
    });

    // ---------- MongoDB ----------
    let restoreRun: RestoreCommandResult | undefined;
    await phases.run('MongoDB', async () => {
      changed = true;
      const dumpDir = path.join(workDir!, 'MongoDB');
      const timeoutSeconds = config.file.MongoDBConfiguration.DumpTimeoutSeconds;
      const onSpawn = (pid: number) => {
        session?.recordHelperProcess(pid).catch(() => undefined);
      };
      if (detection!.type === 'embedded') {
        await fs.promises.mkdir(dataDir!, { recursive: true });
        log.info(`AlteryxService emongorestore=${dumpDir},${dataDir}`);
        restoreRun = await runEmbeddedRestore({ executable: platform.alteryxServiceExecutable(), source: dumpDir, target: dataDir!, timeoutSeconds, signal: ctx.signal, onSpawn });
      } else {
        const exe = mongorestoreExecutable(config.file.MongoDBConfiguration.SelfManagedMongoDB.MongoDumpPath);
        restoreRun = await runSelfManagedRestore({ executable: exe, target: selfManaged!, dumpDir, oplogReplay: manifest?.MongoDBInformation?.Oplog === true, timeoutSeconds, signal: ctx.signal, onSpawn });
        log.info(restoreRun.command);
      }
      for (const line of restoreRun.logText.split(/\r?\n/)) if (line.trim()) log.debug(`mongoRestore.log: ${line}`);
      const check = checkRestoreLog(parseRestoreLog(restoreRun.logText), expectedCollections(manifest));
      result.Collections = check.collections;
      result.DocumentsExpected = check.expectedDocuments;
      result.DocumentsRestored = check.restoredDocuments;
      if (restoreRun.timedOut) throw new RestoreFailedError(`${restoreRun.command.split(' ')[0]} did not finish within ${timeoutSeconds} s (MongoDBConfiguration.DumpTimeoutSeconds).`, 'MONGORESTORE_TIMEOUT', { category: 'OperationTimeout' });
      if (restoreRun.exitCode !== 0) throw new RestoreFailedError(`The database restore failed (exit ${String(restoreRun.exitCode)}): ${restoreRun.output.trim().split(/\r?\n/).slice(-1)[0] ?? ''}`, 'MONGORESTORE_FAILED', { details: check.problems });
      if (/EMongoRestore failed/i.test(restoreRun.output)) throw new RestoreFailedError(`emongorestore reported a failure: ${restoreRun.output.trim()}`, 'MONGORESTORE_FAILED');
      if (!check.ok) throw new RestoreFailedError(`The database restore is incomplete: ${check.problems.slice(0, 4).join(' ')}`, 'MONGORESTORE_INCOMPLETE', { details: check.problems });
      log.success(`Database restored: ${check.restoredDocuments} documents in ${check.collections.length} collections, as the manifest lists.`);
    });

    // ---------- Keys, SystemAlias.xml, SystemConnections.xml, alteryx.config, connector Tools ----------
    await phases.run('Files', async () => {
      for (const f of filePlan) {
        if (f.ArchivePath === 'Config/RuntimeSettings.xml') continue;
        await writeFile(f, await fs.promises.readFile(path.join(workDir!, ...f.ArchivePath.split('/'))));
        result.Files.push({ ArchivePath: f.ArchivePath, TargetPath: f.TargetPath, Existed: f.Existed, SHA256: f.SHA256, Verified: null });
      }
      log.success(`Restored ${result.Files.length + 1} configuration files.`);
    });

    // ---------- Controller token ----------
    if (!archiveToken) phases.skip('ControllerToken');
    await phases.run('ControllerToken', async () => {
      changed = true;
      // On the command line of AlteryxService only (its one syntax); never logged, never in an event.
      const r = await runCommand(platform.alteryxServiceExecutable(), [`setserversecret=${archiveToken!}`], { timeoutMs: 120_000 });
      if (r.exitCode !== 0 || r.timedOut) throw new RestoreFailedError(`AlteryxService setserversecret failed (exit ${String(r.exitCode)}): ${ctx.redactor.text(`${r.stderr}${r.stdout}`.trim())}`, 'SET_TOKEN_FAILED');
      log.success('Controller token set from the archive.');
    });

    // ---------- Start: Controller, then UI nodes, then Workers ----------
    await phases.run(
      'StartService',
      async () => {
        try {
          await session!.restore();
        } catch (err) {
          throw new ServiceTimeoutError(`${alteryx.ServiceName} did not start with the restored data: ${(err as Error).message}`, 'RESTORE_SERVICE_FAILED', { cause: err });
        }
        const down = session!.downtime();
        if (down) log.success(`${alteryx.ServiceName} is running again; downtime ${down.seconds.toFixed(1)} s.`);
      },
      false,
    );

    // ---------- Verify ----------
    await phases.run('Verify', async () => {
      const problems: string[] = [];
      for (const f of result.Files) {
        const now = await sha256OfFile(f.TargetPath);
        f.Verified = now === f.SHA256.toLowerCase();
        if (!f.Verified) problems.push(`${f.TargetPath}: SHA256 differs from the manifest.`);
      }
      if (mergedRuntimeSettings !== undefined) {
        const rs = filePlan.find((x) => x.ArchivePath === 'Config/RuntimeSettings.xml')!;
        const archived = decodeWithBom(await fs.promises.readFile(path.join(workDir!, 'Config', 'RuntimeSettings.xml'))).text;
        const now = decodeWithBom(await fs.promises.readFile(rs.TargetPath)).text;
        const same = withoutMachineBound(now) === withoutMachineBound(archived);
        result.Files.unshift({ ArchivePath: rs.ArchivePath, TargetPath: rs.TargetPath, Existed: rs.Existed, SHA256: rs.SHA256, Verified: same });
        if (!same) problems.push(`${rs.TargetPath}: differs from the backed-up file in more than the machine-bound elements.`);
      }
      if (archiveToken) {
        const t = await alteryxServiceOutput(platform, 'getserversecret');
        if (!t.ok || t.stdout.trim() !== archiveToken) problems.push('The controller token on this server is not the one in the archive.');
      }
      const s = await testServiceState(platform, alteryx.ServiceName);
      if (session?.wasAlreadyStopped) log.warn(`${alteryx.ServiceName} was stopped before the restore and is left stopped; start it to test the server.`);
      else if (s.CurrentState !== 'Running') problems.push(`${alteryx.ServiceName} is ${s.CurrentState}, not Running.`);
      if (problems.length > 0) throw new RestoreFailedError(`The restored server does not match the backup: ${problems.join(' ')}`, 'RESTORE_VERIFY_FAILED', { details: problems });
      log.success(`Verified: ${result.DocumentsRestored ?? 0} documents, ${result.Files.length} files and the token match the backup; ${alteryx.ServiceName} is Running.`);
    });
    result.Status = 'Success';
  } catch (err) {
    error = toBackupError(err);
    if (ctx.signal.aborted && !(error instanceof CancelledError) && error.exitCode === ExitCode.GeneralError) error = new CancelledError('The restore was cancelled.', { cause: err });
    log.error(`Restore failed: ${error.message}`);
    if (safetyDir && safety && (changed || safety.tokenSaved)) {
      const rollbackError = await rollBack(ctx, safetyDir, session);
      result.RolledBack = !rollbackError;
      if (rollbackError) error = rollbackError;
      else if (!(error instanceof ServiceTimeoutError) || session?.needsRestore === false) log.success('Rolled back: the server is as it was before the restore.');
    }
  } finally {
    if (session?.needsRestore) {
      try {
        log.warn(`Starting ${alteryx.ServiceName} again after the failure.`);
        await session.restore();
      } catch (startErr) {
        const e = toBackupError(startErr);
        log.error(`CRITICAL: ${alteryx.ServiceName} could not be started again: ${e.message} Start it by hand.`);
        if (!error || error.exitCode !== ExitCode.GeneralError) error = new ServiceTimeoutError(`${alteryx.ServiceName} could not be started again: ${e.message}`, 'SERVICE_NOT_RESTARTED', { cause: startErr });
      }
    }
    // Kept only when a rollback failed: the next run or Repair-AlteryxBackupState tries again.
    if (!(error instanceof RollbackFailedError)) await clearRestoreMarker(config.TempDirectory).catch(() => undefined);
    if (workDir) await fs.promises.rm(workDir, { recursive: true, force: true }).catch((e: Error) => log.warn(`Could not remove ${workDir}: ${e.message}`));
    await lock?.release().catch(() => undefined);
  }

  phases.markNotRun();
  const down = session ? (session as ServiceSession).downtime() : null;
  result.DowntimeSeconds = down ? Math.round(down.seconds * 10) / 10 : null;
  result.DurationSeconds = Math.round((Date.now() - started.getTime()) / 100) / 10;
  result.Warnings = [...log.warnings];
  result.Errors = error ? [error.message] : [];
  if (error) {
    result.ExitCode = error.exitCode;
    result.Status = error instanceof RollbackFailedError ? 'RollbackFailed' : result.RolledBack ? 'RolledBack' : 'Failed';
  } else {
    result.ExitCode = 0;
    log.success(`Restore of ${path.basename(archivePath)} completed: restored and verified.`);
  }
  if (!ctx.whatIf) {
    // The same email as the backup's (NotificationConfiguration); never changes the exit code.
    const notification = await sendNotification({
      content: restoreNotificationContent(result),
      settings: config.file.NotificationConfiguration,
      secrets: config.secrets,
      logLines: log.tail(config.file.NotificationConfiguration.LogLinesInBody),
      log,
      redact: (text) => ctx.redactor.text(text),
    });
    result.NotificationSent = notification.Sent;
    if (notification.Warning) result.Warnings.push(notification.Warning);
  }
  return { result, error };
}

/**
 * Puts the host back from the safety copy: the token, the files, the data
 * folder (or the self-managed pre-restore dump), then starts the service.
 * Returns a RollbackFailedError naming the safety copy when anything could not be put back.
 */
async function rollBack(ctx: RunRestoreContext, safetyDir: string, session: ServiceSession | undefined): Promise<RollbackFailedError | undefined> {
  const { config, platform, log } = ctx;
  const alteryx = config.file.AlteryxConfiguration;
  log.warn(`Rolling back from the safety copy ${safetyDir}.`);
  const problems: string[] = [];
  // A service started with the restored data must stop before its files go back.
  let extraSession: ServiceSession | undefined;
  const state = await testServiceState(platform, alteryx.ServiceName).catch(() => undefined);
  if (state && state.CurrentState !== 'Stopped' && !(session?.needsRestore ?? false)) {
    extraSession = ServiceSession.fromConfig(platform, config.file, { log, servicePollMs: 200, onEvent: (e) => ctx.sink?.service(e.event, e.host) });
    try {
      await extraSession.stop();
    } catch (err) {
      problems.push(`could not stop ${alteryx.ServiceName} for the rollback: ${(err as Error).message}`);
    }
  }
  if (problems.length === 0) problems.push(...(await rollBackFromSafetyCopy(platform, config, safetyDir, log)));
  try {
    if (extraSession?.needsRestore) await extraSession.restore();
    else if (session?.needsRestore) await session.restore();
  } catch (err) {
    problems.push(`${alteryx.ServiceName} did not start after the rollback: ${(err as Error).message}`);
  }
  if (problems.length === 0) return undefined;
  return new RollbackFailedError(`The rollback failed: ${problems.join(' ')} The safety copy is in ${safetyDir}: put those files back by hand (safety.json lists where each goes).`, { details: problems });
}

/** The rollback itself, with the service stopped. Used by a failed restore and by the repair after a killed one. */
export async function rollBackFromSafetyCopy(platform: Platform, config: ResolvedConfig, safetyDir: string, log: Log): Promise<string[]> {
  const problems: string[] = [];
  let m: SafetyManifest;
  try {
    m = await readSafetyManifest(safetyDir);
  } catch (err) {
    // The run died before it saved anything: nothing was changed.
    if (!fs.existsSync(safetyDir)) return [];
    return [`the safety copy's safety.json cannot be read: ${(err as Error).message}`];
  }
  if (m.tokenSaved) {
    try {
      const saved = (await fs.promises.readFile(path.join(safetyDir, 'ControllerToken.txt'), 'utf8')).trim();
      const now = await alteryxServiceOutput(platform, 'getserversecret');
      if (!now.ok || now.stdout.trim() !== saved) {
        const r = await runCommand(platform.alteryxServiceExecutable(), [`setserversecret=${saved}`], { timeoutMs: 120_000 });
        if (r.exitCode !== 0) problems.push(`setserversecret (the original token) failed with exit ${String(r.exitCode)}.`);
      }
    } catch (err) {
      problems.push(`token: ${(err as Error).message}`);
    }
  }
  // Files after the token: the original RuntimeSettings.xml holds the original encrypted token.
  problems.push(...(await restoreSavedFiles(safetyDir, m.files)));
  problems.push(...(await restoreDataFolder(m)));
  if (m.selfManagedDump && fs.existsSync(m.selfManagedDump)) {
    try {
      const target = resolveSelfManagedTarget(config.file.MongoDBConfiguration.SelfManagedMongoDB, config.secrets);
      if (target.username && target.password === undefined) problems.push('the self-managed database cannot be put back without its password.');
      else {
        const r = await runSelfManagedRestore({
          executable: mongorestoreExecutable(config.file.MongoDBConfiguration.SelfManagedMongoDB.MongoDumpPath),
          target,
          dumpDir: m.selfManagedDump,
          oplogReplay: false,
          timeoutSeconds: config.file.MongoDBConfiguration.DumpTimeoutSeconds,
        });
        const facts = parseRestoreLog(r.logText);
        if (r.exitCode !== 0 || !facts.summary || facts.summary.failed > 0) problems.push(`putting the database back (mongorestore from ${m.selfManagedDump}) failed (exit ${String(r.exitCode)}).`);
      }
    } catch (err) {
      problems.push(`database: ${(err as Error).message}`);
    }
  }
  if (problems.length === 0) log.info(`Safety copy ${safetyDir} put back.`);
  return problems;
}

/**
 * After a restore whose process died (SIGKILL, a closed console): rolls the
 * host back from the safety copy its marker names, with the service stopped.
 * Run before the service-state repair, which then starts the service.
 */
export async function repairInterruptedRestore(
  platform: Platform,
  config: ResolvedConfig,
  log: Log,
  onEvent?: (e: { event: 'stopped' | 'started'; host?: string }) => void,
): Promise<{ outcome: 'no-marker' | 'run-still-active' | 'rolled-back'; message: string }> {
  const marker = await readRestoreMarker(config.TempDirectory).catch(() => undefined);
  if (!marker) return { outcome: 'no-marker', message: 'No interrupted restore.' };
  if (marker.pid !== process.pid && isPidAlive(marker.pid)) return { outcome: 'run-still-active', message: `The restore in PID ${marker.pid} is still running.` };
  if (marker.pid === process.pid) return { outcome: 'run-still-active', message: 'This process owns the restore.' };
  log.warn(`A restore (PID ${marker.pid}, started ${marker.startedAt}) ended during ${marker.phase}. Rolling back from ${marker.safetyCopyPath}.`);
  const alteryx = config.file.AlteryxConfiguration;
  // A killed run's emongorestore/mongorestore may still be writing into the data folder: end it first.
  const stateMarker = await readStateMarker(config.TempDirectory).catch(() => undefined);
  if (stateMarker) await endOrphanedHelpers(stateMarker, log);
  let session: ServiceSession | undefined;
  const state = await testServiceState(platform, alteryx.ServiceName);
  if (state.CurrentState !== 'Stopped') {
    session = ServiceSession.fromConfig(platform, config.file, { log, onEvent, servicePollMs: 200 });
    await session.stop();
  }
  const problems = await rollBackFromSafetyCopy(platform, config, marker.safetyCopyPath, log);
  if (session?.needsRestore) await session.restore();
  if (problems.length > 0) {
    throw new RollbackFailedError(`The interrupted restore could not be rolled back: ${problems.join(' ')} The safety copy is in ${marker.safetyCopyPath}.`, { details: problems });
  }
  await clearRestoreMarker(config.TempDirectory);
  const message = `Rolled back the interrupted restore from ${marker.safetyCopyPath}.`;
  log.success(message);
  return { outcome: 'rolled-back', message };
}

export { GeneralBackupError };
