import { BSON } from 'bson';
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Faults, readFaults, writeFaults } from '../../../src/sim/faults';
import { forceState, readServiceRecord, requestStart, requestStop, waitFor } from '../../../src/sim/service-control';

/** Helpers shared by the simulated-host tests: run the real CLI and stand-ins, and read what they wrote. */

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const SIM_CLI = path.join(REPO_ROOT, 'dist', 'src', 'sim', 'sim-cli.js');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function run(file: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(file, args, { timeout: opts.timeoutMs ?? 60_000, env: opts.env ?? process.env, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as NodeJS.ErrnoException & { code?: unknown }).code as unknown) : 0;
      resolve({ code: typeof code === 'number' ? code : err ? null : 0, stdout: String(stdout), stderr: String(stderr), ms: Date.now() - started });
    });
  });
}

export function sim(args: string[], timeoutMs?: number): Promise<RunResult> {
  return run(process.execPath, [SIM_CLI, ...args], { timeoutMs });
}

export function simSync(args: string[]): RunResult {
  const started = Date.now();
  const r = spawnSync(process.execPath, [SIM_CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

export function alteryxService(root: string, arg: string, timeoutMs?: number): Promise<RunResult> {
  return run(path.join(root, 'Program Files', 'Alteryx', 'bin', 'AlteryxService'), [arg], { timeoutMs });
}

export function mongodump(root: string, args: string[], timeoutMs?: number): Promise<RunResult> {
  return run(path.join(root, 'mongodb-tools', 'bin', 'mongodump'), args, { timeoutMs });
}

export function tempDir(prefix = 'simtest-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Creates a host in a fresh temp folder; returns its root and config path. */
export async function createHost(args: string[] = []): Promise<{ root: string; configPath: string; stdout: string }> {
  const parent = tempDir();
  const root = path.join(parent, 'host');
  const r = await sim(['create', root, '--db-mb', '0.5', ...args]);
  if (r.code !== 0) throw new Error(`sim create failed (${r.code}): ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return { root, configPath: lines[lines.length - 1], stdout: r.stdout };
}

/** Kills every process of the host and removes its folder; safe to call twice. */
export function destroyHost(root: string | undefined): void {
  if (!root) return;
  if (fs.existsSync(root)) simSync(['destroy', root]);
  fs.rmSync(path.dirname(root), { recursive: true, force: true });
}

export function hostJson(root: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(root, 'sim', 'host.json'), 'utf8'));
}

export async function state(root: string): Promise<string> {
  const r = await sim(['state', root]);
  return r.stdout.trim();
}

export async function waitForState(root: string, want: string, timeoutMs = 10_000): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = readServiceRecord(root).state;
    if (seen[seen.length - 1] !== s) seen.push(s);
    if (s === want) return seen;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${want}; saw ${seen.join(' → ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface ParsedDump {
  /** ns → documents actually parsed from the file. */
  counts: Map<string, number>;
  /** ns → problem, for files that are not a whole sequence of BSON documents. */
  errors: Map<string, string>;
  databases: string[];
}

/** Parses every .bson(.gz) in a dump folder as whole BSON documents, the way the backup's verifier must. */
export function parseDump(dir: string): ParsedDump {
  const counts = new Map<string, number>();
  const errors = new Map<string, string>();
  const databases: string[] = [];
  for (const db of fs.readdirSync(dir).sort()) {
    const dbDir = path.join(dir, db);
    if (!fs.statSync(dbDir).isDirectory()) continue;
    databases.push(db);
    for (const f of fs.readdirSync(dbDir).sort()) {
      const m = /^(.*)\.bson(\.gz)?$/.exec(f);
      if (!m) continue;
      const ns = `${db}.${m[1]}`;
      let buf = fs.readFileSync(path.join(dbDir, f));
      if (m[2]) buf = gunzipSync(buf);
      let pos = 0;
      let n = 0;
      try {
        while (pos < buf.length) {
          if (pos + 4 > buf.length) throw new Error(`truncated length prefix at ${pos}`);
          const len = buf.readInt32LE(pos);
          if (len < 5 || pos + len > buf.length) throw new Error(`document at ${pos} claims ${len} bytes, ${buf.length - pos} left`);
          if (buf[pos + len - 1] !== 0) throw new Error(`document at ${pos} does not end with 0x00`);
          BSON.deserialize(buf.subarray(pos, pos + len));
          pos += len;
          n++;
        }
      } catch (err) {
        errors.set(ns, (err as Error).message);
      }
      counts.set(ns, n);
    }
  }
  return { counts, errors, databases };
}

/** ns → count from mongodump's `done dumping db.coll (N documents)` lines. */
export function parseDumpLog(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^\S+\tdone dumping (\S+) \((\d+) documents?\)$/gm)) out.set(m[1], Number(m[2]));
  return out;
}

/** In-process setup helpers: faster than the CLI when the CLI is not what a test is about. */
export function setFaults(root: string, faults: Faults, replace = false): void {
  writeFaults(root, replace ? faults : { ...readFaults(root), ...faults });
}

export async function startService(root: string): Promise<void> {
  const r = requestStart(root);
  if (!r.ok && readServiceRecord(root).state !== 'Running') throw new Error(r.message);
  await waitFor(root, (s) => s.state === 'Running');
}

export async function stopService(root: string): Promise<void> {
  const r = requestStop(root);
  if (!r.ok && readServiceRecord(root).state !== 'Stopped') throw new Error(r.message);
  await waitFor(root, (s) => s.state === 'Stopped');
}

/** Back to a clean, Running, Automatic service with no faults. */
export async function resetHost(root: string): Promise<void> {
  writeFaults(root, {});
  const rec = readServiceRecord(root);
  if (rec.state !== 'Running' || rec.startType !== 'Automatic') {
    await forceState(root, 'Stopped');
    await forceState(root, 'Automatic');
    await startService(root);
  }
}
