import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createHost } from '../src/sim/host-builder';
import { destroyHost } from '../src/sim/sim-processes';
import type { BenchContext, BenchSection } from './bench-section';
import { alternate, CLI_MAIN, fmt, loadLine, mb, medianOf, MODULE_PSD1, PWSH, REPO, repeatCount, timed, writeResult, type Run } from './bench-util';
import { ensureDumpDataSet } from './dump-dataset';

/**
 * The archive step at each layer a user can call, side by side with the
 * tools an administrator would otherwise use, in alternating rounds:
 *
 * - core alone: createArchive in a node process of its own (bench/archive-cli.js);
 * - the CLI entry point: `node main.js Compress-BackupArchive`, request on stdin;
 * - the cmdlet: Compress-BackupArchive in pwsh, Import-Module before the
 *   Stopwatch, progress at the session default;
 * - `zip -6 -r`, pwsh `Compress-Archive -CompressionLevel Optimal`, .NET
 *   `ZipFile.CreateFromDirectory` (Optimal).
 *
 * Then Test-BackupIntegrity at the same three layers against `unzip -t`, on
 * one archive the cmdlet wrote. Peak RSS of our steps is the node process's
 * own (bench/rss-probe), so pwsh's memory is not counted as ours.
 */

const CORE_CLI = join(REPO, 'dist', 'bench', 'archive-cli.js');
const RUNNER = join(REPO, 'bench', 'pwsh-runner.ps1');

function pwshStep(label: string, step: string, args: string[], output: string | null, probeMatch?: string): Promise<Run> {
  return timed(label, PWSH, ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', RUNNER, '-Step', step, ...args], { output, innerSeconds: true, probeMatch });
}

function cliRequest(command: string, configPath: string, parameters: Record<string, unknown>): string {
  return JSON.stringify({ command, configPath, parameters, secrets: {}, whatIf: false });
}

function fresh(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The archive a run produced: from the result line (CLI) or the runner's JSON (cmdlet). */
function archiveOf(r: Run): string | null {
  const fromCli = r.json?.data?.ArchivePath ?? r.json?.data?.ArchiveFullPath;
  const p = (typeof fromCli === 'string' ? fromCli : undefined) ?? (typeof r.json?.archive === 'string' ? r.json.archive : undefined);
  return p && existsSync(p) ? p : null;
}

function withSize(r: Run): Run {
  const a = archiveOf(r);
  if (a) r.outputBytes = require('node:fs').statSync(a).size;
  return r;
}

interface SizeResult {
  sizeMB: number;
  text: string;
  cmdletRssMB: number | null;
  summary: string[];
}

async function benchSize(ctx: BenchContext, sizeMB: number, configPath: string): Promise<SizeResult> {
  const data = ensureDumpDataSet(ctx.root, sizeMB, ctx.log);
  const out = fresh(join(ctx.root, `out-${sizeMB}mb`));
  ctx.log(`\n## archive, ${sizeMB} MB set: ${data.dir} (${mb(data.totalBytes)} MB, ${data.files} files)`);
  // Warm the page cache so every tool reads from memory, as each later round does.
  await timed('warm', 'sh', ['-c', 'find . -type f -exec cat {} + > /dev/null'], { cwd: data.dir });
  const rounds = repeatCount();
  const dirs = { core: join(out, 'core'), cli: join(out, 'cli'), cmdlet: join(out, 'cmdlet') };
  const coreName = 'ServerBackup_Full_20261126_080000.zip';
  const zip6 = join(out, 'zip6.zip');
  const ca = join(out, 'compress-archive.zip');
  const net = join(out, 'createfromdirectory.zip');
  const pwsh = existsSync(PWSH);
  const steps: Array<{ label: string; run: () => Promise<Run> }> = [
    {
      label: 'ours: core createArchive (node, incl. verify)',
      run: async () => withSize(await timed('core', process.execPath, [CORE_CLI, 'create', data.dir, fresh(dirs.core), coreName], { output: join(dirs.core, coreName), probeMatch: 'archive-cli.js' })),
    },
    {
      label: 'ours: CLI node main.js Compress-BackupArchive',
      run: async () =>
        withSize(
          await timed('cli', process.execPath, [CLI_MAIN, 'Compress-BackupArchive'], {
            stdin: cliRequest('Compress-BackupArchive', configPath, { SourcePath: data.dir, DestinationPath: fresh(dirs.cli), BackupMode: 'Full' }),
            probeMatch: 'main.js',
          }),
        ),
    },
    { label: 'zip -6 -r', run: () => (rmSync(zip6, { force: true }), timed('zip', 'zip', ['-6', '-r', '-q', zip6, '.'], { cwd: data.dir, output: zip6 })) },
  ];
  if (pwsh) {
    steps.splice(2, 0, {
      label: 'ours: cmdlet Compress-BackupArchive (pwsh)',
      run: async () =>
        withSize(await pwshStep('cmdlet', 'Compress-BackupArchive', ['-Module', MODULE_PSD1, '-ConfigPath', configPath, '-Source', data.dir, '-Destination', fresh(dirs.cmdlet)], null, 'main.js')),
    });
    steps.push(
      { label: 'pwsh Compress-Archive -CompressionLevel Optimal', run: () => (rmSync(ca, { force: true }), pwshStep('ca', 'Compress-Archive', ['-Source', data.dir, '-Destination', ca], ca)) },
      { label: '.NET ZipFile.CreateFromDirectory (Optimal)', run: () => (rmSync(net, { force: true }), pwshStep('net', 'ZipFile.CreateFromDirectory', ['-Source', data.dir, '-Destination', net], net)) },
    );
  }
  const create = await alternate(rounds, steps, ctx.log);
  rmSync(ca, { force: true });
  rmSync(net, { force: true });

  // Integrity, on the archive the cmdlet (or the core) wrote last.
  const lastCmdlet = create.get('ours: cmdlet Compress-BackupArchive (pwsh)')?.map(archiveOf).filter(Boolean).pop();
  const archive = lastCmdlet ?? join(dirs.core, coreName);
  const verifySteps: Array<{ label: string; run: () => Promise<Run> }> = [
    { label: 'ours: core verifyArchive (CRC + SHA256 + manifest)', run: () => timed('core verify', process.execPath, [CORE_CLI, 'verify', archive], { probeMatch: 'archive-cli.js' }) },
    {
      label: 'ours: CLI node main.js Test-BackupIntegrity',
      run: () => timed('cli verify', process.execPath, [CLI_MAIN, 'Test-BackupIntegrity'], { stdin: cliRequest('Test-BackupIntegrity', configPath, { ArchivePath: archive }), probeMatch: 'main.js' }),
    },
    { label: 'unzip -tq (CRC only)', run: () => timed('unzip', 'unzip', ['-tq', archive]) },
  ];
  if (pwsh) {
    verifySteps.splice(2, 0, {
      label: 'ours: cmdlet Test-BackupIntegrity (pwsh)',
      run: () => pwshStep('cmdlet verify', 'Test-BackupIntegrity', ['-Module', MODULE_PSD1, '-ConfigPath', configPath, '-Archive', archive], null, 'main.js'),
    });
  }
  const verify = await alternate(rounds, verifySteps, ctx.log);

  const zipMedian = medianOf(create.get('zip -6 -r')!, (r) => r.seconds);
  const zipBytes = medianOf(create.get('zip -6 -r')!, (r) => r.outputBytes);
  const caMedian = pwsh ? medianOf(create.get('pwsh Compress-Archive -CompressionLevel Optimal')!, (r) => r.seconds) : null;
  const unzipMedian = medianOf(verify.get('unzip -tq (CRC only)')!, (r) => r.seconds);
  const lines: string[] = [];
  lines.push(`### ${sizeMB} MB set (${mb(data.totalBytes)} MB, ${data.files} files), medians of ${rounds} alternating rounds`);
  lines.push('');
  lines.push(`Load: ${loadLine()} at the end of this size.`);
  lines.push('');
  lines.push('| Step | Wall median (s) | min–max (s) | zip -6 time ÷ this | CPU user+sys (s) | Archive (MB) | Size vs zip -6 | Peak RSS (MB) | Load during runs | Failures |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  const row = (label: string, runs: Run[], base: number | null) => {
    const ok = runs.filter((r) => r.ok);
    const w = medianOf(runs, (r) => r.seconds);
    const bytes = medianOf(runs, (r) => r.outputBytes);
    const secs = ok.map((r) => r.seconds);
    lines.push(
      `| ${label} | ${fmt(w)} | ${secs.length ? `${fmt(Math.min(...secs))}–${fmt(Math.max(...secs))}` : 'n/a'} | ${w && base ? `${(base / w).toFixed(2)}×` : 'n/a'} | ${fmt(medianOf(runs, (r) => r.cpuSeconds))} | ${mb(bytes)} | ${
        bytes && zipBytes ? `${((bytes / zipBytes - 1) * 100).toFixed(2)}%` : ''
      } | ${fmt(medianOf(runs, (r) => r.peakRssMB), 0)} | ${fmt(medianOf(runs, (r) => r.load), 1)} | ${runs.filter((r) => !r.ok).map((r) => r.note).join('; ')} |`,
    );
  };
  for (const [label, runs] of create) row(label, runs, zipMedian);
  lines.push('');
  lines.push('| Integrity step | Wall median (s) | min–max (s) | unzip -t time ÷ this | CPU user+sys (s) | | | Peak RSS (MB) | Load during runs | Failures |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const [label, runs] of verify) row(label, runs, unzipMedian);
  lines.push('');

  const cmdlet = create.get('ours: cmdlet Compress-BackupArchive (pwsh)');
  const core = create.get('ours: core createArchive (node, incl. verify)')!;
  const cmdletMedian = cmdlet ? medianOf(cmdlet, (r) => r.seconds) : null;
  const cmdletBytes = cmdlet ? medianOf(cmdlet, (r) => r.outputBytes) : null;
  const cmdletRss = cmdlet ? medianOf(cmdlet, (r) => r.peakRssMB) : null;
  const integrity = verify.get('ours: cmdlet Test-BackupIntegrity (pwsh)');
  const integrityMedian = integrity ? medianOf(integrity, (r) => r.seconds) : null;
  const verifyShare = medianOf(core, (r) => (typeof r.json?.verifySeconds === 'number' ? r.json.verifySeconds : null));
  const coreSeconds = medianOf(core, (r) => (typeof r.json?.seconds === 'number' ? r.json.seconds : null));
  const check = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'met' : 'MISSED');
  const summary = [
    `${sizeMB} MB: Compress-BackupArchive via pwsh ${fmt(cmdletMedian)} s; zip -6 ${fmt(zipMedian)} s → ${cmdletMedian && zipMedian ? (zipMedian / cmdletMedian).toFixed(2) : 'n/a'}× (target ≥ 3×: ${check(cmdletMedian && zipMedian ? zipMedian / cmdletMedian >= 3 : null)})`,
    `${sizeMB} MB: size vs zip -6 ${cmdletBytes && zipBytes ? (cmdletBytes / zipBytes).toFixed(4) : 'n/a'}× (target ≤ 1.02×: ${check(cmdletBytes && zipBytes ? cmdletBytes / zipBytes <= 1.02 : null)})`,
    `${sizeMB} MB: vs pwsh Compress-Archive ${fmt(caMedian)} s → ${cmdletMedian && caMedian ? (caMedian / cmdletMedian).toFixed(2) : 'n/a'}× (target ≥ 4×: ${check(cmdletMedian && caMedian ? caMedian / cmdletMedian >= 4 : null)})`,
    `${sizeMB} MB: Test-BackupIntegrity via pwsh ${fmt(integrityMedian)} s; unzip -t ${fmt(unzipMedian)} s → ${integrityMedian && unzipMedian ? (unzipMedian / integrityMedian).toFixed(2) : 'n/a'}× (target ≥ 1.5×: ${check(integrityMedian && unzipMedian ? unzipMedian / integrityMedian >= 1.5 : null)})`,
    `${sizeMB} MB: archive step peak RSS (the cmdlet's node) ${fmt(cmdletRss, 0)} MB (target < 256 MB: ${check(cmdletRss === null ? null : cmdletRss < 256)})`,
  ];
  lines.push(...summary.map((s) => `- ${s}`));
  lines.push(
    `- Reads of the data in the archive step: (1) each source file once, compressed and hashed in the same read (the manifest's SHA256 come from it; ` +
      `the standalone cmdlet passes them to the manifest, no separate hashing pass); (2) one re-read of the written archive after fsync: every entry inflated, ` +
      `its CRC and SHA256 checked against the manifest, and the whole-file SHA256 for the .sha256 sidecar computed in the same read. Kept: it is the proof that the ` +
      `published file is restorable (ValidationConfiguration.VerifyArchiveIntegrity), and it costs ${fmt(verifyShare)} s of the core's ${fmt(coreSeconds)} s here.`,
  );
  lines.push('');
  return { sizeMB, text: lines.join('\n'), cmdletRssMB: cmdletRss, summary };
}

export const archiveBench: BenchSection = {
  name: 'archive',
  async run(ctx: BenchContext): Promise<void> {
    const parts = [
      '# Archive benchmark: each layer next to zip, Compress-Archive and .NET',
      '',
      `Run ${new Date().toISOString()} on ${require('node:os').cpus().length} cores, Node ${process.version}. ${loadLine()} at the start. ` +
        'Every step runs on a warm page cache. Wall times of pwsh steps are a Stopwatch inside pwsh after Import-Module (pwsh start-up not counted, for ours and theirs alike); ' +
        'node steps are timed from spawn to exit (node start-up counted). Our peak RSS and CPU are the node process\'s own.',
      '',
    ];
    const hostDir = join(ctx.root, `archive-host-${process.pid}`);
    rmSync(hostDir, { recursive: true, force: true });
    const configPath = await createHost(hostDir, { variant: 'embedded', dbMegabytes: 1, seed: 'bench-archive', noStart: true });
    const summaries: string[] = [];
    const rss: Array<[number, number | null]> = [];
    try {
      for (const size of ctx.sizesMB) {
        const r = await benchSize(ctx, size, configPath);
        parts.push(r.text);
        summaries.push(...r.summary);
        rss.push([size, r.cmdletRssMB]);
      }
    } finally {
      destroyHost(hostDir);
      rmSync(hostDir, { recursive: true, force: true });
    }
    if (rss.length >= 2 && rss[0][1] && rss[rss.length - 1][1]) {
      const growth = (rss[rss.length - 1][1]! / rss[0][1]! - 1) * 100;
      const line = `Peak RSS of the archive step from ${rss[0][0]} MB to ${rss[rss.length - 1][0]} MB: ${fmt(rss[0][1], 0)} → ${fmt(rss[rss.length - 1][1], 0)} MB (${growth.toFixed(1)}%; target flat: ${Math.abs(growth) <= 10 ? 'met' : 'MISSED'}).`;
      parts.push(line, '');
      summaries.push(line);
    }
    parts.push('## Targets', '', ...summaries.map((s) => `- ${s}`), '');
    const text = parts.join('\n');
    ctx.log('\n' + text);
    ctx.log(`written to ${writeResult(ctx.root, 'results-archive.md', text)}`);
  },
};
