import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createHost } from '../src/sim/host-builder';
import { destroyHost } from '../src/sim/sim-processes';
import type { BenchContext, BenchSection } from './bench-section';
import { alternate, CLI_MAIN, fmt, loadLine, median, medianOf, MODULE_PSD1, PWSH, REPO, repeatCount, timed, writeResult } from './bench-util';

/**
 * Start-up of a light command: Test-AlteryxServiceState on a simulated host
 * (service Running), from a new node process to the result line.
 *
 * 1. From one pwsh session, module already imported, alternating: a bare
 *    `node -e 0`, the CLI entry point, the cmdlet (Measure-Command each).
 * 2. From node, alternating: `node -e 0`, the CLI, and the CLI with the
 *    packages it loaded eagerly before lazy loading preloaded
 *    (bench/eager-preload), to show before and after on the same machine
 *    at the same load.
 */

const RUNNER = join(REPO, 'bench', 'pwsh-runner.ps1');
const EAGER = join(REPO, 'dist', 'bench', 'eager-preload.js');

export const startupBench: BenchSection = {
  name: 'startup',
  async run(ctx: BenchContext): Promise<void> {
    const rounds = Math.max(5, repeatCount());
    const hostDir = join(ctx.root, `startup-host-${process.pid}`);
    rmSync(hostDir, { recursive: true, force: true });
    const configPath = await createHost(hostDir, { variant: 'embedded', dbMegabytes: 1, seed: 'bench-startup' });
    const lines = ['# Start-up: Test-AlteryxServiceState, new process to result line', '', `${loadLine()} at the start.`, ''];
    try {
      const request = JSON.stringify({ command: 'Test-AlteryxServiceState', configPath, parameters: {}, secrets: {}, whatIf: false });
      const fromNode = await alternate(
        rounds,
        [
          { label: 'node -e 0', run: () => timed('node -e 0', process.execPath, ['-e', '0']) },
          { label: 'CLI Test-AlteryxServiceState (lazy loading)', run: () => timed('cli', process.execPath, [CLI_MAIN, 'Test-AlteryxServiceState'], { stdin: request }) },
          {
            label: 'CLI Test-AlteryxServiceState, SDKs + schema compile preloaded (as before)',
            run: () => timed('eager', process.execPath, [CLI_MAIN, 'Test-AlteryxServiceState'], { stdin: request, env: { NODE_OPTIONS: `--require=${EAGER}` } }),
          },
        ],
        ctx.log,
      );
      const base = medianOf(fromNode.get('node -e 0')!, (r) => r.seconds);
      const baseCpu = medianOf(fromNode.get('node -e 0')!, (r) => r.cpuSeconds);
      lines.push(`From node, medians of ${rounds} alternating rounds:`, '', '| Process | Wall (s) | ÷ node -e 0 | CPU user+sys (s) | ÷ node -e 0 CPU | Load during runs |', '|---|---:|---:|---:|---:|---:|');
      for (const [label, runs] of fromNode) {
        const w = medianOf(runs, (r) => r.seconds);
        const c = medianOf(runs, (r) => r.cpuSeconds);
        lines.push(`| ${label} | ${fmt(w)} | ${w && base ? (w / base).toFixed(2) : 'n/a'}× | ${fmt(c)} | ${c && baseCpu ? (c / baseCpu).toFixed(2) : 'n/a'}× | ${fmt(medianOf(runs, (r) => r.load), 1)} |`);
      }
      lines.push('');
      if (existsSync(PWSH)) {
        const r = await timed('pwsh startup', PWSH, ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', RUNNER, '-Step', 'Startup', '-Module', MODULE_PSD1, '-ConfigPath', configPath, '-CoreMain', CLI_MAIN, '-Rounds', String(rounds)], { innerSeconds: true });
        const rows = ((r.json?.rows ?? []) as Array<{ node: number; cli: number; cmdlet: number; load: number }>);
        if (!r.ok || rows.length === 0) lines.push(`pwsh session: FAILED ${r.note}`, '');
        else {
          const n = median(rows.map((x) => x.node));
          const c = median(rows.map((x) => x.cli));
          const m = median(rows.map((x) => x.cmdlet));
          lines.push(
            `From one pwsh session (module imported, Measure-Command), medians of ${rows.length} alternating rounds, load ${fmt(median(rows.map((x) => x.load)), 1)}:`,
            '',
            '| Command | Wall (s) | ÷ node -e 0 |',
            '|---|---:|---:|',
            `| & node -e 0 | ${fmt(n)} | 1.00× |`,
            `| $request \\| & node main.js Test-AlteryxServiceState | ${fmt(c)} | ${(c / n).toFixed(2)}× |`,
            `| Test-AlteryxServiceState (cmdlet) | ${fmt(m)} | ${(m / n).toFixed(2)}× |`,
            '',
            `Target: the cmdlet at most 2× a bare node -e 0 from the same session: ${(m / n).toFixed(2)}× (${m / n <= 2 ? 'met' : `MISSED by ${((m / n / 2 - 1) * 100).toFixed(0)}%`}).`,
            '',
            `The session's first call (PowerShell compiles the bridge and result shaping; what a scheduled task, one call per new pwsh, pays): ${fmt(Number(r.json?.firstCall ?? NaN))} s, one sample.`,
            '',
          );
          for (const x of rows) ctx.log(`  pwsh: node -e 0 ${fmt(x.node)} s, CLI ${fmt(x.cli)} s, cmdlet ${fmt(x.cmdlet)} s, load ${fmt(x.load, 1)}`);
        }
      }
    } finally {
      destroyHost(hostDir);
      rmSync(hostDir, { recursive: true, force: true });
    }
    const text = lines.join('\n');
    ctx.log('\n' + text);
    ctx.log(`written to ${writeResult(ctx.root, 'results-startup.md', text)}`);
  },
};
