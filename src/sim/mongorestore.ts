import * as fs from 'node:fs';
import * as path from 'node:path';
import { logLine } from './dump-writer';
import { appendEvent } from './events';
import { readFaults } from './faults';
import { hostPaths, readHostInfo, sleep } from './host-layout';
import { passwordFromConfigYaml } from './mongodump-options';
import { largestBson, loadDump } from './restore-writer';

/**
 * Stand-in for MongoDB's `mongorestore` (100.x) against the self-managed
 * variant's simulated server (`<host>/mongodb-server/data`). Accepts
 * `--host`/`--port`/`--uri`, `--username`, `--authenticationDatabase`,
 * `--config <yaml>` (password), `--drop`, `--gzip`, `--dir <dump>` (or the dump
 * folder as positional), `--oplogReplay`, `--quiet`; logs on stderr in
 * mongorestore's words. Records its argv (never the config file's content) in
 * sim/mongorestore-argv.jsonl. Faults: mongorestorePartial,
 * mongorestoreFailuresExitZero, mongorestoreHang, mongorestoreLocked.
 */

const VALUE = new Set(['--host', '-h', '--port', '--uri', '--username', '-u', '--password', '-p', '--authenticationDatabase', '--config', '--dir', '-d', '--db', '--nsInclude', '--numParallelCollections', '-j']);
const FLAGS = new Set(['--drop', '--gzip', '--oplogReplay', '--quiet', '--stopOnError', '--preserveUUID', '-v', '--ssl', '--tls']);

function fail(message: string, code = 1): number {
  process.stderr.write(`${logLine(`Failed: ${message}`)}\n`);
  return code;
}

async function main(argv: string[]): Promise<number> {
  const root = process.env.ALTERYX_SIM_ROOT;
  if (!root) {
    process.stderr.write('mongorestore (simulated): ALTERYX_SIM_ROOT is not set; run it through the shim in <host>/mongodb-tools/bin.\n');
    return 1;
  }
  const paths = hostPaths(root);
  const info = readHostInfo(root);
  fs.appendFileSync(paths.mongorestoreArgvJsonl, JSON.stringify({ ts: Date.now(), pid: process.pid, argv, cwd: process.cwd() }) + '\n');

  const o: Record<string, string> = {};
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let inline: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (FLAGS.has(a)) flags.add(a);
    else if (VALUE.has(a)) {
      const v = inline ?? argv[++i];
      if (v === undefined) return fail(`error parsing command line options: expected argument for flag \`${a}'`, 3);
      o[a] = v;
    } else if (!a.startsWith('-')) positional.push(a);
    else return fail(`error parsing command line options: unknown option "${a}"`, 3);
  }
  const faults = readFaults(root);
  const sm = info.selfManaged;
  if (!sm) return fail(`can't create session: could not connect to server: no simulated MongoDB server on this host (variant ${info.variant})`);
  let host = o['--host'] ?? o['-h'] ?? 'localhost';
  let port = o['--port'] ?? '27017';
  if (host.includes(':')) [host, port] = host.split(':');
  const username = o['--username'] ?? o['-u'];
  let password = o['--password'] ?? o['-p'];
  if (o['--config']) {
    try {
      const p = passwordFromConfigYaml(fs.readFileSync(o['--config'], 'utf8'));
      if (p !== undefined) password = p;
    } catch (err) {
      return fail(`error opening config file: ${(err as Error).message}`);
    }
  }
  if (!(['127.0.0.1', 'localhost', sm.host].includes(host.toLowerCase()) && Number(port) === sm.port)) {
    return fail(`can't create session: failed to connect to mongodb://${host}:${port}/: server selection error: connection refused`);
  }
  if (username !== sm.username || password !== sm.password || (o['--authenticationDatabase'] ?? 'admin') !== sm.authDatabase) {
    return fail(
      `can't create session: failed to connect to mongodb://${host}:${port}/: connection() error occurred during connection handshake: ` +
        `auth error: sasl conversation error: unable to authenticate using mechanism "SCRAM-SHA-256": (AuthenticationFailed) Authentication failed.`,
    );
  }
  const dir = path.resolve(o['--dir'] ?? o['-d'] ?? positional[0] ?? 'dump');
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return fail(`mongorestore target '${dir}' invalid: stat ${dir}: no such file or directory`);
  const log = (line: string) => {
    if (!flags.has('--quiet') || line.includes('Failed:') || line.includes('document(s)')) process.stderr.write(line + '\n');
  };
  log(logLine(`preparing collections to restore from`));
  if (flags.has('--oplogReplay') && !fs.existsSync(path.join(dir, 'oplog.bson')) && !fs.existsSync(path.join(dir, 'oplog.bson.gz'))) {
    return fail('no oplog file to replay; make sure you run mongodump with --oplog');
  }
  if (faults.mongorestoreLocked) {
    await sleep(100);
    return fail(`${info.hostname}: error running create command: (LockTimeout) Unable to acquire lock on the data directory ${paths.externalMongoDataDir}: it is in use by another process`);
  }
  appendEvent(root, info.hostname, 'restore-started', { source: dir, target: paths.externalMongoDataDir, tool: 'mongorestore' });
  const partial = faults.mongorestorePartial || faults.mongorestoreFailuresExitZero ? largestBson(dir) : undefined;
  const result = await loadDump(dir, paths.externalMongoDataDir, { partial, hangAfterFirst: faults.mongorestoreHang }, log, info.seed);
  appendEvent(root, info.hostname, 'restore-finished', { ok: result.failed === 0, restored: result.restored, failed: result.failed, tool: 'mongorestore' });
  if (result.failed > 0 && !faults.mongorestoreFailuresExitZero) return 1;
  return 0;
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
