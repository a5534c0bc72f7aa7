import * as fs from 'node:fs';
import * as path from 'node:path';
import { logFileName, modeIncludesDatabase } from '../../core/backup-mode';
import { StorageError, ValidationError } from '../../core/errors';
import type { ResolvedConfig } from '../../config/config-types';
import { preflightMongoDB, detectMongo } from '../../mongo';
import { assessDiskSpace } from '../../mongo/disk-space';
import type { Platform } from '../../platform/platform';
import { testServiceState } from '../../service/service-controller';
import { buildTopology, sequenceNames, type ServiceTopology } from '../../service/topology';
import { overridesFromContract, mergeOverrides } from '../contract-overrides';
import type { CommandContext, CommandHandler } from '../command-context';
import { backupOverrides } from './shared';

const MB = 1024 * 1024;

/** The data model's MultiNodeInfo (§3.2), measured: each node's service state is queried. */
export async function multiNodeInfo(platform: Platform, topology: ServiceTopology, serviceName: string): Promise<Record<string, unknown>> {
  const stateOf = async (host: string | undefined): Promise<string> => {
    try {
      return (await platform.services.query(serviceName, host)).state;
    } catch {
      return 'Unknown';
    }
  };
  const workers = topology.nodes.filter((n) => n.role === 'Worker' && n.host !== undefined);
  const uis = topology.nodes.filter((n) => n.role === 'ServerUI' && n.host !== undefined);
  const workerNodes = await Promise.all(workers.map(async (n) => ({ Hostname: n.hostname, IsRemote: true, ServiceState: await stateOf(n.host) })));
  const uiNodes = await Promise.all(uis.map(async (n) => ({ Hostname: n.hostname, IsSeparate: true, ServiceState: await stateOf(n.host) })));
  return {
    IsMultiNode: topology.isMultiNode,
    ControllerNode: { Hostname: topology.controller.hostname, IsLocal: true },
    WorkerNodes: workerNodes,
    ServerUINode: uiNodes[0] ?? { Hostname: topology.controller.hostname, IsSeparate: false, ServiceState: await stateOf(undefined) },
    ServerUINodes: uiNodes,
    ShutdownSequence: sequenceNames(topology.shutdown),
    StartupSequence: sequenceNames(topology.startup),
  };
}

async function accessible(p: string): Promise<boolean> {
  try {
    const st = await fs.promises.stat(p);
    if (!st.isDirectory()) return false;
    await fs.promises.access(p, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function createFolder(name: string, p: string): Promise<void> {
  try {
    await fs.promises.mkdir(p, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new StorageError(`${name} '${p}' cannot be created (${code}). Create it or point ${name} at a folder this account can write to.`, 'PATH_NOT_CREATABLE', {
      category: 'WriteError',
      cause: err,
    });
  }
}

/**
 * Initialize-BackupEnvironment (CONTRACTS.md §1), in the contract's order:
 * administrator check, load, merge overrides, validate the mode, resolve
 * paths, create the Temp/Log/LocalBackup folders, detect the MongoDB type
 * and the topology, check disk space. Returns the ConfigurationObject with
 * the §5.1 checklist, every value measured.
 */
export const initializeBackupEnvironment: CommandHandler = async (ctx: CommandContext) => {
  const p = ctx.params;
  // 1. Administrator check: the platform's own notion (the simulated host), else what the PowerShell layer measured.
  const probePlatform = (() => {
    try {
      return ctx.platform(ctx.config(mergeOverrides(backupOverrides(ctx), overridesFromContract(p.raw('ParameterOverrides')))));
    } catch {
      return undefined; // the configuration is reported below, with its own error
    }
  })();
  let isAdmin: boolean | undefined = probePlatform?.isAdministrator ? await probePlatform.isAdministrator() : undefined;
  if (isAdmin === undefined) isAdmin = p.bool('CallerIsAdministrator');
  if (isAdmin === false) {
    throw new ValidationError(
      'Initialize-BackupEnvironment must run as a local administrator (it stops and starts AlteryxService and reads ProgramData\\Alteryx). Run PowerShell as Administrator, or run the scheduled task as SYSTEM.',
      'NOT_ADMINISTRATOR',
      { category: 'PermissionDenied' },
    );
  }

  // 2-5. Load, merge -ParameterOverrides (then the cmdlet's own parameters), validate, resolve paths.
  const overrides = mergeOverrides(overridesFromContract(p.raw('ParameterOverrides')), backupOverrides(ctx));
  const config: ResolvedConfig = ctx.config(overrides);
  const platform = ctx.platform(config);

  // 6. Folders.
  await createFolder('TempDirectory', config.TempDirectory);
  await createFolder('LogDirectory', config.LogDirectory);
  await createFolder('LocalBackupPath', config.LocalBackupPath);

  const failureReasons: string[] = [];
  const warnings: string[] = [];
  const serviceName = config.file.AlteryxConfiguration.ServiceName;

  // 7. MongoDB type and topology; disk space (twice the database for Full and DatabaseOnly).
  let mongoType: 'embedded' | 'self-managed' | null = config.MongoType === 'auto' ? null : config.MongoType;
  let connectionValid: boolean | null = null;
  let required = 0;
  let available: number;
  if (modeIncludesDatabase(config.BackupMode)) {
    const pre = await preflightMongoDB({ config, platform, log: ctx.log });
    mongoType = pre.detection.type;
    if (pre.detection.type === 'self-managed') connectionValid = pre.probe ? true : null;
    required = pre.diskSpace.requiredBytes;
    available = pre.diskSpace.availableBytes;
  } else {
    try {
      mongoType = (await detectMongo(config)).type;
    } catch (err) {
      warnings.push(`MongoDB type not detected (${(err as Error).message.split('\n')[0]}); ConfigOnly does not need it.`);
    }
    available = assessDiskSpace(config.TempDirectory, 0, 'ConfigOnly', await platform.freeBytes(config.TempDirectory)).availableBytes;
  }
  const topology = buildTopology(config.file.AlteryxConfiguration.Nodes, platform.hostname());
  warnings.push(...topology.warnings);

  // The service (read-only).
  let serviceExists = false;
  let serviceAccessible = false;
  let hasActiveWorkflows = false;
  try {
    const state = await testServiceState(platform, serviceName);
    serviceAccessible = true;
    serviceExists = state.CurrentState !== 'NotFound';
    hasActiveWorkflows = state.HasActiveWorkflows;
  } catch (err) {
    warnings.push(`The service ${serviceName} could not be queried: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!serviceExists && config.BackupMode !== 'ConfigOnly') failureReasons.push(`The service ${serviceName} does not exist or cannot be queried; ${config.BackupMode} must stop it.`);

  const networkAccessible: Record<string, boolean> = {};
  for (const n of config.NetworkBackupPaths) {
    networkAccessible[n] = await accessible(n);
    if (!networkAccessible[n]) warnings.push(`Network backup path '${n}' is not accessible now; the copy there will be retried and reported.`);
  }
  const paths = {
    TempDirectoryExists: await accessible(config.TempDirectory),
    LocalBackupPathExists: await accessible(config.LocalBackupPath),
    LogDirectoryExists: await accessible(config.LogDirectory),
    NetworkPathsAccessible: networkAccessible,
  };
  for (const [k, v] of Object.entries(paths)) if (v === false) failureReasons.push(`${k.replace(/Exists$/, '')} is not a writable folder.`);
  const sufficient = available >= required;
  if (!sufficient) failureReasons.push(`Not enough free space in ${config.TempDirectory}.`);
  for (const w of warnings) ctx.log.warn(w);

  const startedAt = new Date();
  const logFilePath = path.join(config.LogDirectory, logFileName(config.BackupMode, startedAt));
  const { secrets: _secrets, file, configPath, MongoType: configuredType, certificateStore: _store, ...rest } = config;
  const section = file.MongoDBConfiguration.SelfManagedMongoDB;
  return {
    data: {
      ...rest,
      LogFilePath: logFilePath,
      MongoType: mongoType,
      ConfiguredMongoType: configuredType,
      MongoConfig:
        mongoType === 'self-managed'
          ? { Host: section.Host, Port: section.Port, Database: section.Database, Username: section.Username, HasPassword: Boolean(config.secrets.MongoPassword) }
          : {},
      ConfigPath: configPath,
      ServiceName: serviceName,
      HasMongoPassword: Boolean(config.secrets.MongoPassword),
      MultiNodeInfo: await multiNodeInfo(platform, topology, serviceName),
      Checklist: {
        DiskSpaceCheck: {
          TempDrive: path.parse(path.resolve(config.TempDirectory)).root,
          AvailableSpaceMB: Math.floor(available / MB),
          RequiredSpaceMB: Math.ceil(required / MB),
          SufficientSpace: sufficient,
        },
        PrivilegesCheck: { IsAdministrator: isAdmin ?? null, CanManageService: serviceAccessible && serviceExists },
        PathsCheck: paths,
        ServiceCheck: { ServiceExists: serviceExists, ServiceAccessible: serviceAccessible, HasActiveWorkflows: hasActiveWorkflows },
        MongoDBCheck: { TypeDetected: mongoType, ConnectionValid: connectionValid },
        OverallStatus: failureReasons.length === 0,
        FailureReasons: failureReasons,
      },
      Warnings: warnings,
    },
  };
};
