import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, type CliOptions, type CliResult } from '../../helpers/cli-harness';
import { hostJson } from '../sim/sim-harness';

export { createHost, destroyHost, hostJson, setFaults, state, waitForState, sleep } from '../sim/sim-harness';

/** The secrets a real caller would pass: the self-managed password from host.json. */
export function secretsFor(root: string): Record<string, string> {
  const sm = hostJson(root).selfManaged;
  return sm ? { MongoPassword: sm.password as string } : {};
}

export async function backup(root: string, configPath: string, mode: 'Full' | 'DatabaseOnly' | 'ConfigOnly'): Promise<string> {
  const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: mode }, secrets: secretsFor(root), timeoutMs: 180_000 });
  if (r.exitCode !== 0) throw new Error(`backup ${mode} failed (${r.exitCode}): ${JSON.stringify(r.result?.error)}`);
  return r.result!.data.ArchivePath as string;
}

export function restore(root: string, configPath: string, archivePath: string, parameters: Record<string, unknown> = {}, o: Partial<CliOptions> = {}): Promise<CliResult> {
  return runCli('Restore-AlteryxBackup', { configPath, parameters: { ArchivePath: archivePath, ...parameters }, secrets: secretsFor(root), timeoutMs: 180_000, ...o });
}

function sha(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function walk(dir: string, base: string, out: Map<string, string>, skip: (rel: string) => boolean): void {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    const rel = path.relative(base, full);
    if (skip(rel)) continue;
    if (e.isDirectory()) walk(full, base, out, skip);
    else out.set(rel, sha(full));
  }
}

/**
 * Every byte a restore may touch: ProgramData (less the files the service
 * itself rewrites: the PID in mongod.lock, logs), alteryx.config, the
 * self-managed server's data, and the token.
 */
export function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  walk(path.join(root, 'ProgramData'), root, out, (rel) => rel.endsWith('mongod.lock') || /_PreRestore_/.test(rel) || rel.includes(`${path.sep}Staging${path.sep}`));
  walk(path.join(root, 'Program Files', 'Alteryx', 'bin', 'server'), root, out, () => false);
  walk(path.join(root, 'mongodb-server', 'data'), root, out, () => false);
  out.set('token', createHash('sha256').update(String(hostJson(root).serverSecret)).digest('hex'));
  return out;
}

export function diffSnapshots(before: Map<string, string>, after: Map<string, string>): string[] {
  const d: string[] = [];
  for (const [k, v] of before) if (after.get(k) !== v) d.push(after.has(k) ? `changed ${k}` : `missing ${k}`);
  for (const k of after.keys()) if (!before.has(k)) d.push(`added ${k}`);
  return d;
}

/** Every document of every collection of a data folder, as raw BSON. */
export function documents(dataDir: string): Map<string, Buffer[]> {
  const out = new Map<string, Buffer[]>();
  for (const db of fs.readdirSync(dataDir).sort()) {
    const dbDir = path.join(dataDir, db);
    if (!fs.statSync(dbDir).isDirectory() || /_PreRestore_/.test(db)) continue;
    for (const f of fs.readdirSync(dbDir).sort()) {
      if (!f.endsWith('.bson')) continue;
      const buf = fs.readFileSync(path.join(dbDir, f));
      const docs: Buffer[] = [];
      for (let pos = 0; pos + 4 <= buf.length; ) {
        const len = buf.readInt32LE(pos);
        docs.push(buf.subarray(pos, pos + len));
        pos += len;
      }
      out.set(`${db}.${f.slice(0, -5)}`, docs);
    }
  }
  return out;
}

export function dataDirOf(root: string): string {
  return hostJson(root).variant === 'self-managed' ? path.join(root, 'mongodb-server', 'data') : path.join(root, 'ProgramData', 'Alteryx', 'Service', 'Persistence', 'MongoDB');
}
