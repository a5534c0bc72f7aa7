import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, type CliLine, type CliOptions, type CliResult } from '../../helpers/cli-harness';
import { createHost, destroyHost, readEventsOf, resetHost, setFaults, sleep } from '../backup/backup-harness';
import { readServiceRecord, type SimServiceState, type SimStartType } from '../../../src/sim/service-control';

/**
 * Shared by the fault tests: every test runs the real CLI against a simulated
 * host, after one good backup, and then asserts the three things a fault must
 * never break (RELIABILITY.md, "Faults to test against"):
 *  1. the service is in its original state, asked of the simulated service itself;
 *  2. no new archive carries a final name, nothing pre-existing changed;
 *  3. the previous newest backup still passes Test-BackupIntegrity.
 */

export { createHost, destroyHost, readEventsOf, resetHost, setFaults, sleep, runCli };
export type { CliLine, CliResult };

export interface FaultHost {
  root: string;
  configPath: string;
  /** The host itself, then every node of a multi-node host. */
  roots: string[];
  /** Parsed backup-config.json. */
  config: any;
}

/** A fresh simulated host (0.5 MB of data) with one good Full backup already published. */
export async function createFaultHost(args: string[] = [], o: { fullBackup?: boolean } = {}): Promise<FaultHost> {
  const { root, configPath } = await createHost(args);
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  const nodesDir = path.join(root, 'nodes');
  const nodeRoots = fs.existsSync(nodesDir) ? fs.readdirSync(nodesDir).sort().map((n) => path.join(nodesDir, n)) : [];
  const h = { root, configPath, roots: [root, ...nodeRoots], config };
  if (o.fullBackup !== false) await goodBackup(h, 'Full');
  return h;
}

export function destroyFaultHost(h: FaultHost | undefined): void {
  destroyHost(h?.root);
}

/** Every node back to Running/Automatic with no faults. */
export async function resetAll(h: FaultHost): Promise<void> {
  for (const r of h.roots) await resetHost(r);
}

/** The folders a backup publishes into. */
export function backupDirs(h: FaultHost): string[] {
  return ['local', 'network1', 'network2'].map((d) => path.join(h.root, 'backups', d));
}

/** A copy of the host's config with `edit` applied, written beside the host; returns its path. */
export function configVariant(h: FaultHost, name: string, edit: (c: any) => void): string {
  const c = JSON.parse(JSON.stringify(h.config));
  edit(c);
  const p = path.join(path.dirname(h.root), `${name}.backup-config.json`);
  fs.writeFileSync(p, JSON.stringify(c, null, 2));
  return p;
}

interface FileFacts {
  size: number;
  mtimeMs: number;
}

export interface Baseline {
  /** The previous newest backup: made by goodBackup() just before the fault. */
  archivePath: string;
  /** dir → name → facts, for every file in the backup folders (and extra folders). */
  files: Map<string, Map<string, FileFacts>>;
  /** root → the service's state and start type before the fault. */
  services: Map<string, { state: SimServiceState; startType: SimStartType }>;
  /** root → how many events its journal held before the fault. */
  eventCounts: Map<string, number>;
}

function listFiles(dir: string): Map<string, FileFacts> {
  const out = new Map<string, FileFacts>();
  if (!fs.existsSync(dir)) return out;
  for (const name of fs.readdirSync(dir)) {
    const st = fs.statSync(path.join(dir, name));
    if (st.isFile()) out.set(name, { size: st.size, mtimeMs: st.mtimeMs });
  }
  return out;
}

/** Records the state the fault must not change. Call after the good backup and after setting up the service state. */
export function takeBaseline(h: FaultHost, archivePath: string, extraDirs: string[] = []): Baseline {
  const files = new Map<string, Map<string, FileFacts>>();
  for (const d of [...backupDirs(h), ...extraDirs]) files.set(d, listFiles(d));
  const services = new Map<string, { state: SimServiceState; startType: SimStartType }>();
  const eventCounts = new Map<string, number>();
  for (const r of h.roots) {
    const rec = readServiceRecord(r);
    services.set(r, { state: rec.state, startType: rec.startType });
    eventCounts.set(r, readEventsOf(r).length);
  }
  return { archivePath, files, services, eventCounts };
}

/** Runs one good backup (exit 0) and returns its archive: the "previous newest backup" for the fault that follows. */
export async function goodBackup(h: FaultHost, mode: 'Full' | 'DatabaseOnly' | 'ConfigOnly'): Promise<string> {
  const r = await runCli('Invoke-AlteryxBackup', { configPath: h.configPath, parameters: { BackupMode: mode } });
  assert.equal(r.exitCode, 0, `the good backup before the fault failed:\n${tail(r)}`);
  const archivePath = r.result!.data.ArchivePath as string;
  assert.ok(fs.existsSync(archivePath), archivePath);
  return archivePath;
}

/**
 * resetAll + one good backup + baseline. The good backup is ConfigOnly by
 * default: it is a complete, verified archive like any other and takes a
 * third of a Full run's time. Each file also makes one good Full backup in
 * `before`, so a Full archive is among the pre-existing files that every
 * fault must leave byte-for-byte alone.
 */
export async function prepare(h: FaultHost, o: { mode?: 'Full' | 'DatabaseOnly' | 'ConfigOnly'; extraDirs?: string[] } = {}): Promise<Baseline> {
  await resetAll(h);
  const archive = await goodBackup(h, o.mode ?? 'ConfigOnly');
  return takeBaseline(h, archive, o.extraDirs);
}

/** The last part of a run's output, for assertion messages. */
export function tail(r: CliResult, n = 4000): string {
  return `exit ${r.exitCode} signal ${r.signal}\n${r.stdout.slice(-n)}\n${r.stderr.slice(-1000)}`;
}

/** The run ended with exactly this exit code and error code (a result line was written). */
export function assertFailed(r: CliResult, exitCode: number, code: string): void {
  assert.equal(r.exitCode, exitCode, `exit code; ${tail(r)}`);
  assert.ok(r.result, `a result line; ${tail(r)}`);
  assert.equal(r.result!.exitCode, exitCode, `result.exitCode; ${tail(r)}`);
  assert.equal(r.result!.error?.code, code, `error code; ${tail(r)}`);
}

// ---------- the three assertions ----------

/** 1. The service on every node is as it was, asked of the simulated service itself. */
export function assertServiceAsBefore(b: Baseline, why = ''): void {
  for (const [root, before] of b.services) {
    const now = readServiceRecord(root);
    assert.equal(now.state, before.state, `service state on ${root} ${why}`);
    assert.equal(now.startType, before.startType, `service start type on ${root} ${why}`);
  }
}

/**
 * 2. Nothing new in the backup folders (no archive with a final name, no
 * partial file, no sidecar), nothing pre-existing changed or deleted.
 * `allowNew` lists final names a test expects (a backup that succeeded).
 */
export function assertNoNewOfficial(b: Baseline, allowNew: string[] = []): void {
  for (const [dir, before] of b.files) {
    const now = listFiles(dir);
    for (const [name, facts] of before) {
      const n = now.get(name);
      assert.ok(n, `${name} in ${dir} disappeared`);
      assert.equal(n!.size, facts.size, `${name} in ${dir} changed size`);
      assert.equal(n!.mtimeMs, facts.mtimeMs, `${name} in ${dir} was rewritten`);
    }
    const added = [...now.keys()].filter((n) => !before.has(n) && !allowNew.includes(n)).sort();
    const finalNamed = added.filter((n) => /^ServerBackup_/.test(n));
    assert.deepEqual(finalNamed, [], `new files with a final name in ${dir}`);
    assert.deepEqual(added, [], `new files (partial or temporary) left in ${dir}`);
  }
}

/** 3. The previous newest backup still verifies. */
export async function assertPreviousVerifies(h: FaultHost, b: Baseline): Promise<void> {
  await assertVerifies(h, b.archivePath);
}

export async function assertVerifies(h: FaultHost, archivePath: string): Promise<void> {
  const v = await runCli('Test-BackupIntegrity', { configPath: h.configPath, parameters: { ArchivePath: archivePath } });
  assert.equal(v.exitCode, 0, tail(v));
  assert.equal(v.result!.data.OverallStatus, true, `Test-BackupIntegrity ${archivePath}: ${JSON.stringify(v.result!.data)}`);
}

/** All three. */
export async function assertUnharmed(h: FaultHost, b: Baseline, o: { allowNew?: string[] } = {}): Promise<void> {
  assertServiceAsBefore(b);
  assertNoNewOfficial(b, o.allowNew);
  await assertPreviousVerifies(h, b);
}

// ---------- events ----------

/** Events of `root` appended since the baseline. */
export function newEvents(b: Baseline, root: string): Array<Record<string, any>> {
  return readEventsOf(root).slice(b.eventCounts.get(root) ?? 0) as Array<Record<string, any>>;
}

export function eventNames(b: Baseline, root: string): string[] {
  return newEvents(b, root).map((e) => e.event as string);
}

export async function waitUntil(what: string, fn: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The progress line that starts phase `phase` of the executor. */
export function isPhaseStart(line: CliLine, phase: string): boolean {
  // A repeated line (`repeat: true`, node's keep-alive during a quiet phase) is not a new start.
  return line.type === 'progress' && line.repeat !== true && / backup$/.test(String(line.activity)) && line.status === phase;
}

export function logText(r: CliResult): string {
  return r.lines
    .filter((l) => l.type === 'log' || l.type === 'warning')
    .map((l) => `[${l.level ?? 'WARNING'}] ${l.message}`)
    .join('\n');
}

/**
 * runCli, but node runs under `prefix` (e.g. `setpriv --bounding-set -dac_override ...`).
 * Same request, same JSON lines; used only where the fault needs the CLI to run
 * with less privilege than the test (root ignores file modes).
 */
export function runCliVia<T = any>(prefix: string[], command: string, o: CliOptions = {}): Promise<CliResult<T>> {
  return runCli<T>(command, { ...o, prefix });
}

export const TEMP = (h: FaultHost) => path.join(h.root, 'temp');
export const LOCK = (h: FaultHost) => path.join(h.root, 'temp', 'AlteryxBackup.lock');
export const MARKER = (h: FaultHost) => path.join(h.root, 'temp', 'AlteryxBackup.state.json');

/** Staging folders (ours) left in TempDirectory. */
export function stagingLeft(h: FaultHost): string[] {
  const t = TEMP(h);
  return fs.existsSync(t) ? fs.readdirSync(t).filter((n) => /^AlteryxBackup_\d{8}_\d{6}_\d+$/.test(n)) : [];
}
