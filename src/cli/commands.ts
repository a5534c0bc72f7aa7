import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArchiveName, parseBackupMode, type BackupMode } from '../core/backup-mode';
import { ValidationError, type BackupError } from '../core/errors';
import type { ResolvedConfig } from '../config/config-types';
import type { ConfigOverrides } from '../config/load-config';
import { createArchive, verifyArchive, type CompressionLevel } from '../archive';
import { backupCriticalFiles } from '../backup/critical-files';
import { exportControllerSettings } from '../backup/controller-settings';
import { describePlan, runBackup } from '../backup/run-backup';
import { manifestFromStaging } from '../backup/staging-manifest';
import { toValidationResult } from '../backup/integrity-result';
import { serviceSettingsFromConfig, startServiceSafely, stopServiceSafely, testServiceState } from '../service/service-controller';
import { repairFromMarker } from '../service/state-marker';
import type { CommandContext, CommandHandler } from './command-context';

function backupOverrides(ctx: CommandContext): ConfigOverrides {
  const p = ctx.params;
  return {
    BackupMode: p.string('BackupMode'),
    TempDirectory: p.string('TempDirectory'),
    LocalBackupPath: p.string('LocalBackupPath'),
    NetworkBackupPath: p.strings('NetworkBackupPath'),
    LogDirectory: p.string('LogDirectory'),
    MongoDBType: p.string('MongoDBType'),
    MaxServiceWait: p.number('MaxServiceWait'),
    RetentionDays: p.number('RetentionDays'),
    StopServiceForExternalDB: p.bool('StopServiceForExternalDB'),
  };
}

function serviceEvents(ctx: CommandContext) {
  return (e: { event: 'stopped' | 'started'; host?: string }) => ctx.sink.service(e.event, e.host);
}

function absolute(name: string, value: string): string {
  if (!path.isAbsolute(value)) throw new ValidationError(`-${name}: must be an absolute path, got "${value}".`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
  return value;
}

const invokeAlteryxBackup: CommandHandler = async (ctx) => {
  const config = ctx.config(backupOverrides(ctx));
  if (ctx.request.whatIf) {
    const plan = describePlan(config, config.MongoType === 'self-managed' ? 'self-managed' : 'embedded');
    for (const p of plan.phases) ctx.log.info(`What if: ${p.run ? 'run ' : 'skip'} ${p.phase.padEnd(13)} ${p.reason}`);
    return { data: { WhatIf: true, BackupMode: config.BackupMode, Plan: plan.phases, ConfigPath: config.configPath } };
  }
  const platform = ctx.platform(config);
  ctx.log.attachFile(config.LogDirectory, config.BackupMode, new Date());
  const outcome = await runBackup({ config, platform, log: ctx.log, redactor: ctx.redactor, sink: ctx.sink, signal: ctx.signal });
  return { data: outcome.summary, error: outcome.error };
};

const backupCriticalFilesCommand: CommandHandler = async (ctx) => {
  const config = ctx.config({ BackupMode: ctx.params.string('BackupMode') ?? 'ConfigOnly' });
  const destination = absolute('DestinationPath', ctx.params.requiredString('DestinationPath'));
  await fs.promises.mkdir(destination, { recursive: true });
  const platform = ctx.platform(config);
  const mode: BackupMode = config.BackupMode === 'DatabaseOnly' ? 'DatabaseOnly' : config.BackupMode;
  const result = await backupCriticalFiles({
    mode,
    programDataPath: config.file.AlteryxConfiguration.ProgramDataPath,
    installPath: config.file.AlteryxConfiguration.InstallPath,
    includeKeys: config.IncludeKeys,
    includeConfigFile: config.IncludeConfigFile,
    serviceExecutable: platform.alteryxServiceExecutable(),
    stagingDir: destination,
    log: ctx.log,
    signal: ctx.signal,
  });
  return { data: result };
};

const exportControllerSettingsCommand: CommandHandler = async (ctx) => {
  const config = ctx.config({ BackupMode: 'ConfigOnly' });
  const destination = absolute('DestinationPath', ctx.params.requiredString('DestinationPath'));
  await fs.promises.mkdir(destination, { recursive: true });
  const result = await exportControllerSettings({
    platform: ctx.platform(config),
    serviceName: config.file.AlteryxConfiguration.ServiceName,
    programDataPath: config.file.AlteryxConfiguration.ProgramDataPath,
    includeMongoPasswords: config.IncludeMongoPasswords,
    includeMetadata: config.IncludeMetadata,
    stagingDir: destination,
    redactor: ctx.redactor,
    log: ctx.log,
    signal: ctx.signal,
  });
  return { data: result };
};

function modeOf(ctx: CommandContext, name = 'BackupMode'): BackupMode {
  return parseBackupMode(ctx.params.requiredString(name), `-${name}`);
}

const newBackupManifest: CommandHandler = async (ctx) => {
  const config = ctx.config({ BackupMode: modeOf(ctx) });
  const source = absolute('SourcePath', ctx.params.requiredString('SourcePath'));
  const manifest = await manifestFromStaging({ config, platform: ctx.platform(config), stagingDir: source, redactor: ctx.redactor, log: ctx.log });
  return { data: manifest };
};

const compressBackupArchive: CommandHandler = async (ctx) => {
  const mode = modeOf(ctx);
  const config = ctx.config({ BackupMode: mode });
  const source = absolute('SourcePath', ctx.params.requiredString('SourcePath'));
  const destination = absolute('DestinationPath', ctx.params.requiredString('DestinationPath'));
  const level = (ctx.params.string('CompressionLevel') ?? 'Optimal') as CompressionLevel;
  if (!['Optimal', 'Fastest', 'NoCompression'].includes(level)) {
    throw new ValidationError(`-CompressionLevel: must be Optimal, Fastest or NoCompression, got "${level}".`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
  }
  if (!fs.existsSync(source) || !fs.statSync(source).isDirectory()) {
    throw new ValidationError(`-SourcePath: '${source}' is not an existing folder.`, 'PARAMETER_INVALID', { category: 'ObjectNotFound' });
  }
  await fs.promises.mkdir(destination, { recursive: true });
  const { archiveFileName } = await import('../core/backup-mode');
  const started = new Date();
  const result = await createArchive({
    sourceDir: source,
    destinationDir: destination,
    fileName: archiveFileName(mode, started),
    compressionLevel: level,
    signal: ctx.signal,
    onProgress: (p) =>
      ctx.sink.progress({ activity: 'Compress-BackupArchive', status: p.currentEntry, percent: p.bytesTotal > 0 ? Math.min(100, Math.floor((p.bytesDone / p.bytesTotal) * 100)) : -1 }),
    buildManifest: async (entries) => {
      const manifest = await manifestFromStaging({ config, platform: ctx.platform(config), stagingDir: source, redactor: ctx.redactor, log: ctx.log, entries, startedAt: started });
      return Buffer.from(JSON.stringify(manifest, null, 2), 'utf8');
    },
  });
  return {
    data: {
      Success: true,
      ArchiveFileName: result.fileName,
      ArchiveFullPath: result.archivePath,
      ArchiveSizeMB: Math.round((result.sizeBytes / 1048576) * 1000) / 1000,
      CompressionRatio: Math.round(result.compressionRatio * 1000) / 1000,
      SHA256: result.sha256,
      SidecarPath: result.sidecarPath,
      EntryCount: result.entries.length + 1,
      DurationSeconds: Math.round(result.durationSeconds * 10) / 10,
    },
  };
};

/** Test-BackupIntegrity works without a usable config: the minimum size then comes from the schema defaults. */
function tryConfig(ctx: CommandContext, mode: BackupMode): ResolvedConfig | undefined {
  try {
    return ctx.config({ BackupMode: mode });
  } catch (err) {
    ctx.log.warn(`Configuration not used (${(err as BackupError).message.split('\n')[0]}); using the default minimum archive sizes.`);
    return undefined;
  }
}

const DEFAULT_MINIMUM_MB: Record<BackupMode, number> = { Full: 1, DatabaseOnly: 1, ConfigOnly: 0.1 };

const testBackupIntegrity: CommandHandler = async (ctx) => {
  const archivePath = absolute('ArchivePath', ctx.params.requiredString('ArchivePath'));
  const parsed = parseArchiveName(path.basename(archivePath));
  const expected = ctx.params.string('ExpectedMode');
  const mode = expected ? parseBackupMode(expected, '-ExpectedMode') : parsed?.mode;
  const config = mode ? tryConfig(ctx, mode) : undefined;
  const minimumMB = mode ? (config?.MinimumSizeMB ?? DEFAULT_MINIMUM_MB[mode]) : undefined;
  const warnings: string[] = [];
  if (!parsed) warnings.push(`'${path.basename(archivePath)}' does not follow the ServerBackup_{Full|DB|Config}_yyyyMMdd_HHmmss.zip naming; retention will ignore it.`);
  if (expected && parsed && parsed.mode !== mode) warnings.push(`The archive name says ${parsed.mode}, but -ExpectedMode is ${expected}.`);
  const verification = await verifyArchive(archivePath, {
    minimumSizeBytes: minimumMB === undefined ? undefined : minimumMB * 1048576,
    requireSidecar: true,
    signal: ctx.signal,
    onProgress: (p) =>
      ctx.sink.progress({ activity: 'Test-BackupIntegrity', status: p.currentEntry, percent: p.bytesTotal > 0 ? Math.min(100, Math.floor((p.bytesDone / p.bytesTotal) * 100)) : -1 }),
  });
  const result = toValidationResult(verification, { minimumMB, warnings });
  for (const w of result.ValidationWarnings) ctx.log.warn(w);
  if (result.OverallStatus) ctx.log.success(`${archivePath}: every CRC and SHA256 matches.`);
  else for (const e of result.ValidationErrors) ctx.log.error(e);
  return { data: result };
};

const initializeBackupEnvironment: CommandHandler = async (ctx) => {
  const config = ctx.config(backupOverrides(ctx));
  const { secrets: _secrets, file: _file, ...rest } = config;
  return { data: { ...rest, HasMongoPassword: Boolean(config.secrets.MongoPassword) } };
};

function serviceHost(ctx: CommandContext): string | undefined {
  const h = ctx.params.string('ComputerName');
  return h && h.trim() !== '' ? h : undefined;
}

const testAlteryxServiceState: CommandHandler = async (ctx) => {
  const config = ctx.config({});
  const state = await testServiceState(ctx.platform(config), config.file.AlteryxConfiguration.ServiceName, serviceHost(ctx));
  return { data: state };
};

const stopAlteryxServiceSafely: CommandHandler = async (ctx) => {
  const config = ctx.config({ MaxServiceWait: ctx.params.number('MaxServiceWait') });
  const settings = serviceSettingsFromConfig(config.file);
  const maxWorkflowWait = ctx.params.number('MaxWorkflowWait');
  const force = ctx.params.bool('ForceStopWorkflows');
  const state = await stopServiceSafely({
    ...settings,
    maxWorkflowWaitSeconds: maxWorkflowWait ?? settings.maxWorkflowWaitSeconds,
    forceStopWorkflows: force ?? settings.forceStopWorkflows,
    platform: ctx.platform(config),
    host: serviceHost(ctx),
    log: ctx.log,
    onEvent: serviceEvents(ctx),
    signal: ctx.signal,
  });
  return { data: state };
};

const startAlteryxServiceSafely: CommandHandler = async (ctx) => {
  const config = ctx.config({ MaxServiceWait: ctx.params.number('MaxServiceWait') });
  const state = await startServiceSafely({
    ...serviceSettingsFromConfig(config.file),
    platform: ctx.platform(config),
    host: serviceHost(ctx),
    log: ctx.log,
    onEvent: serviceEvents(ctx),
  });
  return { data: state };
};

const repairState: CommandHandler = async (ctx) => {
  const config = ctx.config({});
  const result = await repairFromMarker(ctx.platform(config), config.file, ctx.log, { onEvent: serviceEvents(ctx) });
  ctx.log.info(result.message);
  return { data: result };
};

/** Subcommand name = the cmdlet that calls it. */
export const COMMANDS: Record<string, CommandHandler> = {
  'Invoke-AlteryxBackup': invokeAlteryxBackup,
  'Initialize-BackupEnvironment': initializeBackupEnvironment,
  'Backup-CriticalFiles': backupCriticalFilesCommand,
  'Export-ControllerSettings': exportControllerSettingsCommand,
  'New-BackupManifest': newBackupManifest,
  'Compress-BackupArchive': compressBackupArchive,
  'Test-BackupIntegrity': testBackupIntegrity,
  'Test-AlteryxServiceState': testAlteryxServiceState,
  'Stop-AlteryxServiceSafely': stopAlteryxServiceSafely,
  'Start-AlteryxServiceSafely': startAlteryxServiceSafely,
  'Repair-AlteryxBackupState': repairState,
};
