import * as fs from 'node:fs';
import * as path from 'node:path';
import { archiveFileName, formatStamp, parseArchiveName, parseBackupMode, type BackupMode } from '../core/backup-mode';
import { StorageError, ValidationError, type BackupError } from '../core/errors';
import type { ResolvedConfig } from '../config/config-types';
import type { ConfigOverrides } from '../config/load-config';
import { createArchive, sha256File, verifyArchive, type CompressionLevel } from '../archive';
import { readManifestFromArchive } from '../backup/read-manifest';
import { copyBackupToDestinations, distributionFailure } from '../distribution/copy-to-destinations';
import { detectMongo, invokeMongoDBBackup, preflightMongoDB, type MongoDetection } from '../mongo';
import { buildBackupSummary, formatBackupSummaryText } from '../notify/backup-summary';
import { sendBackupNotification } from '../notify/email';
import { readLastLines } from '../notify/log-tail';
import { folderLocation } from '../retention/backup-location';
import { removeOldBackups, retentionLocations } from '../retention/remove-old-backups';
import { hostScopedDestinations } from '../distribution/host-folders';
import { backupCriticalFiles } from '../backup/critical-files';
import { exportControllerSettings } from '../backup/controller-settings';
import { plaintextSecretsCheck, resolveSecretsEncryption } from '../secrets/secrets-encryption';
import { describePlan, runBackup } from '../backup/run-backup';
import { describeWhatIf } from '../backup/what-if-plan';
import { manifestFromStaging } from '../backup/staging-manifest';
import { toValidationResult } from '../backup/integrity-result';
import { serviceSettingsFromConfig, startServiceSafely, stopServiceSafely, testServiceState } from '../service/service-controller';
import { repairFromMarker } from '../service/state-marker';
import type { CommandContext, CommandHandler } from './command-context';
import { RESTORE_COMMANDS } from './restore-commands';
import { repairInterruptedRestore } from '../restore/run-restore';
import { archiveProgressUpdate, bytesProgressUpdate } from './progress-throttle';

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
    SmtpUsername: p.string('SmtpUsername'),
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
    // Reading RuntimeSettings.xml changes nothing, and makes the plan exact for Type=auto.
    let mongoType: 'embedded' | 'self-managed' = config.MongoType === 'self-managed' ? 'self-managed' : 'embedded';
    let detection: MongoDetection | undefined;
    if (config.BackupMode !== 'ConfigOnly') {
      detection = await detectMongo(config).catch((err: Error) => {
        if (config.MongoType === 'auto') ctx.log.warn(`What if: could not read RuntimeSettings.xml (${err.message.split('\n')[0]}); assuming embedded MongoDB.`);
        return undefined;
      });
      if (config.MongoType === 'auto' && detection) mongoType = detection.type;
    }
    const localHostname = ctx.platform(config).hostname();
    const plan = describePlan(config, mongoType, localHostname);
    for (const p of plan.phases) ctx.log.info(`What if: ${p.run ? 'run ' : 'skip'} ${p.phase.padEnd(13)} ${p.reason}`);
    // Issue 16: every side effect as one step, so the cmdlet can pass each to ShouldProcess.
    const details = await describeWhatIf({ config, plan, mongoType, detection, localHostname });
    return { data: { WhatIf: true, BackupMode: config.BackupMode, Plan: plan.phases, ConfigPath: config.configPath, ...details } };
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
  if (config.BackupMode === 'DatabaseOnly') ctx.log.warn('-BackupMode DatabaseOnly copies no configuration files; nothing to do.');
  const result = await backupCriticalFiles({
    mode: config.BackupMode,
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
  const secretsPlan = resolveSecretsEncryption(config);
  for (const w of secretsPlan.warnings) ctx.log.warn(w);
  const plaintext = plaintextSecretsCheck(config, secretsPlan);
  if (plaintext) ctx.log.warn(plaintext);
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
    encryptTo: secretsPlan.recipients,
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
  const started = new Date();
  const result = await createArchive({
    sourceDir: source,
    destinationDir: destination,
    fileName: archiveFileName(mode, started),
    compressionLevel: level,
    signal: ctx.signal,
    onProgress: (p) => ctx.sink.progress(archiveProgressUpdate('Compress-BackupArchive', p)),
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
      ArchivePath: result.archivePath,
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
    onProgress: (p) => ctx.sink.progress(archiveProgressUpdate('Test-BackupIntegrity', p)),
  });
  const result = toValidationResult(verification, { minimumMB, warnings });
  for (const w of result.ValidationWarnings) ctx.log.warn(w);
  if (result.OverallStatus) ctx.log.success(`${archivePath}: every CRC and SHA256 matches.`);
  else for (const e of result.ValidationErrors) ctx.log.error(e);
  return { data: result };
};

const initializeBackupEnvironment: CommandHandler = async (ctx) => {
  const config = ctx.config(backupOverrides(ctx));
  const { secrets: _secrets, file: _file, certificateStore: _store, ...rest } = config;
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
  const config = ctx.config({ TempDirectory: ctx.params.string('TempDirectory'), LogDirectory: ctx.params.string('LogDirectory') });
  // A restore killed half-way is rolled back first, with the service still stopped; then the service is started.
  const restore = await repairInterruptedRestore(ctx.platform(config), config, ctx.log, serviceEvents(ctx));
  if (restore.outcome === 'rolled-back') ctx.log.info(restore.message);
  const result = await repairFromMarker(ctx.platform(config), config.file, ctx.log, { onEvent: serviceEvents(ctx) });
  ctx.log.info(result.message);
  return { data: result };
};


const invokeMongoDBBackupCommand: CommandHandler = async (ctx) => {
  const config = ctx.config({ BackupMode: 'DatabaseOnly', MongoDBType: ctx.params.string('MongoDBType') });
  const platform = ctx.platform(config);
  // Not an AlteryxBackup_* staging name: the next backup run must not clean this up as stale.
  const output = absolute('OutputPath', ctx.params.string('OutputPath') ?? path.join(config.TempDirectory, `MongoDBBackup_${formatStamp(new Date())}`));
  const detection = await detectMongo(config);
  const preflight = await preflightMongoDB({ config, platform, detection, log: ctx.log });
  if (detection.type === 'embedded') {
    const s = await testServiceState(platform, config.file.AlteryxConfiguration.ServiceName);
    if (s.CurrentState !== 'Stopped') {
      ctx.log.warn(`${config.file.AlteryxConfiguration.ServiceName} is ${s.CurrentState}: emongodump needs it stopped. Use Stop-AlteryxServiceSafely first, or Invoke-AlteryxBackup -BackupMode DatabaseOnly, which stops and restarts it for you.`);
    }
  }
  const result = await invokeMongoDBBackup({ config, platform, detection, preflight, stagingDir: output, log: ctx.log, signal: ctx.signal });
  return { data: result };
};

const copyBackupToDestinationsCommand: CommandHandler = async (ctx) => {
  const config = ctx.config({ LocalBackupPath: ctx.params.string('LocalBackupPath'), NetworkBackupPath: ctx.params.strings('NetworkBackupPath') });
  const archivePath = absolute('ArchivePath', ctx.params.requiredString('ArchivePath'));
  if (!fs.existsSync(archivePath)) throw new ValidationError(`-ArchivePath: '${archivePath}' does not exist.`, 'PARAMETER_INVALID', { category: 'ObjectNotFound' });
  const bc = config.file.BackupConfiguration;
  const sha256 = await sha256File(archivePath, ctx.signal);
  const sidecar = `${archivePath}.sha256`;
  if (fs.existsSync(sidecar)) {
    const recorded = fs.readFileSync(sidecar, 'utf8').trim().split(/\s+/)[0]?.toLowerCase();
    if (recorded !== sha256) throw new StorageError(`'${archivePath}' does not match its sidecar ${sidecar}: it changed or is damaged; not copying it.`, 'ARCHIVE_SIDECAR_MISMATCH');
  } else {
    ctx.log.warn(`'${archivePath}' has no .sha256 sidecar: it was not published by AlteryxBackup or its publication did not finish.`);
  }
  // LocalBackupPath counts as a destination only when the archive is not already there.
  const scoped = hostScopedDestinations(config, ctx.platform(config).hostname());
  const destinations = [...scoped.networkPaths];
  if (ctx.params.has('LocalBackupPath') && path.resolve(path.dirname(archivePath)) !== path.resolve(config.LocalBackupPath)) destinations.unshift(config.LocalBackupPath);
  const result = await copyBackupToDestinations({
    archivePath,
    sha256,
    destinations,
    cloud: scoped.cloud,
    secrets: config.secrets,
    retry: { count: ctx.params.number('RetryCount') ?? bc.CopyRetryCount, delaySeconds: ctx.params.number('RetryDelaySeconds') ?? bc.CopyRetryDelaySeconds },
    log: ctx.log,
    signal: ctx.signal,
    onProgress: (p) => ctx.sink.progress(bytesProgressUpdate(`Copy to ${p.Destination}`, p.Kind, p.BytesCopied, p.TotalBytes)),
  });
  return { data: result, error: distributionFailure(result) };
};

const removeOldBackupsCommand: CommandHandler = async (ctx) => {
  const mode = ctx.params.string('BackupMode');
  const config = ctx.config({ BackupMode: mode, RetentionDays: ctx.params.number('RetentionDays') });
  const paths = ctx.params.strings('Path');
  if (ctx.params.has('RetentionDays') && !mode) {
    throw new ValidationError('-RetentionDays needs -BackupMode: retention is kept per mode.', 'PARAMETER_MISSING', { category: 'InvalidArgument' });
  }
  for (const p of paths ?? []) absolute('Path', p);
  const locations = paths
    ? paths.map((p) => folderLocation(p))
    : retentionLocations({
        localBackupPath: config.LocalBackupPath,
        ...(({ networkPaths, cloud }) => ({ networkBackupPaths: networkPaths, cloud }))(hostScopedDestinations(config, ctx.platform(config).hostname())),
        secrets: config.secrets,
      });
  const result = await removeOldBackups({ locations, retentionDays: config.RetentionDays, whatIf: ctx.request.whatIf, log: ctx.log, secrets: config.secrets });
  return { data: result };
};

const writeBackupSummaryCommand: CommandHandler = async (ctx) => {
  const config = ctx.config({ SmtpUsername: ctx.params.string('SmtpUsername') });
  const archivePath = ctx.params.string('ArchivePath');
  const logPath = ctx.params.string('LogPath');
  if (!archivePath && !logPath) throw new ValidationError('Give -ArchivePath, -LogPath or both.', 'PARAMETER_MISSING', { category: 'InvalidArgument' });
  let manifest: Record<string, any> | undefined;
  let sizeBytes: number | undefined;
  let sha256: string | undefined;
  if (archivePath) {
    absolute('ArchivePath', archivePath);
    manifest = await readManifestFromArchive(archivePath);
    sizeBytes = fs.statSync(archivePath).size;
    const sidecar = `${archivePath}.sha256`;
    sha256 = fs.existsSync(sidecar) ? fs.readFileSync(sidecar, 'utf8').trim().split(/\s+/)[0] : undefined;
  }
  const logLines = logPath ? await readLastLines(absolute('LogPath', logPath), config.file.NotificationConfiguration.LogLinesInBody) : [];
  const meta = manifest?.BackupMetadata ?? {};
  const fromName = archivePath ? parseArchiveName(path.basename(archivePath))?.mode : undefined;
  const fromLog = logPath ? (/^BackupLog_(Full|DatabaseOnly|ConfigOnly)_/.exec(path.basename(logPath))?.[1] as BackupMode | undefined) : undefined;
  const logErrors = logLines.filter((l) => /\[ERROR\]/.test(l));
  const summary = buildBackupSummary({
    backupMode: (meta.BackupMode as BackupMode | undefined) ?? fromName ?? fromLog ?? config.BackupMode,
    exitCode: archivePath && sha256 ? 0 : logErrors.length > 0 ? 1 : 0,
    host: manifest?.SystemInformation?.ServerHostname ?? ctx.platform(config).hostname(),
    startTime: new Date(meta.BackupTimestamp ?? Date.now()),
    endTime: new Date(meta.BackupCompletionTimestamp ?? Date.now()),
    archivePath,
    archiveSha256: sha256,
    archiveSizeBytes: sizeBytes,
    contentSizeBytes: manifest?.ArchiveInformation?.UncompressedSizeBytes,
    downtimeSeconds: manifest?.ServiceInformation?.DowntimeSeconds,
    warnings: manifest?.Warnings ?? [],
    errors: [...(manifest?.Errors ?? []), ...logErrors],
    logPath,
  });
  ctx.log.info(formatBackupSummaryText(summary));
  if (ctx.params.bool('SendNotification')) {
    const settings = { ...config.file.NotificationConfiguration, Enabled: true, OnlyOnFailure: false };
    const sent = await sendBackupNotification({ summary, settings, secrets: config.secrets, logLines, logPath, log: ctx.log });
    return { data: { ...summary, NotificationSent: sent.Sent, NotificationWarning: sent.Warning ?? null } };
  }
  return { data: summary };
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
  'Invoke-MongoDBBackup': invokeMongoDBBackupCommand,
  'Copy-BackupToDestinations': copyBackupToDestinationsCommand,
  'Remove-OldBackups': removeOldBackupsCommand,
  'Write-BackupSummary': writeBackupSummaryCommand,
  ...RESTORE_COMMANDS,
};
