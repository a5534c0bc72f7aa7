import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateDatabase } from './data-generator';
import { appendEvent } from './events';
import { buildVersionImage } from './pe-version-image';
import { HostInfo, hostPaths, HostPaths, SimRole, SimVariant, simScript, writeJsonAtomic } from './host-layout';
import { runtimeSettingsXml } from './runtime-settings';
import { spawnDaemon, waitFor, writeServiceState, writeStartType } from './service-control';
import { SeededRandom } from './seeded-random';

/** Builds a simulated Alteryx host: folders, files, stand-ins, data, config, and a running service. */

export interface CreateOptions {
  variant: SimVariant;
  dbMegabytes: number;
  seed: string;
  /** Do not start the service after creating the host. */
  noStart?: boolean;
  /** RuntimeSettings.xml without elements that hold default values (no EmbeddedMongoDBEnabled). */
  minimalSettings?: boolean;
  /** The controller's machine name (default ALTERYX-SIM-01): a second host for a restore onto a new machine. */
  hostname?: string;
}

export const CONTROLLER_HOSTNAME = 'ALTERYX-SIM-01';
export const MULTI_NODE_PEERS: { hostname: string; role: SimRole }[] = [
  { hostname: 'WORKER1', role: 'Worker' },
  { hostname: 'WORKER2', role: 'Worker' },
  { hostname: 'GALLERY1', role: 'ServerUI' },
];
const VERSION = '2024.1.1.93';
const DAY_MS = 86_400_000;

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function writeShim(file: string, hostRoot: string, script: string, extraArgs: string[] = []): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sh = [
    '#!/bin/sh',
    '# Stand-in written by the AlteryxBackup simulator; behaves like the real program.',
    `ALTERYX_SIM_ROOT=${shQuote(hostRoot)}`,
    'export ALTERYX_SIM_ROOT',
    `exec ${shQuote(process.execPath)} ${shQuote(script)} ${extraArgs.map(shQuote).join(' ')}${extraArgs.length ? ' ' : ''}"$@"`,
    '',
  ].join('\n');
  fs.writeFileSync(file, sh, { mode: 0o755 });
  fs.chmodSync(file, 0o755);
  const cmd = [
    '@echo off',
    `set "ALTERYX_SIM_ROOT=${hostRoot}"`,
    `"${process.execPath}" "${script}" ${extraArgs.map((a) => `"${a}"`).join(' ')}${extraArgs.length ? ' ' : ''}%*`,
    '',
  ].join('\r\n');
  if (process.platform === 'win32') fs.writeFileSync(`${file}.cmd`, cmd);
}

function buildHostInfo(variant: SimVariant, role: SimRole, hostname: string, seed: string, dbMegabytes: number, nodes: HostInfo['nodes']): HostInfo {
  const rng = new SeededRandom(seed, `secrets:${hostname}`);
  // Each node has its own service, but the controller token is shared across the deployment.
  const deployment = new SeededRandom(seed, 'deployment');
  const installedAt = new Date(Math.floor((Date.now() - 45 * DAY_MS) / 1000) * 1000);
  return {
    schemaVersion: 1,
    variant,
    role,
    seed,
    hostname,
    serviceName: 'AlteryxService',
    logOnAccount: role === 'Controller' ? 'NT AUTHORITY\\NetworkService' : 'CORP\\svc-alteryx',
    runAsUser: 'CORP\\svc-alteryx-run',
    osVersion: 'Microsoft Windows Server 2019 Standard 10.0.17763 (simulated)',
    alteryxVersion: VERSION,
    installedAt: installedAt.toISOString(),
    serverSecret: deployment.hex(32).toUpperCase(),
    mongoAdminPassword: rng.hex(16),
    mongoNonAdminPassword: rng.hex(16),
    selfManaged:
      variant === 'self-managed'
        ? { host: '127.0.0.1', port: 27017, username: 'alteryx_backup', password: `Sm-${rng.hex(12)}!`, authDatabase: 'admin' }
        : undefined,
    nodes,
    nodeExecutable: process.execPath,
    simScriptsDir: __dirname,
    dbMegabytes,
  };
}

function writeProgramData(paths: HostPaths, info: HostInfo, minimalSettings: boolean): void {
  const rng = new SeededRandom(info.seed, `files:${info.hostname}`);
  for (const d of [paths.programData, paths.keysDir, paths.engineDir, paths.serviceDir, path.join(paths.programData, 'Gallery', 'Logs'), path.join(paths.programData, 'Engine', 'Logs')]) {
    fs.mkdirSync(d, { recursive: true });
  }
  fs.writeFileSync(paths.runtimeSettings, runtimeSettingsXml(info, paths, CONTROLLER_HOSTNAME, minimalSettings));
  const keys: [string, number][] = [
    ['StorageKeys.dat', 256],
    ['DCM_EncryptionKey.bin', 512],
    ['GalleryConnections.key', 128],
    ['ServerCertificate.pfx', 2300],
    ['MachineKey.xml', 0],
  ];
  for (const [name, size] of keys) {
    const data =
      size > 0
        ? rng.bytes(size)
        : Buffer.from(`<?xml version="1.0" encoding="utf-8"?>\r\n<MachineKey validationKey="${rng.hex(64).toUpperCase()}" decryptionKey="${rng.hex(32).toUpperCase()}" />\r\n`);
    fs.writeFileSync(path.join(paths.keysDir, name), data);
  }
  fs.writeFileSync(
    path.join(paths.engineDir, 'SystemAlias.xml'),
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<AlteryxConnectionAliases>',
      '  <Alias name="SalesDW" type="odbc">odbc:DSN=SalesDW;UID=etl_reader;PWD=__EncPwd1__' + rng.hex(24) + '</Alias>',
      '  <Alias name="Finance" type="oledb">Provider=SQLOLEDB;Data Source=fin-sql01;Initial Catalog=Ledger;Integrated Security=SSPI</Alias>',
      '</AlteryxConnectionAliases>',
      '',
    ].join('\r\n'),
  );
  fs.writeFileSync(
    path.join(paths.engineDir, 'SystemConnections.xml'),
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<Connections>',
      '  <Connection name="Snowflake In-DB" driver="Snowflake">',
      '    <Read>odbc:DSN=SnowflakeProd;UID=alteryx;PWD=__EncPwd1__' + rng.hex(24) + '</Read>',
      '    <Write>Snowflake Bulk</Write>',
      '  </Connection>',
      '</Connections>',
      '',
    ].join('\r\n'),
  );
}

function writeInstallTree(paths: HostPaths, info: HostInfo): void {
  fs.mkdirSync(path.dirname(paths.alteryxConfig), { recursive: true });
  writeShim(paths.alteryxServiceShim, paths.root, simScript('alteryx-service'));
  writeShim(paths.engineShim, paths.root, simScript('alteryx-engine-cmd'), ['--host-root', paths.root, '--seconds', '5']);
  writeShim(paths.mongodumpShim, paths.root, simScript('mongodump'));
  writeShim(paths.mongorestoreShim, paths.root, simScript('mongorestore'));
  // What the version fallback reads when getversion fails (src/platform/pe-version.ts).
  fs.writeFileSync(paths.alteryxServiceImage, buildVersionImage(info.alteryxVersion));
  fs.writeFileSync(
    paths.alteryxConfig,
    [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<configuration>',
      '  <appSettings>',
      '    <add key="LogLevel" value="Info" />',
      '    <!-- Changed by the administrator after install: -->',
      '    <add key="MaxRequestLength" value="2097151" />',
      '  </appSettings>',
      '  <system.web>',
      '    <httpRuntime maxRequestLength="2097151" executionTimeout="3600" />',
      '  </system.web>',
      '</configuration>',
      '',
    ].join('\r\n'),
  );
  const installed = new Date(info.installedAt);
  for (const f of [paths.alteryxServiceShim, paths.alteryxServiceImage, paths.engineShim, paths.mongodumpShim, paths.bin, path.dirname(paths.alteryxConfig)]) fs.utimesSync(f, installed, installed);
  // Modified after install, so the backup includes it.
  const modified = new Date(installed.getTime() + 2 * DAY_MS);
  fs.utimesSync(paths.alteryxConfig, modified, modified);
  const d = installed;
  const installDate = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  writeJsonAtomic(paths.registryJson, {
    'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{A1B2C3D4-ALTERYX-SERVER}': {
      DisplayName: 'Alteryx Server',
      DisplayVersion: info.alteryxVersion,
      InstallDate: installDate,
      InstallLocation: paths.install + '/',
    },
    'HKLM\\SOFTWARE\\WOW6432Node\\SRC\\Alteryx': { InstallDir64: paths.bin, Version: info.alteryxVersion },
    'HKLM\\SYSTEM\\CurrentControlSet\\Services\\AlteryxService': {
      ImagePath: `"${paths.alteryxServiceShim}"`,
      ObjectName: info.logOnAccount,
      Start: 2,
    },
  });
}

function backupConfig(paths: HostPaths, info: HostInfo): Record<string, unknown> {
  const selfManaged = info.variant === 'self-managed' && info.selfManaged;
  return {
    BackupConfiguration: {
      DefaultBackupMode: 'Full',
      TempDirectory: paths.tempDir,
      LocalBackupPath: paths.localBackups,
      NetworkBackupPaths: [paths.network1, paths.network2],
      LogDirectory: paths.logsDir,
      RetentionDays: { Full: 30, DatabaseOnly: 14, ConfigOnly: 30 },
      CopyRetryCount: 2,
      CopyRetryDelaySeconds: 0.2,
      // The simulated host's two "shares" are its own; tests of the shared per-host layout turn this on.
      HostSubfolder: false,
    },
    ServiceConfiguration: {
      MaxServiceWaitSeconds: 30,
      MaxWorkflowWaitSeconds: 10,
      WorkflowPollSeconds: 0.2,
      ForceStopWorkflows: false,
      StopServiceForExternalDB: false,
    },
    MongoDBConfiguration: {
      Type: selfManaged ? 'self-managed' : 'auto',
      DumpTimeoutSeconds: 120,
      EmbeddedMongoDB: { UseAlteryxService: true },
      ...(selfManaged
        ? {
            SelfManagedMongoDB: {
              ConnectionString: '',
              Host: selfManaged.host,
              Port: selfManaged.port,
              Database: '',
              AuthDatabase: selfManaged.authDatabase,
              Username: selfManaged.username,
              UseCompression: true,
              MongoDumpPath: paths.mongodumpShim,
              CredentialFile: '',
              // No MongoDB server runs on a test machine, so the driver's check cannot succeed here.
              SkipConnectivityCheck: true,
            },
          }
        : {}),
    },
    FilesConfiguration: { BackupKeys: true, BackupConfigFile: true, BackupMongoPasswords: true, IncludeMetadata: true },
    ValidationConfiguration: {
      VerifyArchiveIntegrity: true,
      CalculateChecksums: true,
      // The simulated data is small; real servers keep the defaults.
      MinimumBackupSizeMB: { Full: 0.01, DatabaseOnly: 0.01, ConfigOnly: 0.001 },
    },
    NotificationConfiguration: { Enabled: false },
    AlteryxConfiguration: {
      ProgramDataPath: paths.programData,
      InstallPath: paths.install,
      ServiceName: info.serviceName,
      Nodes: info.nodes.length > 0 ? [{ Hostname: info.hostname, Role: 'Controller' }, ...info.nodes.map((n) => ({ Hostname: n.hostname, Role: n.role }))] : [],
      Platform: 'Simulated',
      SimulatedHostRoot: paths.root,
    },
  };
}

async function createOneHost(root: string, info: HostInfo, withData: boolean, minimalSettings = false): Promise<HostPaths> {
  const paths = hostPaths(root);
  fs.mkdirSync(paths.simDir, { recursive: true });
  writeJsonAtomic(paths.hostJson, info);
  writeJsonAtomic(paths.faultsJson, {});
  fs.writeFileSync(paths.eventsJsonl, '');
  fs.writeFileSync(paths.mongodumpArgvJsonl, '');
  fs.writeFileSync(paths.mongorestoreArgvJsonl, '');
  writeServiceState(root, 'Stopped');
  writeStartType(root, 'Automatic');
  writeProgramData(paths, info, minimalSettings);
  writeInstallTree(paths, info);
  fs.mkdirSync(paths.mongoDataDir, { recursive: true });
  if (withData) {
    const dataDir = info.variant === 'self-managed' ? paths.externalMongoDataDir : paths.mongoDataDir;
    fs.mkdirSync(dataDir, { recursive: true });
    await generateDatabase(dataDir, info.seed, info.dbMegabytes);
  }
  if (info.variant !== 'self-managed') fs.writeFileSync(path.join(paths.mongoDataDir, 'mongod.lock'), '');
  appendEvent(root, info.hostname, 'created', { variant: info.variant, role: info.role, dbMegabytes: info.dbMegabytes });
  return paths;
}

function assertUsableDir(dir: string): void {
  if (!fs.existsSync(dir)) return;
  if (fs.existsSync(hostPaths(dir).hostJson)) throw new Error(`${dir} already holds a simulated host; run 'sim destroy ${dir}' and remove it first.`);
  if (fs.readdirSync(dir).length > 0) throw new Error(`${dir} is not empty; create the simulated host in a new or empty folder.`);
}

/** Creates the host and returns the path of its backup-config.json. */
export async function createHost(dir: string, opts: CreateOptions): Promise<string> {
  const root = path.resolve(dir);
  assertUsableDir(root);
  const peers = opts.variant === 'multi-node' ? MULTI_NODE_PEERS : [];
  const controller = buildHostInfo(opts.variant, 'Controller', opts.hostname ?? CONTROLLER_HOSTNAME, opts.seed, opts.dbMegabytes, peers);
  const paths = await createOneHost(root, controller, true, opts.minimalSettings);
  const hostRoots = [root];
  for (const peer of peers) {
    const nodeRoot = path.join(paths.nodesDir, peer.hostname);
    await createOneHost(nodeRoot, buildHostInfo(opts.variant, peer.role, peer.hostname, opts.seed, 0, []), false);
    hostRoots.push(nodeRoot);
  }
  for (const d of [paths.tempDir, paths.localBackups, paths.network1, paths.network2, paths.logsDir]) fs.mkdirSync(d, { recursive: true });
  writeJsonAtomic(paths.configJson, backupConfig(paths, controller));
  if (!opts.noStart) {
    for (const r of hostRoots) spawnDaemon(r);
    for (const r of hostRoots) await waitFor(r, (s) => s.state === 'Running');
  }
  return paths.configJson;
}

export function defaultSeed(): string {
  return 'alteryx-sim';
}

export function tempHostDir(prefix = 'alteryx-sim-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
