import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHost, destroyHost, hostJson } from './backup-harness';
import { runCli } from '../../helpers/cli-harness';
import { readZip } from '../../helpers/zip-reader';
import { readServiceRecord } from '../../../src/sim/service-control';

/**
 * Self-managed MongoDB through the CLI, against the simulated host's
 * stand-in mongodump. No MongoDB server exists on this machine, so the
 * host's config sets SkipConnectivityCheck: the driver's connectivity
 * check and countDocuments are not exercised here (see the notes).
 */
let root: string;
let configPath: string;
before(async () => {
  ({ root, configPath } = await createHost(['--variant', 'self-managed', '--db-mb', '1']));
});
after(() => destroyHost(root));

function mongodumpRuns(): Array<{ argv: string[]; configFile?: { path: string; existed: boolean; mode: string } }> {
  const file = path.join(root, 'sim', 'mongodump-argv.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

test('Full with self-managed MongoDB: the password reaches mongodump only through a private --config file, and the counts are right', async () => {
  const password: string = hostJson(root).selfManaged.password;
  const before = mongodumpRuns().length;
  const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'Full' }, secrets: { MongoPassword: password } });
  assert.equal(r.exitCode, 0, r.stdout.slice(-2000));
  const runs = mongodumpRuns().slice(before);
  assert.ok(runs.length > 0, 'mongodump ran');
  for (const run of runs) {
    assert.ok(!run.argv.join(' ').includes(password), 'no password on the command line');
    assert.ok(run.configFile?.existed, 'a --config file was passed');
    assert.equal(run.configFile?.mode, '0600');
    assert.ok(!fs.existsSync(run.configFile!.path), 'the --config file is gone afterwards');
  }
  assert.ok(!r.stdout.includes(password));
  const entries = await readZip(r.result!.data.ArchivePath);
  const manifest = JSON.parse(entries.get('BackupManifest.json')!.toString('utf8'));
  assert.equal(manifest.MongoDBInformation.DeploymentType, 'self-managed');
  assert.ok([...entries.keys()].some((n) => /^MongoDB\/.+\.bson\.gz$/.test(n)), 'gzipped collections');
  const catalog = JSON.parse(fs.readFileSync(path.join(root, 'mongodb-server', 'data', 'sim-catalog.json'), 'utf8'));
  for (const db of manifest.MongoDBInformation.Databases) {
    for (const c of db.Collections) assert.equal(c.Documents, catalog.databases[db.Name][c.Name].documents, `${db.Name}.${c.Name}`);
  }
  // StopServiceForExternalDB is false: the service was never stopped.
  assert.equal(manifest.ServiceInformation.StoppedByBackup, false);
  assert.equal(readServiceRecord(root).state, 'Running');
});

test('-WhatIf reads RuntimeSettings.xml for Type=auto and plans no service stop for self-managed MongoDB', async () => {
  const copy = path.join(path.dirname(configPath), 'backup-config.auto.json');
  const cfg = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  cfg.MongoDBConfiguration.Type = 'auto';
  fs.writeFileSync(copy, JSON.stringify(cfg));
  try {
    const r = await runCli('Invoke-AlteryxBackup', { configPath: copy, parameters: { BackupMode: 'Full' }, whatIf: true });
    assert.equal(r.exitCode, 0, r.stdout);
    const stop = r.result!.data.Plan.find((p: { phase: string }) => p.phase === 'StopService');
    assert.equal(stop.run, false, JSON.stringify(stop));
    assert.match(stop.reason, /self-managed/);
  } finally {
    fs.rmSync(copy, { force: true });
  }
});

test('self-managed with a wrong password: exit 5, no archive, service untouched', async () => {
  const local = path.join(root, 'backups', 'local');
  const beforeFiles = fs.readdirSync(local).sort();
  const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'DatabaseOnly' }, secrets: { MongoPassword: 'definitely-wrong' } });
  assert.equal(r.exitCode, 5, r.stdout.slice(-2000));
  assert.deepEqual(fs.readdirSync(local).sort(), beforeFiles);
  assert.equal(readServiceRecord(root).state, 'Running');
});
