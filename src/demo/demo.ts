import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createHost, tempHostDir } from '../sim/host-builder';
import { destroyHost } from '../sim/sim-processes';

/**
 * `npm run demo`: builds a simulated Alteryx host in a temporary folder and
 * runs a real Full backup on it through the same node entry point the
 * PowerShell module uses, then prints the summary and where things are. It
 * ends with the round trip: a second simulated host (other data, other
 * paths, other token) is restored from that backup and verified.
 */

interface CliOutcome {
  exitCode: number;
  result: { exitCode: number; data: Record<string, unknown> | null; error?: { code: string; message: string } } | undefined;
}

function runCore(command: string, configPath: string, parameters: Record<string, unknown>): Promise<CliOutcome> {
  const main = path.join(__dirname, '..', 'cli', 'main.js');
  const child = spawn(process.execPath, [main, command], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(JSON.stringify({ command, configPath, parameters, secrets: {}, whatIf: false }));
  let result: CliOutcome['result'];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.trim()) continue;
      const msg = JSON.parse(line) as { type: string; level?: string; message?: string; timestamp?: string };
      if (msg.type === 'log' && msg.level !== 'DEBUG') console.log(`${msg.timestamp} [${msg.level}] ${msg.message}`);
      else if (msg.type === 'warning') console.log(`WARNING: ${msg.message}`);
      else if (msg.type === 'result') result = msg as unknown as CliOutcome['result'];
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ exitCode: code ?? 1, result })));
}

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'Full';
  const dir = tempHostDir('alteryx-demo-');
  const second = tempHostDir('alteryx-demo-restore-');
  console.log(`Creating a simulated Alteryx Server in ${dir} ...`);
  const configPath = await createHost(dir, { variant: 'embedded', dbMegabytes: 20, seed: 'demo' });
  console.log(`Configuration: ${configPath}`);
  console.log(`Running Invoke-AlteryxBackup -BackupMode ${mode} ...\n`);

  const { exitCode, result } = await runCore('Invoke-AlteryxBackup', configPath, { BackupMode: mode });

  console.log('\n=== Summary ===');
  if (result?.data) {
    const s = result.data;
    for (const key of ['Status', 'ExitCode', 'BackupMode', 'ArchivePath', 'ArchiveSHA256', 'ArchiveSizeMB', 'CompressionRatio', 'DurationFormatted', 'DowntimeSeconds', 'LogPath']) {
      console.log(`${key.padEnd(18)}: ${String(s[key])}`);
    }
    const warnings = (s.Warnings as string[] | undefined) ?? [];
    console.log(`${'Warnings'.padEnd(18)}: ${warnings.length}`);
    if (typeof s.ArchivePath === 'string') console.log(`${'Sidecar'.padEnd(18)}: ${s.ArchivePath}.sha256`);
  }
  if (result?.error) console.log(`Error (${result.error.code}): ${result.error.message}`);
  console.log(`\nExit code: ${exitCode}`);

  let finalCode = exitCode;
  const archivePath = result?.data?.ArchivePath;
  if (exitCode === 0 && typeof archivePath === 'string') {
    console.log(`\n=== Round trip: restore onto a second simulated server (other data, paths and token) in ${second} ===\n`);
    const configB = await createHost(second, { variant: 'embedded', dbMegabytes: 5, seed: 'demo-second-host', hostname: 'ALTERYX-SIM-02' });
    console.log(`Running Restore-AlteryxBackup -ArchivePath ${archivePath} -AllowNewHost ...\n`);
    const restore = await runCore('Restore-AlteryxBackup', configB, { ArchivePath: archivePath, AllowNewHost: true });
    const r = restore.result?.data as Record<string, any> | null | undefined;
    console.log('\n=== Restore ===');
    if (r) {
      for (const key of ['Status', 'ExitCode', 'RestoreMode', 'SourceHost', 'Host', 'SafetyCopyPath', 'DowntimeSeconds', 'DurationSeconds', 'LogPath']) console.log(`${key.padEnd(18)}: ${String(r[key])}`);
    }
    if (restore.exitCode === 0 && r) {
      const files = (r.Files as { Verified: boolean | null }[]).filter((f) => f.Verified === true).length;
      console.log(
        `\nrestored and verified: ${r.DocumentsRestored}/${r.DocumentsExpected} documents in ${(r.Collections as unknown[]).length} collections, ` +
          `${files} files, the controller token; AlteryxService Running on ${r.Host}.`,
      );
    } else {
      console.log(`Restore failed (${restore.result?.error?.code ?? 'no result'}): ${restore.result?.error?.message ?? ''}`);
      finalCode = restore.exitCode;
    }
    await destroyHost(second);
  }
  await destroyHost(dir);
  console.log(`\nThe simulated services were stopped. Files are kept in ${dir} and ${second}`);
  process.exitCode = finalCode;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
