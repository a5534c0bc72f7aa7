import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancelledError } from '../core/errors';
import { mongodumpConfigYaml, redactOutput, withPrivateFile, type SelfManagedTarget } from '../mongo/self-managed-dump';
import { runCommand } from '../platform/run-command';
import { RestoreFailedError } from '../core/errors';

/**
 * The two ways to load a dump:
 * - embedded: `AlteryxService.exe emongorestore=<source>,<target>` with the
 *   service stopped (AlteryxService Commands,
 *   https://help.alteryx.com/server/current/en/install/alteryxservice-commands.html),
 *   into an empty target; it writes <target>/mongoRestore.log.
 * - self-managed: `mongorestore --drop [--gzip] [--oplogReplay] --dir <dump>`
 *   with the password in a private `--config` file, as for the dump.
 * Either returns the log text; the caller decides success from it.
 */

export interface RestoreCommandResult {
  command: string;
  exitCode: number | null;
  timedOut: boolean;
  logText: string;
  output: string;
  durationSeconds: number;
}

export async function runEmbeddedRestore(o: {
  executable: string;
  source: string;
  target: string;
  timeoutSeconds: number;
  signal?: AbortSignal;
  onSpawn?: (pid: number) => void;
}): Promise<RestoreCommandResult> {
  const started = Date.now();
  const arg = `emongorestore=${o.source},${o.target}`;
  const r = await runCommand(o.executable, [arg], { timeoutMs: o.timeoutSeconds * 1000, signal: o.signal, onSpawn: o.onSpawn });
  if (o.signal?.aborted) throw new CancelledError('The restore was cancelled during emongorestore.');
  const logText = await fs.promises.readFile(path.join(o.target, 'mongoRestore.log'), 'utf8').catch(() => '');
  return { command: `AlteryxService ${arg}`, exitCode: r.exitCode, timedOut: r.timedOut, logText, output: `${r.stdout}${r.stderr}`, durationSeconds: (Date.now() - started) / 1000 };
}

/** Pure: mongorestore's argv. Never contains the password. */
export function buildMongorestoreArgs(target: SelfManagedTarget, dumpDir: string, configFile: string | undefined, o: { gzip: boolean; oplogReplay: boolean }): string[] {
  const args: string[] = [];
  if (target.uri) args.push('--uri', target.uri);
  else args.push('--host', target.host ?? 'localhost', '--port', String(target.port ?? 27017));
  if (target.username) args.push('--username', target.username);
  if (target.username && target.authDatabase && !(target.uri && /[?&]authSource=/i.test(target.uri))) args.push('--authenticationDatabase', target.authDatabase);
  if (configFile) args.push('--config', configFile);
  args.push('--drop');
  if (o.gzip) args.push('--gzip');
  if (o.oplogReplay) args.push('--oplogReplay');
  args.push('--dir', dumpDir);
  return args;
}

/** mongorestore beside the configured mongodump, else on PATH. */
export function mongorestoreExecutable(mongodumpPath: string): string {
  if (!mongodumpPath.trim()) return process.platform === 'win32' ? 'mongorestore.exe' : 'mongorestore';
  const ext = path.extname(mongodumpPath);
  return path.join(path.dirname(mongodumpPath), `mongorestore${ext}`);
}

/** True when the dump's collections are gzipped (`.bson.gz`). */
export function dumpIsGzipped(dumpDir: string): boolean {
  for (const db of fs.readdirSync(dumpDir)) {
    const d = path.join(dumpDir, db);
    if (!fs.statSync(d).isDirectory()) continue;
    if (fs.readdirSync(d).some((f) => f.endsWith('.bson.gz'))) return true;
  }
  return false;
}

export async function runSelfManagedRestore(o: {
  executable: string;
  target: SelfManagedTarget;
  dumpDir: string;
  oplogReplay: boolean;
  timeoutSeconds: number;
  signal?: AbortSignal;
  onSpawn?: (pid: number) => void;
}): Promise<RestoreCommandResult> {
  const started = Date.now();
  const gzip = dumpIsGzipped(o.dumpDir);
  let shown: string[] = [];
  const run = async (configFile: string | undefined) => {
    const args = buildMongorestoreArgs(o.target, o.dumpDir, configFile, { gzip, oplogReplay: o.oplogReplay });
    shown = args.map((a) => (a === configFile ? '<private config file>' : a));
    try {
      return await runCommand(o.executable, args, { timeoutMs: o.timeoutSeconds * 1000, signal: o.signal, onSpawn: o.onSpawn });
    } catch (err) {
      throw new RestoreFailedError(`mongorestore could not be started (${(err as NodeJS.ErrnoException).code ?? 'error'}): ${o.executable}.`, 'MONGORESTORE_FAILED', { cause: err });
    }
  };
  const r = o.target.password !== undefined ? await withPrivateFile(mongodumpConfigYaml(o.target.password), run) : await run(undefined);
  if (o.signal?.aborted) throw new CancelledError('The restore was cancelled during mongorestore.');
  // mongorestore logs on stderr; that is its mongoRestore.log.
  const logText = redactOutput(`${r.stderr}${r.stdout}`, o.target.password);
  return { command: `mongorestore ${shown.join(' ')}`, exitCode: r.exitCode, timedOut: r.timedOut, logText, output: logText, durationSeconds: (Date.now() - started) / 1000 };
}
