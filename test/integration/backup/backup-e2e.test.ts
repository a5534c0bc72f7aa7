import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHost, destroyHost, hostJson, readEventsOf } from './backup-harness';
import { runCli } from '../../helpers/cli-harness';
import { readZip } from '../../helpers/zip-reader';
import { listTree } from '../../helpers/temp-dir';
import { readServiceRecord } from '../../../src/sim/service-control';

let root: string;
let configPath: string;
before(async () => {
  ({ root, configPath } = await createHost(['--db-mb', '2']));
});
after(() => destroyHost(root));

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

async function assertArchiveMatchesManifest(archivePath: string) {
  const entries = await readZip(archivePath);
  const manifest = JSON.parse(entries.get('BackupManifest.json')!.toString('utf8'));
  const listed = new Map<string, string>(manifest.ArchiveEntries.map((e: { Path: string; SHA256: string }) => [e.Path, e.SHA256]));
  for (const [name, data] of entries) {
    if (name === 'BackupManifest.json' || name.endsWith('/')) continue;
    assert.equal(listed.get(name), sha(data), `manifest SHA256 of ${name}`);
  }
  assert.equal(listed.size, [...entries.keys()].filter((n) => n !== 'BackupManifest.json' && !n.endsWith('/')).length);
  const sidecar = fs.readFileSync(archivePath + '.sha256', 'utf8');
  assert.equal(sidecar, `${sha(fs.readFileSync(archivePath))}  ${path.basename(archivePath)}\n`);
  return { entries, manifest };
}

test('ConfigOnly: archive, sidecar and log; every file hashed in the manifest; the service is never touched', async () => {
  const eventsBefore = readEventsOf(root).length;
  const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'ConfigOnly' } });
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  const s = r.result!.data;
  // Without SecurityConfiguration.EncryptSecretsTo the one warning is that the secrets are in plain text (issue 15).
  assert.equal(s.Status, 'Warning');
  assert.deepEqual(s.Warnings.filter((w: string) => !/plain text/.test(w)), []);
  assert.equal(s.ExitCode, 0);
  assert.match(path.basename(s.ArchivePath), /^ServerBackup_Config_\d{8}_\d{6}\.zip$/);
  assert.ok(fs.existsSync(s.LogPath));
  assert.match(path.basename(s.LogPath), /^BackupLog_ConfigOnly_\d{8}_\d{6}\.log$/);
  const { entries, manifest } = await assertArchiveMatchesManifest(s.ArchivePath);
  for (const name of ['Config/RuntimeSettings.xml', 'Config/SystemAlias.xml', 'Config/SystemConnections.xml', 'Config/alteryx.config', 'Config/ControllerToken.txt', 'Config/MongoPasswords.txt']) {
    assert.ok(entries.has(name), name);
  }
  assert.ok([...entries.keys()].filter((n) => n.startsWith('Config/Keys/')).length >= 5);
  assert.ok(![...entries.keys()].some((n) => n.startsWith('MongoDB/')));
  assert.equal(manifest.BackupMetadata.BackupMode, 'ConfigOnly');
  assert.equal(manifest.MongoDBInformation.Included, false);
  assert.equal(manifest.SystemInformation.ServiceNotStopped, true);
  assert.ok(manifest.BackedUpFiles.every((f: { SHA256: string | null; Type?: string }) => f.Type === 'Directory' || /^[0-9a-f]{64}$/.test(f.SHA256 ?? '')));
  const h = hostJson(root);
  assert.equal(entries.get('Config/ControllerToken.txt')!.toString('utf8').trim(), h.serverSecret);
  assert.match(entries.get('Config/MongoPasswords.txt')!.toString('utf8'), new RegExp(`^Admin: ${h.mongoAdminPassword}\\r?\\nNon-Admin: ${h.mongoNonAdminPassword}`));
  const newEvents = readEventsOf(root).slice(eventsBefore).map((e) => e.event);
  assert.ok(!newEvents.includes('stop-requested') && !newEvents.includes('start-requested'), `service events during ConfigOnly: ${newEvents.join(',')}`);
  assert.equal(readServiceRecord(root).state, 'Running');

  const v = await runCli('Test-BackupIntegrity', { configPath, parameters: { ArchivePath: s.ArchivePath } });
  assert.equal(v.exitCode, 0);
  assert.equal(v.result!.data.OverallStatus, true, JSON.stringify(v.result!.data));
});

test('Full: stops, dumps, restarts before the files are copied, and records the downtime and per-collection counts', async () => {
  const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'Full' } });
  assert.equal(r.exitCode, 0, r.stdout.slice(-3000) + r.stderr);
  const s = r.result!.data;
  // Without SecurityConfiguration.EncryptSecretsTo the one warning is that the secrets are in plain text (issue 15).
  assert.equal(s.Status, 'Warning');
  assert.deepEqual(s.Warnings.filter((w: string) => !/plain text/.test(w)), []);
  assert.match(path.basename(s.ArchivePath), /^ServerBackup_Full_/);
  const { entries, manifest } = await assertArchiveMatchesManifest(s.ArchivePath);
  assert.ok(entries.has('MongoDB/mongoDump.log'));
  assert.ok(entries.has('Config/RuntimeSettings.xml'));
  // Per-collection counts in the manifest equal the simulated database's true counts.
  const catalog = JSON.parse(fs.readFileSync(path.join(root, 'ProgramData', 'Alteryx', 'Service', 'Persistence', 'MongoDB', 'sim-catalog.json'), 'utf8'));
  const truth = new Map<string, number>();
  for (const [db, colls] of Object.entries(catalog.databases as Record<string, Record<string, { documents: number }>>)) {
    for (const [coll, info] of Object.entries(colls)) truth.set(`${db}.${coll}`, info.documents);
  }
  const recorded = new Map<string, number>();
  for (const db of manifest.MongoDBInformation.Databases) for (const c of db.Collections) recorded.set(`${db.Name}.${c.Name}`, c.Documents);
  assert.ok(truth.size > 0, 'sim catalog read');
  assert.deepEqual([...recorded.entries()].sort(), [...truth.entries()].sort());
  assert.equal(manifest.MongoDBInformation.CollectionCount, truth.size);
  // Downtime: recorded, positive, and the service was Running again before BackupFiles began.
  const svc = manifest.ServiceInformation;
  assert.equal(svc.StoppedByBackup, true);
  assert.ok(svc.DowntimeSeconds > 0);
  const phases = new Map<string, { StartTime: string }>(s.Phases.map((p: { Phase: string; StartTime: string }) => [p.Phase, p]));
  assert.ok(Date.parse(svc.DowntimeEndedAt) <= Date.parse(phases.get('BackupFiles')!.StartTime), 'files are copied with the service running');
  const ev = readEventsOf(root);
  const stopAt = ev.findLast((e) => e.event === 'stop-requested')!.ts;
  const runningAt = ev.findLast((e) => e.event === 'running')!.ts;
  // The manifest measures from just before the stop control to the observed Running: never less than the service saw.
  const simDowntime = (runningAt - stopAt) / 1000;
  assert.ok(svc.DowntimeSeconds >= simDowntime - 0.05 && svc.DowntimeSeconds < simDowntime + 10, `sim saw ${simDowntime}s, manifest ${svc.DowntimeSeconds}s`);
  assert.equal(readServiceRecord(root).state, 'Running');
  assert.equal(s.Destinations.filter((d: { Success: boolean; SHA256Verified: boolean }) => d.Success && d.SHA256Verified).length, 3);
  for (const net of ['network1', 'network2']) assert.ok(fs.existsSync(path.join(root, 'backups', net, path.basename(s.ArchivePath))));
});

test('DatabaseOnly: the dump and no configuration files', async () => {
  const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'DatabaseOnly' } });
  assert.equal(r.exitCode, 0, r.stdout.slice(-3000));
  const { entries, manifest } = await assertArchiveMatchesManifest(r.result!.data.ArchivePath);
  assert.match(path.basename(r.result!.data.ArchivePath), /^ServerBackup_DB_/);
  assert.ok(![...entries.keys()].some((n) => n.startsWith('Config/')));
  assert.deepEqual(manifest.BackedUpFiles, []);
  assert.equal(manifest.ControllerSettings, null);
  assert.equal(readServiceRecord(root).state, 'Running');
});

test('the token and passwords appear nowhere but the archive entries meant for them', async () => {
  const h = hostJson(root);
  const secrets = [h.serverSecret, h.mongoAdminPassword, h.mongoNonAdminPassword, 'Stdin-Only-Secret-42'];
  const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'Full' }, secrets: { SmtpPassword: 'Stdin-Only-Secret-42' } });
  assert.equal(r.exitCode, 0);
  const haystacks: Array<[string, Buffer]> = [['stdout', Buffer.from(r.stdout)], ['stderr', Buffer.from(r.stderr)]];
  for (const rel of listTree(root)) {
    const full = path.join(root, rel);
    if (rel.startsWith('sim/') || rel.endsWith('/') || rel.includes('Persistence/')) continue; // the simulator's own records of the truth
    haystacks.push([rel, fs.readFileSync(full)]);
  }
  for (const archive of fs.readdirSync(path.join(root, 'backups', 'local')).filter((n) => n.endsWith('.zip'))) {
    for (const [name, data] of await readZip(path.join(root, 'backups', 'local', archive))) {
      if (name === 'Config/ControllerToken.txt' || name === 'Config/MongoPasswords.txt') continue;
      haystacks.push([`${archive}:${name}`, data]);
    }
  }
  for (const [where, data] of haystacks) {
    for (const s of secrets) assert.ok(!data.includes(s), `a secret leaked into ${where}`);
  }
});

test('-WhatIf prints the plan and touches nothing', async () => {
  const before = listTree(root);
  const eventsBefore = readEventsOf(root).length;
  const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'Full' }, whatIf: true });
  assert.equal(r.exitCode, 0);
  assert.equal(r.result!.data.WhatIf, true);
  assert.ok(r.result!.data.Plan.some((p: { phase: string; run: boolean }) => p.phase === 'StopService' && p.run));
  assert.deepEqual(listTree(root), before);
  assert.equal(readEventsOf(root).length, eventsBefore);
});
