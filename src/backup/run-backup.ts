import * as fs from 'node:fs';
import * as path from 'node:path';
import { archiveFileName, modeIncludesFiles } from '../core/backup-mode';
import { BackupError, CancelledError, ExitCode, StorageError, toBackupError } from '../core/errors';
import { buildManifest, type ArchiveEntryRecord } from '../core/manifest';
import { planPhases, type PhaseName, type PhasePlan } from '../core/phase-plan';
import type { Redactor } from '../core/redact';
import type { ResolvedConfig } from '../config/config-types';
import { createArchive, removeStaleTemporaries, type CreateArchiveResult } from '../archive';
import type { ProtocolSink } from '../cli/protocol';
import type { BackupLogger } from '../logging/logger';
import type { Platform } from '../platform/platform';
import { backupCriticalFiles, checkRequiredFiles, type FileBackupResult } from './critical-files';
import { exportControllerSettings, type ControllerSettingsResult } from './controller-settings';
import { ExecutionState } from './execution-state';
import { removeStagingDir, stagingDirFor, removeStaleStaging } from './staging';

export { TOOL_VERSION } from './version';
import { TOOL_VERSION } from './version';

export interface RunBackupContext {
  config: ResolvedConfig;
  platform: Platform;
  log: BackupLogger;
  redactor: Redactor;
  sink?: ProtocolSink;
  signal: AbortSignal;
  clock?: () => Date;
}

/** What Invoke-AlteryxBackup returns: the summary object. */
export interface BackupSummary {
  ExecutionId: string;
  Status: 'Success' | 'Warning' | 'Failed';
  ExitCode: number;
  BackupMode: string;
  ArchivePath: string | null;
  ArchiveSHA256: string | null;
  ArchiveSizeMB: number | null;
  CompressionRatio: number | null;
  StartTime: string;
  EndTime: string;
  DurationSeconds: number;
  DurationFormatted: string;
  DowntimeSeconds: number | null;
  FilesBackedUp: number;
  Phases: ExecutionState['Phases'];
  Warnings: string[];
  Errors: string[];
  LogPath: string | null;
  Host: string;
}

export interface RunBackupOutcome {
  summary: BackupSummary;
  error?: BackupError;
}

/** `42m 18s`, `1h 02m 03s`, `45s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m ${String(sec).padStart(2, '0')}s`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** The plan that -WhatIf prints. Resolves nothing that needs I/O beyond the config. */
export function describePlan(config: ResolvedConfig, mongoType: 'embedded' | 'self-managed'): PhasePlan {
  return planPhases({
    mode: config.BackupMode,
    mongoType,
    stopServiceForExternalDB: config.StopServiceForExternalDB,
    stopOrder: [],
    startOrder: [],
  });
}

class PhaseRunner {
  constructor(
    private readonly state: ExecutionState,
    private readonly plan: PhasePlan,
    private readonly ctx: RunBackupContext,
  ) {
    for (const p of plan.phases) {
      state.Phases.push({ Phase: p.phase, Status: p.run ? 'Pending' : 'Skipped', StartTime: null, DurationSeconds: null, Reason: p.reason });
      if (p.run) this.pending.add(p.phase);
    }
  }
  private readonly pending = new Set<PhaseName>();

  /** Phases that never started because an earlier one failed. */
  markNotRun(): void {
    for (const rec of this.state.Phases) if (rec.Status === 'Pending') rec.Status = 'NotRun';
  }

  runs(name: PhaseName): boolean {
    return this.pending.has(name);
  }

  async phase<T>(name: PhaseName, fn: () => Promise<T>): Promise<T | undefined> {
    if (!this.pending.has(name)) return undefined;
    if (this.ctx.signal.aborted && name !== 'Cleanup' && name !== 'Complete') {
      throw new CancelledError(`The backup was cancelled before ${name}.`);
    }
    const rec = this.state.Phases.find((p) => p.Phase === name)!;
    const clock = this.ctx.clock ?? (() => new Date());
    const started = clock();
    this.state.Phase = name;
    rec.Status = 'Running';
    rec.StartTime = started.toISOString();
    const progress = this.state.PhaseProgress;
    this.ctx.sink?.progress({ activity: `${this.plan.mode} backup`, status: name, percent: progress.Percentage });
    this.ctx.log.info(`Phase ${name}: ${rec.Reason}.`);
    try {
      const result = await fn();
      rec.Status = 'Succeeded';
      return result;
    } catch (err) {
      rec.Status = 'Failed';
      throw err;
    } finally {
      rec.DurationSeconds = Math.round((clock().getTime() - started.getTime()) / 100) / 10;
    }
  }
}

/**
 * Runs one backup from Initialize to Complete. Never throws: failures come
 * back in `error`, with the summary of what happened. The service is
 * restored before this returns, on every path.
 */
export async function runBackup(ctx: RunBackupContext): Promise<RunBackupOutcome> {
  const { config, platform, log } = ctx;
  const clock = ctx.clock ?? (() => new Date());
  const state = new ExecutionState(config.BackupMode, clock);
  const fileName = archiveFileName(config.BackupMode, state.StartTime);
  const stagingDir = stagingDirFor(config.TempDirectory, state.StartTime);
  const plan = describePlan(config, config.MongoType === 'self-managed' ? 'self-managed' : 'embedded');
  const phases = new PhaseRunner(state, plan, ctx);
  let files: FileBackupResult | undefined;
  let controller: ControllerSettingsResult | undefined;
  let archive: CreateArchiveResult | undefined;
  let error: BackupError | undefined;
  let stagingCreated = false;

  log.info(`AlteryxBackup ${TOOL_VERSION}: ${config.BackupMode} backup of ${platform.hostname()} (execution ${state.ExecutionId}).`);
  try {
    await phases.phase('Initialize', async () => {
      const problems = modeIncludesFiles(config.BackupMode) ? await checkRequiredFiles(config.file.AlteryxConfiguration.ProgramDataPath) : [];
      if (problems.length > 0) {
        const { ValidationError } = await import('../core/errors');
        throw new ValidationError(problems.join(' '), 'REQUIRED_FILE_MISSING', { details: problems });
      }
      for (const dir of [config.TempDirectory, config.LocalBackupPath]) await fs.promises.mkdir(dir, { recursive: true });
      await removeStaleStaging(config.TempDirectory, log);
      await removeStaleTemporaries(config.LocalBackupPath);
      await fs.promises.mkdir(stagingDir, { recursive: false });
      stagingCreated = true;
      log.debug(`Staging folder: ${stagingDir}`);
    });

    await phases.phase('BackupFiles', async () => {
      files = await backupCriticalFiles({
        mode: config.BackupMode,
        programDataPath: config.file.AlteryxConfiguration.ProgramDataPath,
        installPath: config.file.AlteryxConfiguration.InstallPath,
        includeKeys: config.IncludeKeys,
        includeConfigFile: config.IncludeConfigFile,
        serviceExecutable: platform.alteryxServiceExecutable(),
        stagingDir,
        log,
        signal: ctx.signal,
      });
      controller = await exportControllerSettings({
        platform,
        serviceName: config.file.AlteryxConfiguration.ServiceName,
        programDataPath: config.file.AlteryxConfiguration.ProgramDataPath,
        includeMongoPasswords: config.IncludeMongoPasswords,
        includeMetadata: config.IncludeMetadata,
        stagingDir,
        redactor: ctx.redactor,
        log,
        signal: ctx.signal,
      });
      state.FilesBackedUp = files.FilesBackedUp + controller.Files.length;
      log.success(`Backed up ${state.FilesBackedUp} files.`);
    });

    await phases.phase('Archive', async () => {
      const level = 'Optimal';
      archive = await createArchive({
        sourceDir: stagingDir,
        destinationDir: config.LocalBackupPath,
        fileName,
        compressionLevel: level,
        signal: ctx.signal,
        onProgress: (p) =>
          ctx.sink?.progress({
            activity: 'Archive',
            status: p.currentEntry,
            percent: p.bytesTotal > 0 ? Math.min(100, Math.floor((p.bytesDone / p.bytesTotal) * 100)) : -1,
          }),
        buildManifest: (entries) => {
          const records: ArchiveEntryRecord[] = entries
            .filter((e) => !e.isDirectory)
            .map((e) => ({ Path: e.archivePath, SizeBytes: e.sizeBytes, SHA256: e.sha256 }));
          const manifest = buildManifest({
            mode: config.BackupMode,
            startedAt: state.StartTime,
            completedAt: clock(),
            version: TOOL_VERSION,
            system: {
              AlteryxServerVersion: controller?.AlteryxServerVersion ?? null,
              ServerHostname: platform.hostname(),
              WindowsVersion: platform.osVersion(),
              IsMultiNode: config.file.AlteryxConfiguration.Nodes.length > 1,
              NodeRole: 'Controller',
              BackupPerformedBy: platform.currentUser(),
            },
            mongo: null,
            files: [...(files?.Files ?? []), ...(controller?.Files ?? [])],
            controllerSettings: controller
              ? {
                  ControllerTokenExported: controller.ControllerTokenExported,
                  MongoPasswordsExported: controller.MongoPasswordsExported,
                  ServiceAccountUser: controller.ServiceAccountUser,
                  RunAsUser: controller.RunAsUser,
                }
              : null,
            archive: { fileName, uncompressedBytes: entries.reduce((a, e) => a + e.sizeBytes, 0) },
            entries: records,
            service: null,
            preBackupChecks: { AllPathsExist: true },
            keysFolder: config.IncludeKeys ? path.join(config.file.AlteryxConfiguration.ProgramDataPath, 'Keys') : null,
            warnings: log.warnings.slice(),
            errors: [],
          });
          return Buffer.from(JSON.stringify(ctx.redactor.value(manifest), null, 2), 'utf8');
        },
      });
      log.success(`Archive ${archive.archivePath} published (${(archive.sizeBytes / 1048576).toFixed(2)} MB, SHA256 ${archive.sha256}).`);
    });

    await phases.phase('Validate', async () => {
      if (!archive) return;
      if (!archive.verification.ok) {
        throw new StorageError(`Archive verification failed: ${archive.verification.errors.join('; ')}`, 'ARCHIVE_VERIFY_FAILED');
      }
      const minBytes = config.MinimumSizeMB * 1048576;
      if (archive.sizeBytes < minBytes) {
        log.warn(
          `Archive is ${(archive.sizeBytes / 1048576).toFixed(3)} MB, below the ${config.MinimumSizeMB} MB minimum for ${config.BackupMode} (ValidationConfiguration.MinimumBackupSizeMB). Check that nothing is missing.`,
        );
      }
    });
  } catch (err) {
    error = toBackupError(err);
    if (ctx.signal.aborted && !(error instanceof CancelledError)) error = new CancelledError(`The backup was cancelled during ${state.Phase}.`, { cause: err });
    state.fail(error.message, error.code);
    log.error(`${state.Phase} failed: ${error.message}`);
  } finally {
    if (stagingCreated) {
      await phases.phase('Cleanup', async () => removeStagingDir(config.TempDirectory, stagingDir, log)).catch((err) => {
        log.warn(`Could not remove the staging folder ${stagingDir}: ${(err as Error).message}`);
      });
    }
  }

  phases.markNotRun();
  state.EndTime = clock();
  const exitCode = error ? error.exitCode : ExitCode.Success;
  const status: BackupSummary['Status'] = error ? 'Failed' : log.warnings.length > 0 ? 'Warning' : 'Success';
  state.Status = status;
  state.ExitCode = exitCode;
  if (!error) log.success(`${config.BackupMode} backup completed in ${formatDuration(state.DurationSeconds)}.`);
  const archiveResult = archive as CreateArchiveResult | undefined;
  const summary: BackupSummary = {
    ExecutionId: state.ExecutionId,
    Status: status,
    ExitCode: exitCode,
    BackupMode: config.BackupMode,
    ArchivePath: archiveResult?.archivePath ?? null,
    ArchiveSHA256: archiveResult?.sha256 ?? null,
    ArchiveSizeMB: archiveResult ? Math.round((archiveResult.sizeBytes / 1048576) * 1000) / 1000 : null,
    CompressionRatio: archiveResult ? Math.round(archiveResult.compressionRatio * 1000) / 1000 : null,
    StartTime: state.StartTime.toISOString(),
    EndTime: state.EndTime.toISOString(),
    DurationSeconds: state.DurationSeconds,
    DurationFormatted: formatDuration(state.DurationSeconds),
    DowntimeSeconds: null,
    FilesBackedUp: state.FilesBackedUp,
    Phases: state.Phases,
    Warnings: log.warnings.slice(),
    Errors: state.Errors.map((e) => `${e.Phase}: ${e.Message}`),
    LogPath: log.logFilePath ?? null,
    Host: platform.hostname(),
  };
  return { summary, error };
}
