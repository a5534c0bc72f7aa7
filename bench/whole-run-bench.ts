import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHost } from '../src/sim/host-builder';
import { readEvents, type SimEvent } from '../src/sim/events';
import { writeFaults } from '../src/sim/faults';
import { readServiceRecord, requestStart, requestStop } from '../src/sim/service-control';
import { destroyHost } from '../src/sim/sim-processes';
import type { BenchContext, BenchSection } from './bench-section';
import { alternate, fmt, loadAvg, loadLine, median, medianOf, MODULE_PSD1, PWSH, REPO, repeatCount, timed, writeResult, type Run } from './bench-util';

/**
 * Invoke-AlteryxBackup -BackupMode Full through pwsh on a simulated host
 * (total, downtime, time per phase), alternating with the same host backed
 * up the way admins' batch files do it: sc stop and poll every 5 s,
 * emongodump, zip -6 while still stopped, sc start and poll every 5 s, then
 * copy the zip to the network share. Downtime is what the simulated service
 * recorded: accepted stop → Running. Sizes: BENCH_WHOLE_SIZES, default
 * BENCH_SIZES; rounds: BENCH_WHOLE_REPEAT, default BENCH_REPEAT.
 */

const RUNNER = path.join(REPO, 'bench', 'pwsh-runner.ps1');
const STOP_SECONDS = 2;
const START_SECONDS = 2;

function downtimeSince(root: string, fromIdx: number): number | null {
  const ev = readEvents(root);
  const i = ev.findIndex((e: SimEvent, k) => k >= fromIdx && e.event === 'stop-requested' && (e as { accepted?: boolean }).accepted !== false);
  const j = ev.findIndex((e: SimEvent, k) => k > i && e.event === 'running');
  return i >= 0 && j >= 0 ? (ev[j].ts - ev[i].ts) / 1000 : null;
}

async function waitState(root: string, want: string, pollMs: number): Promise<void> {
  while (readServiceRecord(root).state !== want) await new Promise((r) => setTimeout(r, pollMs));
}

function clearOutputs(root: string): void {
  for (const d of ['backups/local', 'backups/network1', 'backups/network2']) {
    const dir = path.join(root, d);
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
  }
  fs.rmSync(path.join(root, 'temp', 'batch-dump'), { recursive: true, force: true });
  fs.rmSync(path.join(root, 'temp', 'batch-backup.zip'), { force: true });
}

async function ours(root: string, configPath: string): Promise<Run> {
  clearOutputs(root);
  const before = readEvents(root).length;
  const r = await timed('Invoke-AlteryxBackup', PWSH, ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', RUNNER, '-Step', 'Invoke-AlteryxBackup', '-Module', MODULE_PSD1, '-ConfigPath', configPath], {
    innerSeconds: true,
    probeMatch: 'main.js',
  });
  // Warning is a finished, verified backup (exit code 0): a host without a CMS certificate always warns
  // that the secrets went into the archive in plain text (issue 15). Anything else is a failed run.
  if (r.ok && r.json?.status !== 'Success' && r.json?.status !== 'Warning') {
    r.ok = false;
    r.note = `status ${String(r.json?.status)}`;
  }
  r.json = { ...r.json, simDowntime: downtimeSince(root, before) };
  return r;
}

async function batchStyle(root: string): Promise<Run> {
  clearOutputs(root);
  const exe = path.join(root, 'Program Files', 'Alteryx', 'bin', 'AlteryxService');
  const dump = path.join(root, 'temp', 'batch-dump');
  const zipFile = path.join(root, 'temp', 'batch-backup.zip');
  const before = readEvents(root).length;
  const load = loadAvg();
  const steps: Record<string, number> = {};
  const t0 = Date.now();
  let mark = t0;
  const lap = (name: string) => {
    const now = Date.now();
    steps[name] = (now - mark) / 1000;
    mark = now;
  };
  let ok = true;
  let note = '';
  requestStop(root);
  await waitState(root, 'Stopped', 5000);
  lap('stop');
  const d = spawnSync(exe, [`emongodump=${dump}`], { stdio: 'ignore' });
  if (d.status !== 0) {
    ok = false;
    note = 'emongodump failed';
  }
  lap('dump');
  const z = spawnSync('zip', ['-6', '-r', '-q', zipFile, '.'], { cwd: dump, stdio: 'ignore' });
  if (z.status !== 0) {
    ok = false;
    note = 'zip failed';
  }
  lap('zip');
  requestStart(root);
  await waitState(root, 'Running', 5000);
  lap('start');
  fs.copyFileSync(zipFile, path.join(root, 'backups', 'network1', 'batch-backup.zip'));
  lap('copy');
  const seconds = (Date.now() - t0) / 1000;
  return { label: 'batch', seconds, cpuSeconds: null, peakRssMB: null, outputBytes: fs.statSync(zipFile).size, ok, note, json: { simDowntime: downtimeSince(root, before), phases: steps }, load };
}

export const wholeRunBench: BenchSection = {
  name: 'whole-run',
  async run(ctx: BenchContext): Promise<void> {
    const sizes = (process.env.BENCH_WHOLE_SIZES ?? ctx.sizesMB.join(','))
      .split(',')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isFinite(n) && n > 0);
    // A 3 GB round takes minutes: BENCH_WHOLE_REPEAT can run fewer rounds here than BENCH_REPEAT elsewhere.
    const wholeRepeat = Number(process.env.BENCH_WHOLE_REPEAT);
    const rounds = Number.isFinite(wholeRepeat) && wholeRepeat >= 1 ? Math.floor(wholeRepeat) : repeatCount();
    const lines = [
      '# Whole run: Invoke-AlteryxBackup Full through pwsh vs a batch-file-style run',
      '',
      `Simulated service: stop ${STOP_SECONDS} s, start ${START_SECONDS} s; the dump copies the data. Our run copies to LocalBackupPath and two network folders and verifies each copy; the batch file copies to one. ${loadLine()} at the start.`,
      '',
    ];
    if (!fs.existsSync(PWSH)) {
      lines.push('pwsh not installed: section skipped.');
    }
    for (const sizeMB of fs.existsSync(PWSH) ? sizes : []) {
      const dir = fs.mkdtempSync(path.join(ctx.root, `whole-${sizeMB}-`));
      const root = path.join(dir, 'host');
      try {
        ctx.log(`\n## whole run, ${sizeMB} MB simulated database (creating the host)`);
        const configPath = await createHost(root, { variant: 'embedded', dbMegabytes: sizeMB, seed: 'bench-whole' });
        writeFaults(root, { stopSeconds: STOP_SECONDS, startSeconds: START_SECONDS });
        const res = await alternate(
          rounds,
          [
            { label: 'ours', run: () => ours(root, configPath) },
            { label: 'batch', run: () => batchStyle(root) },
          ],
          ctx.log,
        );
        const o = res.get('ours')!;
        const b = res.get('batch')!;
        const phaseNames = [...new Set(o.flatMap((r) => Object.keys((r.json?.phases ?? {}) as Record<string, number>)))];
        const phaseMedian = (runs: Run[], name: string) => medianOf(runs, (r) => ((r.json?.phases ?? {}) as Record<string, number | null>)[name] ?? null);
        lines.push(`## ${sizeMB} MB database, medians of ${rounds} alternating rounds (${loadLine()} at the end)`, '');
        lines.push('| | Total (s) | Downtime, as the service recorded it (s) | Downtime, as the run reported it (s) | Node peak RSS (MB) | Load during runs | Failures |', '|---|---:|---:|---:|---:|---:|---|');
        lines.push(
          `| Invoke-AlteryxBackup Full (pwsh) | ${fmt(medianOf(o, (r) => r.seconds))} | ${fmt(medianOf(o, (r) => r.json?.simDowntime ?? null))} | ${fmt(medianOf(o, (r) => r.json?.downtimeSeconds ?? null))} | ${fmt(medianOf(o, (r) => r.peakRssMB), 0)} | ${fmt(medianOf(o, (r) => r.load), 1)} | ${o.filter((r) => !r.ok).map((r) => r.note).join('; ')} |`,
        );
        lines.push(
          `| batch-file style (stop, dump, zip -6 while stopped, start, copy) | ${fmt(medianOf(b, (r) => r.seconds))} | ${fmt(medianOf(b, (r) => r.json?.simDowntime ?? null))} | | | | ${b.filter((r) => !r.ok).map((r) => r.note).join('; ')} |`,
        );
        lines.push('');
        lines.push(`Per phase (medians, s): ours ${phaseNames.map((p) => `${p} ${fmt(phaseMedian(o, p), 1)}`).join(', ')}.`);
        lines.push(`Batch-file style: ${['stop', 'dump', 'zip', 'start', 'copy'].map((p) => `${p} ${fmt(median(b.map((r) => (r.json?.phases as Record<string, number>)[p])), 1)}`).join(', ')}.`);
        lines.push('');
      } finally {
        destroyHost(root);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    const text = lines.join('\n');
    ctx.log('\n' + text);
    ctx.log(`written to ${writeResult(ctx.root, 'results-whole-run.md', text)}`);
  },
};
