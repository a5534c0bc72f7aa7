import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { largestCollection, logLine, writeDump } from './dump-writer';
import { readCatalog } from './data-generator';
import { appendEvent } from './events';
import { readFaults } from './faults';
import { hostPaths, readHostInfo, sleep } from './host-layout';
import { MongodumpUsageError, parseMongodumpArgs, passwordFromConfigYaml } from './mongodump-options';

/**
 * Stand-in for MongoDB's `mongodump` (100.x) against the self-managed
 * variant's simulated server. It accepts the real options, records its argv
 * (never the config file's contents) in sim/mongodump-argv.jsonl, checks the
 * credentials, and logs to stderr in mongodump's format.
 */

const VERSION = 'mongodump version: 100.9.4\ngit version: 0c4a0ab4d5e1bd8f6d4a3a5b1e3a3c8c1d9e7f21\nGo version: go1.21.5\n   os: linux\n   arch: amd64\n   compiler: gc\n';

function fail(_quiet: boolean, message: string): number {
  process.stderr.write(`${logLine(`Failed: ${message}`)}\n`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  const root = process.env.ALTERYX_SIM_ROOT;
  if (!root) {
    process.stderr.write('mongodump (simulated): ALTERYX_SIM_ROOT is not set; run it through the shim in <host>/mongodb-tools/bin.\n');
    return 1;
  }
  const paths = hostPaths(root);
  const info = readHostInfo(root);

  // Record what we were given before anything can fail: tests check it for secrets.
  const configIndex = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  const configPath = configIndex < 0 ? undefined : argv[configIndex].includes('=') ? argv[configIndex].split('=').slice(1).join('=') : argv[configIndex + 1];
  let configRecord: Record<string, unknown> | undefined;
  if (configPath) {
    try {
      const st = fs.statSync(configPath);
      configRecord = { path: path.resolve(configPath), existed: true, mode: (st.mode & 0o777).toString(8).padStart(4, '0'), uid: st.uid };
    } catch {
      configRecord = { path: path.resolve(configPath), existed: false };
    }
  }
  fs.appendFileSync(paths.mongodumpArgvJsonl, JSON.stringify({ ts: Date.now(), pid: process.pid, argv, cwd: process.cwd(), configFile: configRecord }) + '\n');

  let parsed: ReturnType<typeof parseMongodumpArgs>;
  try {
    parsed = parseMongodumpArgs(argv);
  } catch (err) {
    if (!(err instanceof MongodumpUsageError)) throw err;
    process.stderr.write(`${logLine(err.message)}\n`);
    return 3;
  }
  if (parsed === 'help') {
    process.stdout.write('Usage:\n  mongodump <options> <connection-string>\n\nExport the content of a running server into .bson files.\n');
    return 0;
  }
  if (parsed === 'version') {
    process.stdout.write(VERSION);
    return 0;
  }
  const o = parsed;
  const faults = readFaults(root);
  const sm = info.selfManaged;
  if (!sm) return fail(o.quiet, `can't create session: could not connect to server: no simulated MongoDB server on this host (variant ${info.variant})`);
  if (o.archive) return fail(o.quiet, '--archive is not supported by the simulated mongodump; use --out');

  // Resolve the connection the way mongodump does: --uri, then --host/--port.
  let host = o.host ?? 'localhost';
  let port = o.port ?? '27017';
  let username = o.username;
  let password = o.password;
  let authDb = o.authenticationDatabase;
  let db = o.db;
  if (o.uri) {
    let u: URL;
    try {
      u = new URL(o.uri);
    } catch {
      return fail(o.quiet, `error parsing uri: ${o.uri.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:****@')}`);
    }
    if (u.protocol !== 'mongodb:' && u.protocol !== 'mongodb+srv:') return fail(o.quiet, 'error parsing uri: scheme must be "mongodb" or "mongodb+srv"');
    host = u.hostname;
    port = u.port || '27017';
    if (u.username) username = decodeURIComponent(u.username);
    if (u.password) password = decodeURIComponent(u.password);
    const pathDb = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (pathDb && !db) db = pathDb;
    authDb = authDb ?? u.searchParams.get('authSource') ?? undefined;
  } else if (host.includes(':')) {
    [host, port] = host.split(':');
  }
  if (o.config) {
    let text: string;
    try {
      text = fs.readFileSync(o.config, 'utf8');
    } catch (err) {
      return fail(o.quiet, `error opening config file: ${(err as Error).message}`);
    }
    const p = passwordFromConfigYaml(text);
    if (p !== undefined) password = p;
  }

  const hostOk = ['127.0.0.1', 'localhost', sm.host].includes(host.toLowerCase()) && Number(port) === sm.port;
  if (faults.mongodumpUnreachable || !hostOk) {
    await sleep(200);
    return fail(
      o.quiet,
      `can't create session: failed to connect to mongodb://${host}:${port}/: server selection error: server selection timeout, ` +
        `current topology: { Type: Single, Servers: [{ Addr: ${host}:${port}, Type: Unknown, Last error: dial tcp ${host}:${port}: connect: connection refused }, ] }`,
    );
  }
  if (username === undefined) {
    return fail(o.quiet, `error getting database names: (Unauthorized) command listDatabases requires authentication`);
  }
  const authOk = !faults.mongodumpAuthFail && username === sm.username && password === sm.password && (authDb ?? db ?? 'admin') === sm.authDatabase;
  if (!authOk) {
    return fail(
      o.quiet,
      `can't create session: failed to connect to mongodb://${host}:${port}/: connection() error occurred during connection handshake: ` +
        `auth error: sasl conversation error: unable to authenticate using mechanism "SCRAM-SHA-256": (AuthenticationFailed) Authentication failed.`,
    );
  }

  // --oplog: whole-instance dumps of a replica-set member only
  // (https://www.mongodb.com/docs/database-tools/mongodump/#std-option-mongodump.--oplog).
  if (o.oplog && (db || o.collection)) return fail(o.quiet, 'bad option: --oplog mode only supported on full dumps');
  if (o.oplog && !sm.replicaSet) return fail(o.quiet, 'error getting oplog start: the simulated server is a standalone, not a replica set member');
  const out = path.resolve(o.out ?? 'dump');
  appendEvent(root, info.hostname, 'mongodump-started', { out, db: db ?? null, gzip: o.gzip });
  const catalog = readCatalog(paths.externalMongoDataDir);
  const largest = largestCollection(catalog, db);
  const result = await writeDump({
    dataDir: paths.externalMongoDataDir,
    outDir: out,
    gzip: o.gzip,
    db,
    collection: o.collection,
    faults: {
      partial: faults.mongodumpPartial ? largest : undefined,
      missingDb: faults.mongodumpMissingDb,
      hangAfterFirst: faults.mongodumpHang,
      extraSeconds: faults.mongodumpSeconds,
      target: largest,
    },
    log: (line) => {
      if (!o.quiet) process.stderr.write(line + '\n');
    },
  });
  if (o.oplog) {
    // The oplog entries written during the dump; none on a quiet simulated server (a 0-byte .bson is a valid empty collection).
    fs.writeFileSync(path.join(out, o.gzip ? 'oplog.bson.gz' : 'oplog.bson'), o.gzip ? zlib.gzipSync(Buffer.alloc(0)) : Buffer.alloc(0));
  }
  const code = faults.mongodumpExitCode ?? 0;
  appendEvent(root, info.hostname, 'mongodump-finished', { oplog: o.oplog, exitCode: code, collections: result.collections, documents: result.documents, maxRssKb: process.resourceUsage().maxRSS });
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`${logLine(`Failed: ${(err as Error).message}`)}\n`);
    process.exitCode = 1;
  },
);
