import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Where everything lives inside a simulated host. One function computes every
 * path so the stand-ins, the CLI, the daemon and the platform adapter agree.
 */

export type SimVariant = 'embedded' | 'self-managed' | 'multi-node';
export type SimRole = 'Controller' | 'Worker' | 'ServerUI';

export interface HostPaths {
  root: string;
  programData: string;
  runtimeSettings: string;
  keysDir: string;
  engineDir: string;
  serviceDir: string;
  /** EmbeddedMongoDBRootPath: the "live" database files (also used as the self-managed server's data). */
  mongoDataDir: string;
  install: string;
  bin: string;
  alteryxServiceShim: string;
  alteryxServiceCmd: string;
  /** `bin/AlteryxService.exe`: a PE image holding only a version resource (the host's Alteryx version); never run. */
  alteryxServiceImage: string;
  engineShim: string;
  alteryxConfig: string;
  mongoToolsBin: string;
  mongodumpShim: string;
  mongorestoreShim: string;
  /** Self-managed variant: the data of the simulated external MongoDB server that the stand-in mongodump reads. */
  externalMongoDataDir: string;
  /** Simulated registry keys (the Uninstall entry records the install date). */
  registryJson: string;
  simDir: string;
  hostJson: string;
  serviceJson: string;
  faultsJson: string;
  eventsJsonl: string;
  controlJson: string;
  mongodumpArgvJsonl: string;
  mongorestoreArgvJsonl: string;
  daemonLog: string;
  nodesDir: string;
  configJson: string;
  tempDir: string;
  localBackups: string;
  network1: string;
  network2: string;
  logsDir: string;
}

export function hostPaths(hostRoot: string): HostPaths {
  const root = path.resolve(hostRoot);
  const programData = path.join(root, 'ProgramData', 'Alteryx');
  const install = path.join(root, 'Program Files', 'Alteryx');
  const bin = path.join(install, 'bin');
  const simDir = path.join(root, 'sim');
  const mongoToolsBin = path.join(root, 'mongodb-tools', 'bin');
  return {
    root,
    programData,
    runtimeSettings: path.join(programData, 'RuntimeSettings.xml'),
    keysDir: path.join(programData, 'Keys'),
    engineDir: path.join(programData, 'Engine'),
    serviceDir: path.join(programData, 'Service'),
    mongoDataDir: path.join(programData, 'Service', 'Persistence', 'MongoDB'),
    install,
    bin,
    alteryxServiceShim: path.join(bin, 'AlteryxService'),
    alteryxServiceCmd: path.join(bin, 'AlteryxService.cmd'),
    alteryxServiceImage: path.join(bin, 'AlteryxService.exe'),
    engineShim: path.join(bin, 'AlteryxEngineCmd'),
    alteryxConfig: path.join(bin, 'server', 'config', 'alteryx.config'),
    mongoToolsBin,
    mongodumpShim: path.join(mongoToolsBin, 'mongodump'),
    mongorestoreShim: path.join(mongoToolsBin, 'mongorestore'),
    externalMongoDataDir: path.join(root, 'mongodb-server', 'data'),
    registryJson: path.join(simDir, 'registry.json'),
    simDir,
    hostJson: path.join(simDir, 'host.json'),
    serviceJson: path.join(simDir, 'service.json'),
    faultsJson: path.join(simDir, 'faults.json'),
    eventsJsonl: path.join(simDir, 'events.jsonl'),
    controlJson: path.join(simDir, 'control.json'),
    mongodumpArgvJsonl: path.join(simDir, 'mongodump-argv.jsonl'),
    mongorestoreArgvJsonl: path.join(simDir, 'mongorestore-argv.jsonl'),
    daemonLog: path.join(simDir, 'service-daemon.log'),
    nodesDir: path.join(root, 'nodes'),
    configJson: path.join(root, 'backup-config.json'),
    tempDir: path.join(root, 'temp'),
    localBackups: path.join(root, 'backups', 'local'),
    network1: path.join(root, 'backups', 'network1'),
    network2: path.join(root, 'backups', 'network2'),
    logsDir: path.join(root, 'logs'),
  };
}

/** What `create` decided about a host; read by every stand-in. Holds the simulated secrets on purpose. */
export interface HostInfo {
  schemaVersion: 1;
  variant: SimVariant;
  role: SimRole;
  seed: string;
  hostname: string;
  serviceName: string;
  logOnAccount: string;
  runAsUser: string;
  osVersion: string;
  alteryxVersion: string;
  installedAt: string;
  serverSecret: string;
  mongoAdminPassword: string;
  mongoNonAdminPassword: string;
  /** Self-managed only: the credentials the stand-in mongodump accepts. */
  selfManaged?: {
    host: string;
    port: number;
    username: string;
    password: string;
    authDatabase: string;
    /** Set: the simulated server is a replica-set member, so `mongodump --oplog` works. */
    replicaSet?: string;
  };
  /** Multi-node controller only: the other simulated nodes under nodes/. */
  nodes: { hostname: string; role: SimRole }[];
  /** Absolute path of the node binary the shims exec. */
  nodeExecutable: string;
  /** Absolute path of dist/src/sim, where the stand-in scripts live. */
  simScriptsDir: string;
  dbMegabytes: number;
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

export function readJsonOr<T>(file: string, fallback: T): T {
  try {
    return readJson<T>(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    // A torn read cannot happen (writes are renames), so anything else is real.
    throw err;
  }
}

/** Write-then-rename, so a concurrent reader never sees half a file. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.${Math.random().toString(16).slice(2)}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

export function readHostInfo(hostRoot: string): HostInfo {
  const p = hostPaths(hostRoot).hostJson;
  if (!fs.existsSync(p)) {
    throw new Error(`${path.resolve(hostRoot)} is not a simulated Alteryx host (no ${p}).`);
  }
  return readJson<HostInfo>(p);
}

/** The scripts compiled next to this file (dist/src/sim). */
export function simScript(name: 'alteryx-service' | 'service-daemon' | 'alteryx-engine-cmd' | 'mongodump' | 'mongorestore' | 'sim-cli'): string {
  return path.join(__dirname, `${name}.js`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
