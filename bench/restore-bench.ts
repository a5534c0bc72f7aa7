import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extractArchive } from '../src/restore/extract-archive';
import { readManifestFromArchive } from '../src/backup/read-manifest';
import { createHost } from '../src/sim/host-builder';
import { hostPaths } from '../src/sim/host-layout';
import { forceState } from '../src/sim/service-control';
import { destroyHost } from '../src/sim/sim-processes';
import type { BenchContext, BenchSection } from './bench-section';
import { loadLine, writeResult } from './bench-util';

/**
 * Restore time and downtime of Restore-AlteryxBackup for a Full backup of
 * N MB on the simulated host, against emongorestore alone on the same dump
 * (the floor any restore has to pay). Kept in its own file: other sections
 * belong to the speed work.
 */

const CLI = path.join(__dirname, '..', 'src', 'cli', 'main.js');

function core(command: string, configPath: string, parameters: Record<string, unknown>): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, command], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('close', () => {
      const line = out.split('\n').filter((l) => l.includes('"type":"result"')).pop();
      resolve(line ? JSON.parse(line) : undefined);
    });
    child.stdin.end(JSON.stringify({ command, configPath, parameters, secrets: {}, whatIf: false }));
  });
}

export const restoreBench: BenchSection = {
  name: 'restore',
  async run(ctx: BenchContext): Promise<void> {
    const rows: string[] = ['| Size | emongorestore alone | Restore-AlteryxBackup total | downtime | downtime over emongorestore |', '|---|---|---|---|---|'];
    for (const mb of ctx.sizesMB) {
      const base = path.join(ctx.root, `restore-${mb}`);
      fs.rmSync(base, { recursive: true, force: true });
      fs.mkdirSync(base, { recursive: true });
      const a = path.join(base, 'a');
      const b = path.join(base, 'b');
      try {
        ctx.log(`restore ${mb} MB: creating hosts; ${loadLine()}`);
        const configA = await createHost(a, { variant: 'embedded', dbMegabytes: mb, seed: 'bench-restore-a' });
        const configB = await createHost(b, { variant: 'embedded', dbMegabytes: 1, seed: 'bench-restore-b' });
        const backup = await core('Invoke-AlteryxBackup', configA, { BackupMode: 'Full' });
        const archive = backup?.data?.ArchivePath as string;
        if (!archive) throw new Error(`backup failed: ${JSON.stringify(backup?.error)}`);

        // emongorestore alone, on the extracted dump, into an empty folder of a stopped host.
        const manifest = await readManifestFromArchive(archive);
        const dumpRoot = path.join(base, 'extracted');
        await extractArchive(archive, dumpRoot, new Map((manifest.ArchiveEntries as { Path: string; SHA256: string }[]).map((e) => [e.Path, e.SHA256])));
        await forceState(b, 'Stopped');
        const target = path.join(base, 'alone-target');
        const t0 = Date.now();
        const r = spawnSync(hostPaths(b).alteryxServiceShim, [`emongorestore=${path.join(dumpRoot, 'MongoDB')},${target}`], { encoding: 'utf8' });
        const alone = (Date.now() - t0) / 1000;
        if (r.status !== 0) throw new Error(`emongorestore failed: ${r.stdout}${r.stderr}`);
        fs.rmSync(target, { recursive: true, force: true });
        fs.rmSync(dumpRoot, { recursive: true, force: true });
        spawnSync(process.execPath, [path.join(__dirname, '..', 'src', 'sim', 'sim-cli.js'), 'start', b], { encoding: 'utf8' });

        const t1 = Date.now();
        const res = await core('Restore-AlteryxBackup', configB, { ArchivePath: archive });
        const total = (Date.now() - t1) / 1000;
        if (res?.exitCode !== 0) throw new Error(`restore failed: ${JSON.stringify(res?.error)}`);
        const down = res.data.DowntimeSeconds as number;
        ctx.log(`restore ${mb} MB: emongorestore alone ${alone.toFixed(1)} s; Restore-AlteryxBackup ${total.toFixed(1)} s, downtime ${down.toFixed(1)} s (${res.data.DocumentsRestored} documents); ${loadLine()}`);
        rows.push(`| ${mb} MB | ${alone.toFixed(1)} s | ${total.toFixed(1)} s | ${down.toFixed(1)} s | ${down - alone >= 0 ? "+" : ""}${(down - alone).toFixed(1)} s |`);
      } finally {
        for (const h of [a, b]) if (fs.existsSync(path.join(h, 'sim', 'host.json'))) await destroyHost(h);
        fs.rmSync(base, { recursive: true, force: true });
      }
    }
    const file = writeResult(ctx.root, 'restore', rows.join('\n') + '\n');
    ctx.log(rows.join('\n'));
    ctx.log(`written to ${file}`);
  },
};
