import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The third-party readers our archives must satisfy, run as real programs. */

export const REPO = resolve(__dirname, '..', '..', '..', '..');
export const PWSH = join(REPO, '.tools', 'pwsh', 'pwsh');

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export const have = {
  unzip: which('unzip'),
  sevenZip: which('7z'),
  python: which('python3'),
  pwsh: existsSync(PWSH),
};

export interface ToolResult {
  ok: boolean;
  output: string;
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, ...env } });
}

export function unzipTest(zip: string): ToolResult {
  const r = run('unzip', ['-tqq', zip]);
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.slice(-2000) };
}

export function sevenZipTest(zip: string): ToolResult {
  const r = run('7z', ['t', zip]);
  return { ok: r.status === 0 && /Everything is Ok/.test(r.stdout), output: `${r.stdout}${r.stderr}`.slice(-2000) };
}

export interface PythonReport {
  bad: string | null;
  count: number;
  names: string[] | null;
  totalSize: number;
}

/** Python's zipfile: testzip() reads every entry and checks its CRC. */
export function pythonTestzip(zip: string, listNames: boolean): PythonReport & { ok: boolean; output: string } {
  const script = [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'bad = z.testzip()',
    'infos = z.infolist()',
    'print(json.dumps({"bad": bad, "count": len(infos), "totalSize": sum(i.file_size for i in infos),',
    '  "names": [i.filename for i in infos] if sys.argv[2] == "1" else None}))',
  ].join('\n');
  const r = run('python3', ['-c', script, zip, listNames ? '1' : '0'], { PYTHONIOENCODING: 'utf-8' });
  if (r.status !== 0) return { ok: false, output: r.stderr.slice(-2000), bad: null, count: 0, names: null, totalSize: 0 };
  const rep = JSON.parse(r.stdout) as PythonReport;
  return { ...rep, ok: rep.bad === null, output: r.stdout.slice(0, 2000) };
}

export interface DotNetReport {
  Count: number;
  TotalLength: number;
  Names: string[] | null;
  Expanded: boolean;
  ExpandError: string | null;
}

/**
 * .NET: `[IO.Compression.ZipFile]::OpenRead` lists the entries (names and
 * lengths), then `Expand-Archive` extracts everything into `expandTo`.
 * Paths go in through the environment so any name survives quoting.
 */
export function dotNetOpenAndExpand(zip: string, expandTo: string, listNames: boolean): DotNetReport & { ok: boolean; output: string } {
  const script = `
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$z = [IO.Compression.ZipFile]::OpenRead($env:ARCHIVE_PATH)
try {
  $count = $z.Entries.Count
  $total = [long]0
  foreach ($e in $z.Entries) { $total += $e.Length }
  $names = $null
  if ($env:LIST_NAMES -eq '1') { $names = @($z.Entries | ForEach-Object { $_.FullName }) }
} finally { $z.Dispose() }
$expanded = $false; $err = $null
try { Expand-Archive -LiteralPath $env:ARCHIVE_PATH -DestinationPath $env:EXPAND_TO; $expanded = $true } catch { $err = $_.Exception.Message }
[Console]::OutputEncoding = [Text.UTF8Encoding]::new($false)
[pscustomobject]@{ Count = $count; TotalLength = $total; Names = $names; Expanded = $expanded; ExpandError = $err } | ConvertTo-Json -Depth 3 -Compress
`;
  const r = run(PWSH, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', script], {
    ARCHIVE_PATH: zip,
    EXPAND_TO: expandTo,
    LIST_NAMES: listNames ? '1' : '0',
  });
  if (r.status !== 0) return { ok: false, output: `${r.stdout}${r.stderr}`.slice(-2000), Count: 0, TotalLength: 0, Names: null, Expanded: false, ExpandError: null };
  const rep = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as DotNetReport;
  return { ...rep, ok: rep.Expanded, output: r.stdout.slice(0, 2000) };
}
