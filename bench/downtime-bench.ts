import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHost } from '../src/sim/host-builder';
import { readEvents, type SimEvent } from '../src/sim/events';
import { writeFaults } from '../src/sim/faults';
import { readServiceRecord, requestStart, requestStop } from '../src/sim/service-control';
import { destroyHost } from '../src/sim/sim-processes';
import type { BenchContext, BenchSection } from './bench-section';

/**
 * Service downtime of a Full backup on the simulated host, against the
 * simulated stop + dump + start time, side by side with what a typical
 * admin batch file does (sc stop, poll every 5 s, emongodump, zip while
 * still stopped, sc start, poll every 5 s). Downtime is what the
 * simulated service itself recorded: from the accepted stop to Running.
 */

const CLI = path.join(__dirname, '..', 'src', 'cli', 'main.js');
const STOP_SECONDS = 2;
const START_SECONDS = 2;
const DUMP_EXTRA_SECONDS = 2;

interface Window {
  downtime: number;
  stop: number;
  dump: number;
  start: number;
}

function between(events: SimEvent[], fromIdx: number, a: string, b: string): [number, number] {
  const i = events.findIndex((e, k) => k >= fromIdx && e.event === a && (e as { accepted?: boolean }).accepted !== false);
  const j = events.findIndex((e, k) => k > i && e.event === b);
  if (i < 0 || j < 0) throw new Error(`events ${a} → ${b} not found`);
  return [events[i].ts, events[j].ts];
}

function measureWindow(root: string, fromIdx: number): Window {
  const ev = readEvents(root);
  const [stopReq, stopped] = between(ev, fromIdx, 'stop-requested', 'stopped');
  const [dumpStart, dumpEnd] = between(ev, fromIdx, 'dump-started', 'dump-finished');
  const [startReq, running] = between(ev, fromIdx, 'start-requested', 'running');
  return { downtime: (running - stopReq) / 1000, stop: (stopped - stopReq) / 1000, dump: (dumpEnd - dumpStart) / 1000, start: (running - startReq) / 1000 };
}

function runOurs(configPath: string): Promise<{ exitCode: number | null; manifestDowntime: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'Invoke-AlteryxBackup'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('close', (code) => {
      const result = out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; data?: { DowntimeSeconds?: number } }).find((l) => l.type === 'result');
      resolve({ exitCode: code, manifestDowntime: result?.data?.DowntimeSeconds ?? null });
    });
    child.stdin.end(JSON.stringify({ command: 'Invoke-AlteryxBackup', configPath, parameters: { BackupMode: 'Full' }, secrets: {} }));
  });
}

async function waitState(root: string, want: string, pollMs: number): Promise<void> {
  while (readServiceRecord(root).state !== want) await new Promise((r) => setTimeout(r, pollMs));
}

/** What the batch files we replace do: everything while the service is down. */
async function runBatchFileStyle(root: string): Promise<void> {
  const exe = path.join(root, 'Program Files', 'Alteryx', 'bin', 'AlteryxService');
  const out = path.join(root, 'temp', 'batch-dump');
  fs.rmSync(out, { recursive: true, force: true });
  requestStop(root);
  await waitState(root, 'Stopped', 5000);
  const dump = spawnSync(exe, [`emongodump=${out}`], { stdio: 'ignore' });
  if (dump.status !== 0) throw new Error('batch-style emongodump failed');
  const zipFile = path.join(root, 'temp', 'batch-backup.zip');
  fs.rmSync(zipFile, { force: true });
  spawnSync('zip', ['-6', '-r', '-q', zipFile, '.'], { cwd: out, stdio: 'ignore' });
  requestStart(root);
  await waitState(root, 'Running', 5000);
}

export const downtimeBench: BenchSection = {
  name: 'downtime',
  async run(ctx: BenchContext): Promise<void> {
    const lines: string[] = [];
    const sizes = ctx.sizesMB.map((s) => Math.max(20, Math.round(s / 10)));
    for (const dbMB of [...new Set(sizes)]) {
      const dir = fs.mkdtempSync(path.join(ctx.root, `downtime-${dbMB}-`));
      const root = path.join(dir, 'host');
      try {
        const configPath = await createHost(root, { variant: 'embedded', dbMegabytes: dbMB, seed: 'bench-downtime' });
        writeFaults(root, { stopSeconds: STOP_SECONDS, startSeconds: START_SECONDS, dumpSeconds: DUMP_EXTRA_SECONDS });
        const before = readEvents(root).length;
        const ours = await runOurs(configPath);
        if (ours.exitCode !== 0) throw new Error(`backup failed with exit ${ours.exitCode}`);
        const w = measureWindow(root, before);
        const floor = w.stop + w.dump + w.start;
        const beforeBatch = readEvents(root).length;
        await runBatchFileStyle(root);
        const b = measureWindow(root, beforeBatch);
        lines.push(
          `| ${dbMB} MB | ${w.stop.toFixed(2)} + ${w.dump.toFixed(2)} + ${w.start.toFixed(2)} = ${floor.toFixed(2)} s | ${w.downtime.toFixed(2)} s (manifest ${ours.manifestDowntime?.toFixed(2) ?? '?'} s) | **${(w.downtime - floor).toFixed(2)} s** | ${b.downtime.toFixed(2)} s | ${(b.downtime - floor).toFixed(2)} s |`,
        );
      } finally {
        destroyHost(root);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    const table = [
      `Simulated service: stop ${STOP_SECONDS} s, start ${START_SECONDS} s, dump +${DUMP_EXTRA_SECONDS} s. Downtime = accepted stop → Running, as the simulated service recorded it. Target: overhead < 2 s.`,
      '',
      '| DB size | stop + dump + start (sim) | AlteryxBackup downtime | overhead | batch-file style downtime (5 s polls, zip while stopped) | its overhead |',
      '|---|---|---|---|---|---|',
      ...lines,
    ].join('\n');
    ctx.log(table);
    fs.writeFileSync(path.join(ctx.root, 'results-downtime.md'), table + '\n');
  },
};
