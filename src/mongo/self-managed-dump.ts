import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as MongoDriver from 'mongodb';
import { CancelledError, MongoDBError } from '../core/errors';
import type { BackupConfigFile, Secrets } from '../config/config-types';
import type { CommandResult } from '../platform/platform';
import { runCommand } from '../platform/run-command';
import { DUMP_LOG_FILE } from './dump-log';
import type { DumpLogger } from './dump-logger';
import { dumpCommandFailure, outputTail, type DumpCommandOutcome } from './embedded-dump';
import { passwordInMongoUri, redactMongoUri, stripMongoUriPassword, type MongoDetection } from './runtime-settings';

/**
 * Self-managed (user-managed) MongoDB: `mongodump --gzip --out <dir>`.
 * The password only ever travels in a temporary `--config` YAML file that
 * only the current user can read; it is never on argv or in the
 * environment, and the file is deleted in `finally`.
 */

export interface SelfManagedTarget {
  /** Connection string without any password; undefined when Host/Port are used. */
  uri?: string;
  host?: string;
  port?: number;
  /** Databases to dump, one mongodump run each; empty means the whole server. */
  databases: string[];
  authDatabase?: string;
  username?: string;
  /** Secret: goes only into the private config file and the driver's options. */
  password?: string;
  gzip: boolean;
  /**
   * `mongodump --oplog`: the dump is one point in time. Only for a whole-
   * instance dump of a replica-set member ("--oplog ... creates a file named
   * oplog.bson ... works only against nodes that maintain an oplog", and not
   * with --db: https://www.mongodb.com/docs/database-tools/mongodump/#std-option-mongodump.--oplog).
   * A restore then replays it with `mongorestore --oplogReplay`.
   */
  oplog?: boolean;
  /** Safe to show: where we connect to, no password. */
  display: string;
}

type SelfManagedSection = BackupConfigFile['MongoDBConfiguration']['SelfManagedMongoDB'];

/** Pure: the configuration wins over RuntimeSettings.xml; secrets come only from `secrets`, or from a URI that already held one. */
export function resolveSelfManagedTarget(section: SelfManagedSection, secrets: Secrets, detection?: MongoDetection): SelfManagedTarget {
  const databases = section.Database.split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  const username = section.Username.trim() || undefined;
  const authDatabase = section.AuthDatabase.trim() || undefined;
  const base = { databases, gzip: section.UseCompression, authDatabase };

  if (section.Host.trim() && !section.ConnectionString.trim()) {
    const host = section.Host.trim();
    return { ...base, host, port: section.Port, username, password: secrets.MongoPassword, display: `${host}:${section.Port}` };
  }
  let uri = section.ConnectionString.trim();
  let settingsPassword: string | undefined;
  if (!uri && detection?.selfManaged?.connectionString) {
    uri = detection.selfManaged.connectionString;
    settingsPassword = detection.selfManaged.connectionPassword;
  }
  if (!uri && detection?.selfManaged?.serverName) {
    const s = detection.selfManaged.serverName;
    uri = /^mongodb(\+srv)?:\/\//i.test(s) ? s : `mongodb://${s}/`;
  }
  if (!uri) {
    throw new MongoDBError(
      'Self-managed MongoDB: no server to connect to. Set MongoDBConfiguration.SelfManagedMongoDB.ConnectionString or Host, or MongoDBServerName in RuntimeSettings.xml.',
      'MONGODB_TARGET_MISSING',
    );
  }
  const inUri = passwordInMongoUri(uri) ?? settingsPassword;
  const stripped = stripMongoUriPassword(uri);
  const uriUser = uriUsername(stripped);
  return {
    ...base,
    uri: stripped,
    username: uriUser ? undefined : username,
    password: secrets.MongoPassword ?? inUri,
    display: redactMongoUri(stripped),
  };
}

function uriUsername(uri: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/([^@/]*)@/i.exec(uri);
  return m ? decodeURIComponent(m[1]) : undefined;
}

function uriHasOption(uri: string, name: string): boolean {
  return new RegExp(`[?&]${name}=`, 'i').test(uri);
}

/** Pure: mongodump's argv for one run. Never contains the password. */
export function buildMongodumpArgs(target: SelfManagedTarget, outDir: string, configFile: string | undefined, db: string | undefined): string[] {
  const args: string[] = [];
  if (target.uri) args.push('--uri', target.uri);
  else args.push('--host', target.host ?? 'localhost', '--port', String(target.port ?? 27017));
  if (db) args.push('--db', db);
  const hasUser = target.username !== undefined || (target.uri !== undefined && uriUsername(target.uri) !== undefined);
  if (target.username) args.push('--username', target.username);
  if (hasUser && target.authDatabase && !(target.uri && uriHasOption(target.uri, 'authSource'))) {
    args.push('--authenticationDatabase', target.authDatabase);
  }
  if (configFile) args.push('--config', configFile);
  if (target.oplog && !db) args.push('--oplog');
  if (target.gzip) args.push('--gzip');
  args.push('--out', outDir);
  return args;
}

/** Pure: a YAML double-quoted scalar; every character that YAML could misread is escaped. */
export function yamlDoubleQuoted(value: string): string {
  let out = '"';
  for (const ch of value) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}

/** Pure: mongodump's `--config` file body. */
export function mongodumpConfigYaml(password: string): string {
  return `password: ${yamlDoubleQuoted(password)}\n`;
}

/**
 * Creates a file only the current user can read, hands its path to `use`,
 * and deletes it (and its private folder) afterwards, whatever happens.
 * On Windows the ACL is set while the file is still empty.
 */
export async function withPrivateFile<T>(content: string, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alteryxbackup-'));
  try {
    if (process.platform !== 'win32') await fs.chmod(dir, 0o700);
    const file = path.join(dir, 'mongodump.yaml');
    const fh = await fs.open(file, 'wx', 0o600);
    try {
      if (process.platform === 'win32') await restrictToCurrentUser(file);
      await fh.writeFile(content, 'utf8');
    } finally {
      await fh.close();
    }
    return await use(file);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function restrictToCurrentUser(file: string): Promise<void> {
  const user = process.env.USERNAME ?? os.userInfo().username;
  // Under SYSTEM, USERNAME is the machine account (HOST$); grant SYSTEM by its SID instead.
  const principal = user.endsWith('$') ? '*S-1-5-18' : process.env.USERDOMAIN ? `${process.env.USERDOMAIN}\\${user}` : user;
  const r = await runCommand('icacls', [file, '/inheritance:r', '/grant:r', `${principal}:F`], { timeoutMs: 30_000 });
  if (r.exitCode !== 0) {
    throw new MongoDBError(`Could not restrict access to the temporary mongodump config file (icacls exit ${r.exitCode}); not writing the password`, 'MONGODB_CONFIG_ACL_FAILED');
  }
}

/** Masks the password (plain and URI-encoded) and URI credentials in tool output. */
export function redactOutput(text: string, password: string | undefined): string {
  let out = text.replace(/mongodb(?:\+srv)?:\/\/\S+/gi, (u) => redactMongoUri(u));
  if (password) {
    for (const s of new Set([password, encodeURIComponent(password)])) out = out.split(s).join('***');
  }
  return out;
}

export interface SelfManagedDumpOptions {
  /** mongodump executable: MongoDumpPath, or `mongodump` on PATH. */
  mongodump: string;
  target: SelfManagedTarget;
  outDir: string;
  timeoutSeconds: number;
  log: DumpLogger;
  signal?: AbortSignal;
  onSpawn?: (pid: number) => void;
}

export async function runSelfManagedDump(o: SelfManagedDumpOptions): Promise<DumpCommandOutcome> {
  const started = Date.now();
  await fs.mkdir(o.outDir, { recursive: true });
  const runs = o.target.databases.length > 0 ? o.target.databases : [undefined];
  const transcript: string[] = [];
  const deadline = started + o.timeoutSeconds * 1000;
  let lastArgs: string[] = [];
  let lastExit: number | null = 0;
  const dumpOnce = async (configFile: string | undefined) => {
    for (const db of runs) {
      const args = buildMongodumpArgs(o.target, o.outDir, configFile, db);
      lastArgs = args.map((a) => (a === configFile ? '<private config file>' : a));
      o.log.info(`Dumping self-managed MongoDB ${o.target.display}${db ? ` database ${db}` : ''}: mongodump ${lastArgs.join(' ')}`);
      const remaining = Math.max(1, deadline - Date.now());
      let result: CommandResult;
      try {
        result = await runCommand(o.mongodump, args, { timeoutMs: remaining, signal: o.signal, onSpawn: o.onSpawn });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        throw new MongoDBError(`mongodump could not be started (${code}): ${o.mongodump}. Set MongoDBConfiguration.SelfManagedMongoDB.MongoDumpPath.`, 'MONGODUMP_FAILED', { cause: err });
      }
      if (o.signal?.aborted) throw new CancelledError('mongodump was cancelled');
      lastExit = result.exitCode;
      const safe = redactOutput(`${result.stderr}${result.stdout}`, o.target.password);
      transcript.push(safe);
      for (const line of safe.split(/\r?\n/)) if (line.trim()) o.log.debug(`mongodump: ${line}`);
      const failure =
        dumpCommandFailure(result, 'mongodump', o.timeoutSeconds) ??
        (/^.*\bFailed:.*$/m.exec(safe) ? `mongodump reported a failure: ${(/^.*\bFailed:.*$/m.exec(safe) as RegExpExecArray)[0].trim()}` : undefined);
      if (failure) {
        throw new MongoDBError(redactOutput(failure, o.target.password), result.timedOut ? 'MONGODUMP_TIMEOUT' : 'MONGODUMP_FAILED', {
          details: outputTail({ ...result, stdout: '', stderr: safe }),
          category: result.timedOut ? 'OperationTimeout' : undefined,
        });
      }
    }
  };
  try {
    if (o.target.password !== undefined) await withPrivateFile(mongodumpConfigYaml(o.target.password), dumpOnce);
    else await dumpOnce(undefined);
  } finally {
    // mongodump writes its log to stderr; keep it beside the dump, like emongodump's mongoDump.log.
    if (transcript.length > 0) await fs.writeFile(path.join(o.outDir, DUMP_LOG_FILE), transcript.join('')).catch(() => undefined);
  }
  return { command: `mongodump ${lastArgs.join(' ')}`, exitCode: lastExit, durationSeconds: (Date.now() - started) / 1000 };
}

export interface MongoProbe {
  databases: Array<{ name: string; dataSizeBytes: number; collections: Array<{ name: string; documents: number }> }>;
  /** Sum of dbStats.dataSize: the uncompressed size a dump will roughly need. */
  totalDataBytes: number;
  /** `db.collection` → countDocuments before the dump. */
  counts: Map<string, number>;
  /** `hello.setName`: the server is a replica-set member (so `--oplog` works). */
  replicaSetName?: string;
  /** `buildInfo.version` of the server. */
  serverVersion?: string;
}

export interface ProbeOptions {
  serverSelectionTimeoutMS?: number;
  /** Count documents per collection (expected counts for verification). */
  countDocuments?: boolean;
}

const SYSTEM_DATABASES = new Set(['admin', 'local', 'config']);

/** Connectivity check, dbStats and per-collection counts with the official driver. */
export async function probeSelfManaged(target: SelfManagedTarget, options: ProbeOptions = {}): Promise<MongoProbe> {
  const timeout = options.serverSelectionTimeoutMS ?? 10_000;
  const uri = target.uri ?? `mongodb://${target.host ?? 'localhost'}:${target.port ?? 27017}/`;
  const username = target.username ?? (target.uri ? uriUsername(target.uri) : undefined);
  // The driver is loaded here, on the self-managed check only: it costs about 0.3 s of CPU per node start.
  const { MongoClient } = require('mongodb') as typeof MongoDriver;
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: timeout,
    connectTimeoutMS: timeout,
    ...(username !== undefined && target.password !== undefined ? { auth: { username, password: target.password } } : {}),
    ...(target.authDatabase && username !== undefined && !uriHasOption(uri, 'authSource') ? { authSource: target.authDatabase } : {}),
    appName: 'AlteryxBackup',
  });
  try {
    await client.connect();
    let names = target.databases;
    if (names.length === 0) {
      const list = await client.db('admin').admin().listDatabases({ nameOnly: true });
      names = list.databases.map((d) => d.name).filter((n) => !SYSTEM_DATABASES.has(n));
    }
    const probe: MongoProbe = { databases: [], totalDataBytes: 0, counts: new Map() };
    try {
      const hello = await client.db('admin').command({ hello: 1 });
      if (typeof hello.setName === 'string' && hello.setName !== '') probe.replicaSetName = hello.setName;
      const info = await client.db('admin').command({ buildInfo: 1 });
      if (typeof info.version === 'string') probe.serverVersion = info.version;
    } catch {
      /* older servers or restricted users: the facts stay unknown */
    }
    for (const name of names) {
      const db = client.db(name);
      const stats = await db.command({ dbStats: 1 });
      const dataSizeBytes = Number(stats.dataSize ?? 0);
      const collections: Array<{ name: string; documents: number }> = [];
      if (options.countDocuments !== false) {
        const infos = await db.listCollections({}, { nameOnly: false }).toArray();
        for (const info of infos) {
          if (info.type !== undefined && info.type !== 'collection') continue;
          if (info.name.startsWith('system.')) continue;
          const documents = await db.collection(info.name).countDocuments({});
          collections.push({ name: info.name, documents });
          probe.counts.set(`${name}.${info.name}`, documents);
        }
      }
      probe.databases.push({ name, dataSizeBytes, collections });
      probe.totalDataBytes += dataSizeBytes;
    }
    return probe;
  } catch (err) {
    const e = err as { message?: string; code?: number; codeName?: string; name?: string };
    const auth = e.code === 18 || e.codeName === 'AuthenticationFailed' || /auth/i.test(e.message ?? '');
    throw new MongoDBError(
      redactOutput(`${auth ? 'Authentication to' : 'Cannot reach'} MongoDB at ${target.display} failed: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`, target.password),
      auth ? 'MONGODB_AUTH_FAILED' : 'MONGODB_UNREACHABLE',
      { category: 'ConnectionError' },
    );
  } finally {
    await client.close().catch(() => undefined);
  }
}
