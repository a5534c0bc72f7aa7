import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadConfig } from '../../../src/config/load-config';
import { describePlan } from '../../../src/backup/run-backup';
import { describeWhatIf } from '../../../src/backup/what-if-plan';

// Issue 16: the steps -WhatIf passes to ShouldProcess, per mode and MongoDB type.
const simCli = path.join(__dirname, '..', '..', '..', 'src', 'sim', 'sim-cli.js');
let dir = '';
let configPath = '';

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ab-whatif-'));
  const out = execFileSync(process.execPath, [simCli, 'create', path.join(dir, 'host'), '--variant', 'self-managed', '--no-start'], { encoding: 'utf8' });
  configPath = out.trim().split('\n').pop()!.trim();
});

after(() => {
  execFileSync(process.execPath, [simCli, 'destroy', path.join(dir, 'host')]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('self-managed DatabaseOnly without StopServiceForExternalDB: no service step, a dump of unknown size, no file copies', async () => {
  const config = loadConfig(configPath, { BackupMode: 'DatabaseOnly' }, {});
  const plan = describePlan(config, 'self-managed', 'HOST1');
  const w = await describeWhatIf({ config, plan, mongoType: 'self-managed', localHostname: 'HOST1', now: new Date(2026, 0, 2, 3, 4, 5) });
  assert.deepEqual(w.StopOrder, []);
  assert.equal(w.Steps.some((s) => s.Phase === 'StopService' || s.Phase === 'StartService' || s.Phase === 'BackupFiles'), false);
  assert.equal(w.MongoDB?.Type, 'self-managed');
  assert.equal(w.MongoDB?.ExpectedSizeMB, null);
  assert.match(w.MongoDB!.SizeSource, /does not connect/);
  assert.equal(w.ArchiveName, 'ServerBackup_DB_20260102_030405.zip');
  assert.deepEqual(
    w.Steps.map((s) => s.Order),
    w.Steps.map((_, i) => i + 1),
  );
  assert.equal(w.Steps.filter((s) => s.Confirm).length, 0);
});

test('self-managed with StopServiceForExternalDB: the single node is stopped (asks -Confirm) and started, by hostname', async () => {
  const config = loadConfig(configPath, { BackupMode: 'DatabaseOnly', StopServiceForExternalDB: true }, {});
  const plan = describePlan(config, 'self-managed', 'HOST1');
  const w = await describeWhatIf({ config, plan, mongoType: 'self-managed', localHostname: 'HOST1' });
  const service = w.Steps.filter((s) => s.Phase === 'StopService' || s.Phase === 'StartService').map((s) => `${s.Action} ${s.Target} ${s.Confirm}`);
  assert.deepEqual(service, ['Stop AlteryxService HOST1 true', 'Start AlteryxService HOST1 false']);
});

test('ConfigOnly: files and controller exports, no dump, and nothing written while planning', async () => {
  const config = loadConfig(configPath, { BackupMode: 'ConfigOnly' }, {});
  const before = fs.readdirSync(config.TempDirectory).length;
  const plan = describePlan(config, 'embedded', 'HOST1');
  const w = await describeWhatIf({ config, plan, mongoType: 'embedded', localHostname: 'HOST1' });
  assert.equal(w.MongoDB, null);
  assert.ok(w.Files.some((f) => f.endsWith('RuntimeSettings.xml')));
  assert.ok(w.Steps.some((s) => s.Action === 'Export the controller token'));
  assert.equal(fs.readdirSync(config.TempDirectory).length, before);
});
