import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createHost, tempHostDir } from '../sim/host-builder';
import { destroyHost } from '../sim/sim-processes';

/**
 * `npm run demo`: builds a simulated Alteryx host in a temporary folder and
 * runs a real Full backup on it through the same node entry point the
 * PowerShell module uses, then prints the summary and where things are.
 */
async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'Full';
  const dir = tempHostDir('alteryx-demo-');
  console.log(`Creating a simulated Alteryx Server in ${dir} ...`);
  const configPath = await createHost(dir, { variant: 'embedded', dbMegabytes: 20, seed: 'demo' });
  console.log(`Configuration: ${configPath}`);
  console.log(`Running Invoke-AlteryxBackup -BackupMode ${mode} ...\n`);

  const main = path.join(__dirname, '..', 'cli', 'main.js');
  const child = spawn(process.execPath, [main, 'Invoke-AlteryxBackup'], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(JSON.stringify({ command: 'Invoke-AlteryxBackup', configPath, parameters: { BackupMode: mode }, secrets: {}, whatIf: false }));
  let result: { exitCode: number; data: Record<string, unknown> | null; error?: { code: string; message: string } } | undefined;
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
      else if (msg.type === 'result') result = msg as unknown as typeof result;
    }
  });
  const exitCode: number = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));

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
  await destroyHost(dir);
  console.log(`The simulated service was stopped. Files are kept in ${dir}`);
  process.exitCode = exitCode;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
