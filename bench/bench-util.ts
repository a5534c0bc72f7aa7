import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Shared by the bench sections: one way to run, time and summarise a step. */

export const REPO = resolve(__dirname, '..', '..');
export const PWSH = join(REPO, '.tools', 'pwsh', 'pwsh');
export const CLI_MAIN = join(REPO, 'dist', 'src', 'cli', 'main.js');
export const MODULE_PSD1 = join(REPO, 'ps-module', 'AlteryxBackup', 'AlteryxBackup.psd1');
const TIME = '/usr/bin/time';
const PROBE = join(REPO, 'dist', 'bench', 'rss-probe.js');

export interface Run {
  label: string;
  /** Wall seconds of the step: from spawn to exit, or the in-process Stopwatch when the tool reports one. */
  seconds: number;
  /** User + system CPU seconds of the measured process (and its children), when known. */
  cpuSeconds: number | null;
  peakRssMB: number | null;
  outputBytes: number | null;
  ok: boolean;
  note: string;
  /** The tool's own JSON output, when it printed one on its last stdout line. */
  json?: Record<string, any>;
  load: number;
}

export function loadAvg(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

export function loadLine(): string {
  try {
    return `/proc/loadavg ${readFileSync('/proc/loadavg', 'utf8').trim()} (${require('node:os').cpus().length} cores)`;
  } catch {
    return 'load average unknown';
  }
}

export interface TimedOptions {
  cwd?: string;
  output?: string | null;
  stdin?: string;
  env?: NodeJS.ProcessEnv;
  /** Take the wall time from the last stdout line's JSON `seconds` (a Stopwatch inside pwsh). */
  innerSeconds?: boolean;
  /** Node processes: read peak RSS and CPU from the rss-probe file of the process whose argv contains this. */
  probeMatch?: string;
}

/**
 * Runs a command under `/usr/bin/time -v` (peak RSS and CPU of it and its
 * children). With `probeMatch`, node processes started anywhere below it are
 * preloaded with bench/rss-probe and the one matching reports its own peak
 * RSS and CPU (for the node that a pwsh cmdlet starts).
 */
export function timed(label: string, cmd: string, args: string[], o: TimedOptions = {}): Promise<Run> {
  return new Promise((resolvePromise) => {
    const useTime = existsSync(TIME);
    const probeDir = o.probeMatch ? mkdtempSync(join(require('node:os').tmpdir(), 'bench-probe-')) : undefined;
    const env = { ...process.env, ...o.env };
    if (probeDir) {
      env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --require=${PROBE}`.trim();
      env.BENCH_PROBE_DIR = probeDir;
    }
    const load = loadAvg();
    const started = process.hrtime.bigint();
    const child = spawn(useTime ? TIME : cmd, useTime ? ['-v', cmd, ...args] : args, { cwd: o.cwd ?? REPO, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin.end(o.stdin ?? '');
    child.on('close', (code) => {
      let seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
      const user = /User time \(seconds\): ([\d.]+)/.exec(err);
      const sys = /System time \(seconds\): ([\d.]+)/.exec(err);
      let cpuSeconds = user && sys ? Number(user[1]) + Number(sys[1]) : null;
      let peakRssMB = m ? Number(m[1]) / 1024 : null;
      let json: Record<string, any> | undefined;
      const lastLine = out.trim().split('\n').pop() ?? '';
      try {
        if (lastLine.startsWith('{')) json = JSON.parse(lastLine) as Record<string, any>;
      } catch {
        json = undefined;
      }
      let ok = code === 0;
      let note = ok ? '' : `exit ${code}: ${(err.split('\n').find((l) => l.trim() && !l.startsWith('\t') && !l.startsWith('Command exited')) ?? lastLine).slice(0, 200)}`;
      if (o.innerSeconds) {
        if (json && typeof json.seconds === 'number') seconds = json.seconds;
        else {
          ok = false;
          note = note || `no timing line: ${lastLine.slice(0, 200)}`;
        }
        if (json?.error) {
          ok = false;
          note = String(json.error).slice(0, 200);
        }
      }
      if (probeDir) {
        const probes = readdirSync(probeDir).map((f) => JSON.parse(readFileSync(join(probeDir, f), 'utf8')) as { argv: string[]; maxRssKB: number; cpuSeconds: number });
        const p = probes.find((x) => x.argv.some((a) => a.includes(o.probeMatch!)));
        if (p) {
          peakRssMB = p.maxRssKB / 1024;
          cpuSeconds = p.cpuSeconds;
        } else {
          peakRssMB = null;
          cpuSeconds = null;
        }
        rmSync(probeDir, { recursive: true, force: true });
      }
      const outputBytes = o.output && existsSync(o.output) ? statSync(o.output).size : null;
      resolvePromise({ label, seconds, cpuSeconds, peakRssMB, outputBytes, ok, note, json, load });
    });
  });
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median of the successful runs' field; null when none succeeded or none had it. */
export function medianOf(runs: Run[], pick: (r: Run) => number | null): number | null {
  const xs = runs.filter((r) => r.ok).map(pick).filter((x): x is number => x !== null && Number.isFinite(x));
  return xs.length ? median(xs) : null;
}

export const fmt = (n: number | null | undefined, digits = 2): string => (n === null || n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits));
export const mb = (b: number | null | undefined): string => (b === null || b === undefined ? 'n/a' : (b / 1e6).toFixed(1));

/** How many alternating rounds: BENCH_REPEAT, default 3. */
export function repeatCount(): number {
  const n = Number(process.env.BENCH_REPEAT ?? 3);
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : 3;
}

/**
 * Runs `steps` in `rounds` rounds, each step once per round, the order
 * rotated every round so no tool always runs first (cold) or last.
 */
export async function alternate(rounds: number, steps: Array<{ label: string; run: () => Promise<Run> }>, log: (l: string) => void): Promise<Map<string, Run[]>> {
  const results = new Map<string, Run[]>(steps.map((s) => [s.label, []]));
  for (let r = 0; r < rounds; r++) {
    log(`  round ${r + 1}/${rounds} (${loadLine()})`);
    for (let k = 0; k < steps.length; k++) {
      const s = steps[(k + r) % steps.length];
      const x = await s.run();
      results.get(s.label)!.push(x);
      log(`    ${s.label.padEnd(44)} ${fmt(x.seconds).padStart(8)} s  CPU ${fmt(x.cpuSeconds).padStart(7)} s  RSS ${fmt(x.peakRssMB, 0).padStart(5)} MB  load ${fmt(x.load, 1)}${x.ok ? '' : `  FAILED ${x.note}`}`);
    }
  }
  return results;
}

export function writeResult(root: string, name: string, text: string): string {
  const file = join(root, name);
  writeFileSync(file, text);
  return file;
}
