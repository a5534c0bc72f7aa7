import * as fs from 'node:fs';
import * as path from 'node:path';
import { archiveFileName, formatStamp, parseArchiveName, parseBackupMode, type BackupMode, type ParsedArchiveName } from '../core/backup-mode';
import { StorageError, ValidationError, toBackupError } from '../core/errors';
import type { ManifestFileEntry } from '../core/manifest';
import { createArchive, sha256File, type CompressionLevel } from '../archive';
import { readManifestFromArchive } from '../backup/read-manifest';
import { copyBackupToDestinations, distributionFailure, type DistributionResult } from '../distribution/copy-to-destinations';
import { parseSidecar } from '../distribution/sidecar';
import { detectMongo, invokeMongoDBBackup, preflightMongoDB, type MongoDetection } from '../mongo';
import { buildBackupSummary, formatBackupSummaryText } from '../notify/backup-summary';
import { sendBackupNotification } from '../notify/email';
import { readLastLines } from '../notify/log-tail';
import { folderLocation, type BackupLocation } from '../retention/backup-location';
import { removeOldBackups, retentionLocations } from '../retention/remove-old-backups';
import { hostScopedDestinations } from '../distribution/host-folders';
import { backupCriticalFiles } from '../backup/critical-files';
import { definitionsFromRegistry } from '../backup/files-registry';
import { exportControllerSettings } from '../backup/controller-settings';
import { plaintextSecretsCheck, resolveSecretsEncryption } from '../secrets/secrets-encryption';
import { describePlan, runBackup } from '../backup/run-backup';
import { describeWhatIf } from '../backup/what-if-plan';
import { manifestFromStaging } from '../backup/staging-manifest';
import { collectEnvironmentFacts } from '../backup/environment-facts';
import { testServiceState } from '../service/service-controller';
import type { CommandHandler } from './command-context';
import { RESTORE_COMMANDS } from './restore-commands';
import { SERVICE_COMMANDS } from './commands/service-commands';
import { INTEGRITY_COMMANDS } from './commands/test-backup-integrity';
import { archiveProgressUpdate, bytesProgressUpdate } from './progress-throttle';
import { mergeOverrides, overridesFromContract } from './contract-overrides';
import { absolute, backupOverrides, modeOf } from './commands/shared';
import { backupStateFromSummary } from './commands/backup-state';
import { initializeBackupEnvironment } from './commands/initialize-backup-environment';
import { manifestFromContract } from './commands/new-backup-manifest';
import { summaryFromState } from './commands/write-backup-summary';

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
  return { data: { ...outcome.summary, BackupState: backupStateFromSummary(outcome.summary) }, error: outcome.error };
};

const backupCriticalFilesCommand: CommandHandler = async (ctx) => {
  // Contract (CONTRACTS.md §6): -TempDirectory (staging) -FilesRegistry -CalculateChecksums; older: -DestinationPath [-BackupMode].
  const registry = ctx.params.raw('FilesRegistry');
  const fromRegistry = registry !== undefined && registry !== null ? definitionsFromRegistry(registry) : undefined;
  const config = ctx.config({ BackupMode: ctx.params.string('BackupMode') ?? (fromRegistry ? undefined : 'ConfigOnly') });
  const stagingName = ctx.params.has('TempDirectory') ? 'TempDirectory' : 'DestinationPath';
  const destination = absolute(stagingName, ctx.params.requiredString(stagingName));
  const calculateChecksums = ctx.params.bool('CalculateChecksums') ?? true;
  const platform = ctx.platform(config);
  if (fromRegistry) {
    // A missing required file is found before anything is copied: nothing half-written.
    const missing: string[] = [];
    for (const d of fromRegistry.definitions) if (d.required && !fs.existsSync(d.sourcePath)) missing.push(`${d.sourcePath} (${d.description})`);
    if (missing.length > 0) {
      throw new ValidationError(`Required file(s) missing: ${missing.join('; ')}. Nothing was copied.`, 'REQUIRED_FILE_MISSING', { category: 'ObjectNotFound', details: missing });
    }
    if (fromRegistry.skippedSections.length > 0) ctx.log.info(`-FilesRegistry: ${fromRegistry.skippedSections.join(', ')} belong to Export-ControllerSettings and Invoke-MongoDBBackup; not copied here.`);
  } else if (config.BackupMode === 'DatabaseOnly') ctx.log.warn('-BackupMode DatabaseOnly copies no configuration files; nothing to do.');
  await fs.promises.mkdir(destination, { recursive: true });
  const result = await backupCriticalFiles({
    mode: config.BackupMode,
    programDataPath: config.file.AlteryxConfiguration.ProgramDataPath,
    installPath: config.file.AlteryxConfiguration.InstallPath,
    includeKeys: config.IncludeKeys,
    includeConfigFile: config.IncludeConfigFile,
    includeConnectorTools: config.file.FilesConfiguration.BackupConnectorTools !== false,
    serviceExecutable: platform.alteryxServiceExecutable(),
    stagingDir: destination,
    log: ctx.log,
    signal: ctx.signal,
    definitions: fromRegistry?.definitions,
  });
  const backedUp = result.Files.filter((f): f is ManifestFileEntry => !('Type' in f && f.Type === 'Directory')).map((f) => ({
    SourcePath: f.FilePath,
    DestinationPath: path.join(destination, ...f.RelativePathInArchive.split('/')),
    SizeBytes: f.SizeBytes,
    SHA256: calculateChecksums ? f.SHA256 : null,
  }));
  return { data: { ...result, TempDirectory: destination, BackedUpFiles: backedUp, Errors: [] as string[] } };
};

const exportControllerSettingsCommand: CommandHandler = async (ctx) => {
  // Contract (CONTRACTS.md §7): -TempDirectory [-AlteryxServicePath]; older: -DestinationPath.
  const config = ctx.config({ BackupMode: 'ConfigOnly' });
  const stagingName = ctx.params.has('TempDirectory') ? 'TempDirectory' : 'DestinationPath';
  const destination = absolute(stagingName, ctx.params.requiredString(stagingName));
  const exe = ctx.params.string('AlteryxServicePath');
  if (exe !== undefined && !fs.existsSync(exe)) {
    throw new ValidationError(`-AlteryxServicePath: '${exe}' does not exist.`, 'PARAMETER_INVALID', { category: 'ObjectNotFound' });
  }
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
    serviceExecutable: exe,
  });
  // The secrets stay in the files; the PowerShell layer reads them into SecureStrings (never on this protocol).
  const exported = result.Files.map((f) => path.join(destination, ...f.RelativePathInArchive.split('/')));
  return { data: { ...result, TempDirectory: destination, ExportedFiles: exported } };
};

const newBackupManifest: CommandHandler = async (ctx) => {
  if (ctx.params.has('BackupConfig') || ctx.params.has('BackupResults')) return manifestFromContract(ctx);
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
  // The manifest's environment facts (getversion, service accounts, TLS binding) take their own
  // time, mostly waiting on other processes: gather them while the archive is written.
  const platform = ctx.platform(config);
  const facts = collectEnvironmentFacts({ config, platform, log: ctx.log, signal: ctx.signal });
  facts.catch(() => undefined);
  const result = await createArchive({
    sourceDir: source,
    destinationDir: destination,
    fileName: archiveFileName(mode, started),
    compressionLevel: level,
    signal: ctx.signal,
    onProgress: (p) => ctx.sink.progress(archiveProgressUpdate('Compress-BackupArchive', p)),
    buildManifest: async (entries) => {
      const manifest = await manifestFromStaging({ config, platform, stagingDir: source, redactor: ctx.redactor, log: ctx.log, entries, startedAt: started, facts });
      return Buffer.from(JSON.stringify(manifest, null, 2), 'utf8');
    },
  });
  // -CalculateChecksum $false (CONTRACTS.md §9): no SHA256 in the result and no .sha256 sidecar. The archive is
  // still verified entry by entry (CRC and the manifest's hashes) before it is published.
  const checksum = ctx.params.bool('CalculateChecksum') ?? true;
  if (!checksum) await fs.promises.rm(result.sidecarPath, { force: true });
  return {
    data: {
      Success: true,
      ArchiveFileName: result.fileName,
      ArchiveFullPath: result.archivePath,
      ArchivePath: result.archivePath,
      ArchiveSizeMB: Math.round((result.sizeBytes / 1048576) * 1000) / 1000,
      CompressionRatio: Math.round(result.compressionRatio * 1000) / 1000,
      SHA256: checksum ? result.sha256 : null,
      SidecarPath: checksum ? result.sidecarPath : null,
      EntryCount: result.entries.length + 1,
      DurationSeconds: Math.round(result.durationSeconds * 10) / 10,
    },
  };
};

const invokeMongoDBBackupCommand: CommandHandler = async (ctx) => {
  const p = ctx.params;
  // Contract (CONTRACTS.md §5): -MongoType -BackupPath [-MongoConfig]; older: [-MongoDBType] [-OutputPath].
  const mongoType = p.string('MongoType') ?? p.string('MongoDBType');
  const mongoConfig = overridesFromContract(p.has('MongoConfig') ? { MongoConfig: p.raw('MongoConfig') } : undefined);
  const config = ctx.config(mergeOverrides(mongoConfig, { BackupMode: 'DatabaseOnly', MongoDBType: mongoType }));
  const platform = ctx.platform(config);
  let dumpDir: string | undefined;
  let output: string;
  if (p.has('BackupPath')) {
    // The dump goes INTO -BackupPath, which must be empty: nothing of ours is mixed with what is there.
    dumpDir = absolute('BackupPath', p.requiredString('BackupPath'));
    if (fs.existsSync(dumpDir) && (!fs.statSync(dumpDir).isDirectory() || fs.readdirSync(dumpDir).length > 0)) {
      throw new ValidationError(`-BackupPath: '${dumpDir}' exists and is not an empty folder; give a new or empty folder for the dump.`, 'PARAMETER_INVALID', {
        category: 'InvalidArgument',
      });
    }
    output = path.dirname(dumpDir);
  } else {
    // Not an AlteryxBackup_* staging name: the next backup run must not clean this up as stale.
    output = absolute('OutputPath', p.string('OutputPath') ?? path.join(config.TempDirectory, `MongoDBBackup_${formatStamp(new Date())}`));
  }
  const detection = await detectMongo(config);
  const preflight = await preflightMongoDB({ config, platform, detection, log: ctx.log });
  if (detection.type === 'embedded') {
    const s = await testServiceState(platform, config.file.AlteryxConfiguration.ServiceName);
    if (s.CurrentState !== 'Stopped') {
      ctx.log.warn(`${config.file.AlteryxConfiguration.ServiceName} is ${s.CurrentState}: emongodump needs it stopped. Use Stop-AlteryxServiceSafely first, or Invoke-AlteryxBackup -BackupMode DatabaseOnly, which stops and restarts it for you.`);
    }
  }
  const result = await invokeMongoDBBackup({ config, platform, detection, preflight, stagingDir: output, dumpDir, log: ctx.log, signal: ctx.signal });
  return { data: result };
};

const copyBackupToDestinationsCommand: CommandHandler = async (ctx) => {
  // Never throws (CONTRACTS.md §10): bad input and failed copies come back in the result, with an exit code.
  const p = ctx.params;
  const sourceName = p.has('SourcePath') ? 'SourcePath' : 'ArchivePath';
  const sourceParam = p.string(sourceName) ?? '';
  const contractDestinations = p.strings('Destinations');
  try {
    const config = ctx.config({ LocalBackupPath: p.string('LocalBackupPath'), NetworkBackupPath: p.strings('NetworkBackupPath') });
    const archivePath = absolute(sourceName, p.requiredString(sourceName));
    if (contractDestinations) {
      if (contractDestinations.length === 0 || contractDestinations.some((d) => d.trim() === '')) throw new ValidationError('-Destinations: give at least one folder, none empty.', 'PARAMETER_INVALID', { category: 'InvalidArgument' });
      for (const d of contractDestinations) absolute('Destinations', d);
    }
    if (!fs.existsSync(archivePath) || !fs.statSync(archivePath).isFile()) throw new ValidationError(`-${sourceName}: '${archivePath}' does not exist.`, 'PARAMETER_INVALID', { category: 'ObjectNotFound' });
    const bc = config.file.BackupConfiguration;
    const sha256 = await sha256File(archivePath, ctx.signal);
    const sidecar = `${archivePath}.sha256`;
    if (fs.existsSync(sidecar)) {
      const recorded = parseSidecar(fs.readFileSync(sidecar, 'utf8'), path.basename(archivePath));
      if (!recorded) throw new StorageError(`The sidecar ${sidecar} is not '<sha256>  ${path.basename(archivePath)}'; not copying an archive whose checksum file is wrong.`, 'ARCHIVE_SIDECAR_MISMATCH');
      if (recorded.sha256 !== sha256) throw new StorageError(`'${archivePath}' does not match its sidecar ${sidecar}: it changed or is damaged; not copying it.`, 'ARCHIVE_SIDECAR_MISMATCH');
    } else {
      ctx.log.warn(`'${archivePath}' has no .sha256 sidecar: it was not published by AlteryxBackup or its publication did not finish.`);
    }
    let destinations: string[];
    let cloud = config.file.CloudConfiguration;
    if (contractDestinations) {
      // Exactly the folders asked for: no configured network path or cloud target is added.
      destinations = [...contractDestinations];
      cloud = { ...cloud, AzureBlob: { ...cloud.AzureBlob, Enabled: false }, S3: { ...cloud.S3, Enabled: false } };
    } else {
      // LocalBackupPath counts as a destination only when the archive is not already there.
      const scoped = hostScopedDestinations(config, ctx.platform(config).hostname());
      destinations = [...scoped.networkPaths];
      cloud = scoped.cloud;
      if (p.has('LocalBackupPath') && path.resolve(path.dirname(archivePath)) !== path.resolve(config.LocalBackupPath)) destinations.unshift(config.LocalBackupPath);
    }
    const maxRetries = p.number('MaxRetries') ?? p.number('RetryCount') ?? bc.CopyRetryCount;
    const delay = p.number('RetryDelaySec') ?? p.number('RetryDelaySeconds') ?? bc.CopyRetryDelaySeconds;
    const result = await copyBackupToDestinations({
      archivePath,
      sha256,
      destinations,
      cloud,
      secrets: config.secrets,
      retry: { count: maxRetries, delaySeconds: delay },
      log: ctx.log,
      signal: ctx.signal,
      onProgress: (pr) => ctx.sink.progress(bytesProgressUpdate(`Copy to ${pr.Destination}`, pr.Kind, pr.BytesCopied, pr.TotalBytes)),
    });
    return { data: copyContractView(archivePath, result), error: distributionFailure(result) };
  } catch (err) {
    const e = toBackupError(err);
    ctx.log.error(e.message);
    const failed = (contractDestinations ?? []).map((d) => ({ Destination: d, Kind: 'Network', Success: false, Attempts: 0, Error: e.message, DurationSeconds: 0, SHA256Verified: false, AlreadyPresent: false }));
    return { data: copyContractView(sourceParam, { Success: false, Destinations: failed as DistributionResult['Destinations'] }, e.message), error: e };
  }
};

/** The contract's shape (SourcePath, DestinationResults keyed by destination, counts) over ours (Success, Destinations). */
function copyContractView(sourcePath: string, result: DistributionResult, error?: string) {
  const byDestination: Record<string, unknown> = {};
  for (const d of result.Destinations) {
    byDestination[d.Destination] = { Success: d.Success, Attempts: d.Attempts, FinalPath: d.FinalPath ?? null, Error: d.Error ?? null, SHA256Verified: d.SHA256Verified, Kind: d.Kind };
  }
  const ok = result.Destinations.filter((d) => d.Success).length;
  return {
    ...result,
    Success: result.Success && error === undefined,
    SourcePath: sourcePath,
    DestinationResults: byDestination,
    SuccessCount: ok,
    FailureCount: result.Destinations.length - ok,
    Error: error ?? null,
  };
}

const removeOldBackupsCommand: CommandHandler = async (ctx) => {
  // Never throws (CONTRACTS.md §12): a bad policy or path is a failed result with an exit code.
  const p = ctx.params;
  const mode = p.string('BackupMode');
  const retentionRaw = p.raw('RetentionDays');
  try {
    const retentionObject = retentionRaw !== null && typeof retentionRaw === 'object' && !Array.isArray(retentionRaw) ? (retentionRaw as Record<string, unknown>) : undefined;
    const settings: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(retentionObject ?? {})) {
      if (k === '*') {
        if (!mode) throw new ValidationError('-RetentionDays needs -BackupMode: retention is kept per mode.', 'PARAMETER_MISSING', { category: 'InvalidArgument' });
        settings[`BackupConfiguration.RetentionDays.${parseBackupMode(mode, '-BackupMode')}`] = v;
      } else settings[`BackupConfiguration.RetentionDays.${parseBackupMode(k, `-RetentionDays key '${k}'`)}`] = v;
    }
    const config = ctx.config({ BackupMode: mode, RetentionDays: retentionObject ? undefined : p.number('RetentionDays'), Settings: settings });
    if (p.has('RetentionDays') && !mode) {
      throw new ValidationError('-RetentionDays needs -BackupMode: retention is kept per mode.', 'PARAMETER_MISSING', { category: 'InvalidArgument' });
    }
    const backupPath = p.string('BackupPath');
    const paths = backupPath !== undefined ? [backupPath] : p.strings('Path');
    for (const x of paths ?? []) absolute(backupPath !== undefined ? 'BackupPath' : 'Path', x);
    for (const x of paths ?? []) if (!fs.existsSync(x)) throw new ValidationError(`-${backupPath !== undefined ? 'BackupPath' : 'Path'}: '${x}' does not exist.`, 'PARAMETER_INVALID', { category: 'ObjectNotFound' });
    let locations = paths
      ? paths.map((x) => folderLocation(x))
      : retentionLocations({
          localBackupPath: config.LocalBackupPath,
          ...(({ networkPaths, cloud }) => ({ networkBackupPaths: networkPaths, cloud }))(hostScopedDestinations(config, ctx.platform(config).hostname())),
          secrets: config.secrets,
        });
    const onlyMode = mode ? parseBackupMode(mode, '-BackupMode') : undefined;
    // -BackupMode X: only X's archives (and their sidecars) are visible to the policy.
    if (onlyMode) locations = locations.map((l) => onlyModeLocation(l, onlyMode));
    const sizes = new Map<string, number>();
    for (const x of paths ?? []) {
      for (const name of fs.readdirSync(x)) {
        if (!parseArchiveName(name)) continue;
        try {
          sizes.set(path.join(x, name), fs.statSync(path.join(x, name)).size);
        } catch {
          /* gone meanwhile */
        }
      }
    }
    let scanned = 0;
    for (const l of locations) scanned += (await l.list().catch(() => [] as string[])).filter((n) => parseArchiveName(n)).length;
    const result = await removeOldBackups({ locations, retentionDays: config.RetentionDays, whatIf: ctx.request.whatIf, log: ctx.log, secrets: config.secrets });
    const now = Date.now();
    const deleted = result.Locations.flatMap((l) =>
      l.Removed.filter((n) => parseArchiveName(n)).map((n) => {
        const full = paths ? path.join(l.Location, n) : undefined;
        const size = full !== undefined ? sizes.get(full) : undefined;
        return {
          FileName: n,
          Location: l.Location,
          SizeMB: size === undefined ? null : Math.round((size / 1048576) * 1000) / 1000,
          Age: Math.floor((now - (parseArchiveName(n) as ParsedArchiveName).timestamp.getTime()) / 86400000),
        };
      }),
    );
    return {
      data: {
        ...result,
        BackupMode: onlyMode ?? null,
        RetentionDays: onlyMode ? config.RetentionDays[onlyMode] : config.RetentionDays,
        FilesScanned: scanned,
        FilesDeleted: deleted.length,
        SpaceFreedMB: Math.round(deleted.reduce((a, d) => a + (d.SizeMB ?? 0), 0) * 1000) / 1000,
        DeletedFiles: deleted,
        Error: null,
      },
    };
  } catch (err) {
    const e = toBackupError(err);
    ctx.log.error(e.message);
    return {
      data: { Success: false, Locations: [], Decisions: [], WhatIf: ctx.request.whatIf, BackupMode: mode ?? null, RetentionDays: retentionRaw ?? null, FilesScanned: 0, FilesDeleted: 0, SpaceFreedMB: 0, DeletedFiles: [], Error: e.message },
      error: e,
    };
  }
};

/** The same location, listing only one mode's archives and their sidecars. */
function onlyModeLocation(location: BackupLocation, mode: BackupMode): BackupLocation {
  const filtered = Object.create(location) as BackupLocation & { list(): Promise<string[]> };
  filtered.list = async () => (await location.list()).filter((n) => parseArchiveName(n.replace(/\.sha256$/i, ''))?.mode === mode);
  return filtered;
}

const writeBackupSummaryCommand: CommandHandler = async (ctx) => {
  if (ctx.params.has('BackupState')) return summaryFromState(ctx);
  const config = ctx.config({ SmtpUsername: ctx.params.string('SmtpUsername') });
  const archivePath = ctx.params.string('ArchivePath');
  const logPath = ctx.params.string('LogPath');
  if (!archivePath && !logPath) throw new ValidationError('Give -BackupState (and -LogPath), or -ArchivePath, -LogPath or both.', 'PARAMETER_MISSING', { category: 'InvalidArgument' });
  let manifest: Record<string, any> | undefined;
  let sizeBytes: number | undefined;
  let sha256: string | undefined;
  if (archivePath) {
    absolute('ArchivePath', archivePath);
    manifest = await readManifestFromArchive(archivePath);
    sizeBytes = fs.statSync(archivePath).size;
    const sidecar = `${archivePath}.sha256`;
    sha256 = fs.existsSync(sidecar) ? parseSidecar(fs.readFileSync(sidecar, 'utf8'), path.basename(archivePath))?.sha256 : undefined;
  }
  const logLines = logPath ? await readLastLines(absolute('LogPath', logPath), config.file.NotificationConfiguration.LogLinesInBody) : [];
  const meta = manifest?.BackupMetadata ?? {};
  const fromName = archivePath ? parseArchiveName(path.basename(archivePath))?.mode : undefined;
  const fromLog = logPath ? (/^BackupLog_(Full|DatabaseOnly|ConfigOnly)_/.exec(path.basename(logPath))?.[1] as BackupMode | undefined) : undefined;
  // No exit code is guessed: a published archive (its sidecar matches its name) is a finished run (0);
  // without one the exit code is unknown (null). Pass -BackupState to report a run's real status.
  const published = Boolean(archivePath && sha256);
  const built = buildBackupSummary({
    backupMode: (meta.BackupMode as BackupMode | undefined) ?? fromName ?? fromLog ?? config.BackupMode,
    exitCode: 0,
    host: manifest?.SystemInformation?.ServerHostname ?? ctx.platform(config).hostname(),
    startTime: new Date(meta.BackupTimestamp ?? Date.now()),
    endTime: new Date(meta.BackupCompletionTimestamp ?? Date.now()),
    archivePath,
    archiveSha256: sha256,
    archiveSizeBytes: sizeBytes,
    contentSizeBytes: manifest?.ArchiveInformation?.UncompressedSizeBytes,
    downtimeSeconds: manifest?.ServiceInformation?.DowntimeSeconds,
    warnings: manifest?.Warnings ?? [],
    errors: manifest?.Errors ?? [],
    logPath,
  });
  const summary = published ? built : { ...built, Status: 'Unknown' as const, ExitCode: null };
  ctx.log.info(formatBackupSummaryText(summary as typeof built));
  if (ctx.params.bool('SendNotification')) {
    const settings = { ...config.file.NotificationConfiguration, Enabled: true, OnlyOnFailure: false };
    const sent = await sendBackupNotification({ summary: summary as typeof built, settings, secrets: config.secrets, logLines, logPath, log: ctx.log });
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
  'Invoke-MongoDBBackup': invokeMongoDBBackupCommand,
  'Copy-BackupToDestinations': copyBackupToDestinationsCommand,
  'Remove-OldBackups': removeOldBackupsCommand,
  'Write-BackupSummary': writeBackupSummaryCommand,
  ...RESTORE_COMMANDS,
  ...SERVICE_COMMANDS,
  ...INTEGRITY_COMMANDS,
};
