import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MINIMUM_NODE_MAJOR, nodeTooOldMessage, refusedByNodeVersion } from '../../../src/cli/node-version-guard';

const MAIN = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');

describe('node version guard (the core refuses an old node itself)', () => {
  it('refuses majors below the tested one and accepts it and newer', () => {
    // One minimum in three places: package.json engines, the bridge's $script:MinimumNodeMajor, and here.
    const root = path.join(__dirname, '..', '..', '..', '..');
    const engines = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    assert.equal(Number(/(\d+)/.exec(engines)?.[1]), MINIMUM_NODE_MAJOR, `package.json engines ${engines}`);
    const psm1 = fs.readFileSync(path.join(root, 'ps-module', 'AlteryxBackup', 'AlteryxBackup.psm1'), 'utf8');
    assert.equal(Number(/\$script:MinimumNodeMajor = (\d+)/.exec(psm1)?.[1]), MINIMUM_NODE_MAJOR, 'AlteryxBackup.psm1 $script:MinimumNodeMajor');
    assert.match(nodeTooOldMessage('v20.11.1', '/x/node') ?? '', /^Node\.js v20\.11\.1 at '\/x\/node' .* older than Node\.js 24, the version AlteryxBackup is tested on/);
    assert.ok(nodeTooOldMessage('23.99.0', 'n'));
    assert.equal(nodeTooOldMessage('24.0.0', 'n'), undefined);
    assert.equal(nodeTooOldMessage('v26.1.0', 'n'), undefined);
    assert.equal(refusedByNodeVersion, false, 'this test runs on the pinned node');
  });

  it('a real Node.js 20 running main.js gets one NODE_TOO_OLD result line and exit code 1, and reads no request', { skip: !oldSystemNode() && 'no Node.js 14-23 at /usr/bin/node' }, () => {
    const r = spawnSync('/usr/bin/node', [MAIN, 'Invoke-AlteryxBackup'], { input: '{"command":"Invoke-AlteryxBackup","configPath":"/nonexistent/cfg.json","parameters":{"BackupMode":"Full"},"secrets":{},"whatIf":false}', encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    const result = JSON.parse(lines[0]!) as { type: string; exitCode: number; error: { code: string; message: string } };
    assert.equal(result.type, 'result');
    assert.equal(result.exitCode, 1);
    assert.equal(result.error.code, 'NODE_TOO_OLD');
    // Had it gone on, the missing configuration would have been the error (CONFIG_NOT_FOUND, exit 3).
    assert.doesNotMatch(r.stdout, /nonexistent/);
  });
});

function oldSystemNode(): boolean {
  if (!fs.existsSync('/usr/bin/node')) return false;
  const v = spawnSync('/usr/bin/node', ['--version'], { encoding: 'utf8' }).stdout.trim();
  return /^v(1[4-9]|2[0-3])\./.test(v);
}
