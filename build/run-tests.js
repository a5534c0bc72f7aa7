#!/usr/bin/env node
// Runs both test suites and prints one closing line CI can read:
//   "N passed, N failed, N skipped"
// 1. node:test over the compiled suites (an explicit file list, independent of --test globbing);
// 2. Pester 5.9.1 on the project-local pwsh 7.6.9 (build/install-tools.sh installs both).
// TEST_ONLY=node or TEST_ONLY=pester runs one suite. Exits non-zero if any test
// failed or a runner crashed. Plain CommonJS, no dependencies.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const only = (process.env.TEST_ONLY || '').trim().toLowerCase();
if (only && only !== 'node' && only !== 'pester') {
  console.error(`[run-tests] TEST_ONLY must be 'node' or 'pester', not '${only}'`);
  process.exit(2);
}

function stripAnsi(text) {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '');
}

function findFiles(dir, predicate, out = []) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') continue;
      findFiles(full, predicate, out);
    } else if (entry.isFile() && predicate(entry.name)) {
      out.push(full);
    }
  }
  return out;
}

/** Runs a child, streaming its output live, and resolves with its exit code and the captured text. */
function run(command, args, options = {}) {
  return new Promise((resolve) => {
    let captured = '';
    let child;
    try {
      child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    } catch (err) {
      resolve({ code: -1, output: '', error: err });
      return;
    }
    const onData = (target) => (chunk) => {
      target.write(chunk);
      captured += chunk.toString('utf8');
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('error', (err) => resolve({ code: -1, output: captured, error: err }));
    child.on('close', (code, signal) => resolve({ code: code === null ? -1 : code, signal, output: captured }));
  });
}

function lastCount(text, label) {
  const re = new RegExp(`^\\s*ℹ ${label} (\\d+)\\s*$`, 'gm');
  let match;
  let value;
  while ((match = re.exec(text)) !== null) value = Number(match[1]);
  return value;
}

async function runNodeSuite() {
  const files = [
    ...findFiles(path.join(root, 'dist', 'test'), (n) => n.endsWith('.test.js')),
    ...findFiles(path.join(root, 'dist', 'src'), (n) => n.endsWith('.test.js')),
  ].sort();
  console.log(`\n[run-tests] node:test: ${files.length} file(s)`);
  if (files.length === 0) {
    console.log('[run-tests] no compiled node tests found (run "npm run build" first)');
    return { name: 'node', passed: 0, failed: 0, skipped: 0, crashed: false };
  }
  const args = ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files.map((f) => path.relative(root, f))];
  const res = await run(process.execPath, args);
  const text = stripAnsi(res.output);
  const pass = lastCount(text, 'pass');
  const fail = lastCount(text, 'fail');
  const cancelled = lastCount(text, 'cancelled') || 0;
  const skipped = (lastCount(text, 'skipped') || 0) + (lastCount(text, 'todo') || 0);
  const summary = {
    name: 'node',
    passed: pass || 0,
    failed: (fail || 0) + cancelled,
    skipped,
    crashed: false,
  };
  if (pass === undefined || fail === undefined) {
    summary.crashed = true;
    console.error(`[run-tests] node:test printed no summary (exit code ${res.code}${res.error ? `, ${res.error.message}` : ''})`);
  } else if (res.code !== 0 && summary.failed === 0) {
    summary.crashed = true;
    console.error(`[run-tests] node:test exited with code ${res.code} although no test failed`);
  }
  return summary;
}

function findPester() {
  const candidates = findFiles(path.join(root, '.tools', 'pester'), (n) => n === 'Pester.psd1').filter((p) =>
    p.split(path.sep).includes('5.9.1'),
  );
  return candidates[0];
}

function psQuote(text) {
  return `'${text.replace(/'/g, "''")}'`;
}

async function runPesterSuite() {
  const pwshName = process.platform === 'win32' ? 'pwsh.exe' : 'pwsh';
  const pwsh = path.join(root, '.tools', 'pwsh', pwshName);
  const pester = findPester();
  console.log('\n[run-tests] Pester');
  if (!fs.existsSync(pwsh) || !pester) {
    console.error(`[run-tests] pwsh (${pwsh}) or Pester 5.9.1 is missing; run "bash build/install-tools.sh"`);
    return { name: 'pester', passed: 0, failed: 0, skipped: 0, crashed: true };
  }
  const renderMode = process.stdout.isTTY ? 'Auto' : 'Plaintext';
  const script = [
    "$ErrorActionPreference = 'Stop'",
    "$ProgressPreference = 'SilentlyContinue'",
    `Import-Module ${psQuote(pester)} -Force`,
    '$config = New-PesterConfiguration',
    `$config.Run.Path = ${psQuote(path.join(root, 'test', 'pester'))}`,
    '$config.Run.PassThru = $true',
    '$config.Run.Exit = $false',
    "$config.Output.Verbosity = 'Detailed'",
    `$config.Output.RenderMode = '${renderMode}'`,
    '$result = Invoke-Pester -Configuration $config',
    '$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount',
    "$counts = [ordered]@{ passed = $result.PassedCount; failed = $failed; skipped = $result.SkippedCount }",
    "[Console]::Out.WriteLine('PESTER_RESULT ' + (ConvertTo-Json -InputObject $counts -Compress -Depth 3))",
  ].join('\n');
  const res = await run(pwsh, ['-NoProfile', '-NonInteractive', '-Command', script]);
  const lines = stripAnsi(res.output).split(/\r?\n/).filter((l) => l.startsWith('PESTER_RESULT '));
  if (lines.length === 0) {
    console.error(`[run-tests] Pester printed no result (exit code ${res.code}${res.error ? `, ${res.error.message}` : ''})`);
    return { name: 'pester', passed: 0, failed: 0, skipped: 0, crashed: true };
  }
  let counts;
  try {
    counts = JSON.parse(lines[lines.length - 1].slice('PESTER_RESULT '.length));
  } catch (err) {
    console.error(`[run-tests] unreadable Pester result: ${err.message}`);
    return { name: 'pester', passed: 0, failed: 0, skipped: 0, crashed: true };
  }
  return {
    name: 'pester',
    passed: Number(counts.passed) || 0,
    failed: Number(counts.failed) || 0,
    skipped: Number(counts.skipped) || 0,
    crashed: res.code !== 0,
  };
}

async function main() {
  const results = [];
  if (only !== 'pester') results.push(await runNodeSuite());
  if (only !== 'node') results.push(await runPesterSuite());

  console.log('');
  for (const r of results) {
    console.log(
      `[run-tests] ${r.name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped${r.crashed ? ' (runner crashed)' : ''}`,
    );
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  const skipped = results.reduce((n, r) => n + r.skipped, 0);
  const crashed = results.some((r) => r.crashed);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exitCode = failed > 0 || crashed ? 1 : 0;
}

main().catch((err) => {
  console.error(`[run-tests] ${err && err.stack ? err.stack : err}`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
