import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHost, destroyHost, hostJson, setFaults } from './backup-harness';
import { runCli } from '../../helpers/cli-harness';
import { readZip } from '../../helpers/zip-reader';
import { readEvents } from '../../../src/sim/events';
import { readServiceRecord } from '../../../src/sim/service-control';
import { writeJsonAtomic } from '../../../src/sim/host-layout';

/**
 * Issue 11: what would go wrong on a real server although the happy path
 * passed. The self-managed MongoDB here is the simulated host's stand-in
 * mongodump: no MongoDB server can run on this machine, so the driver's
 * probe (listDatabases, dbStats, hello.setName, buildInfo) is not exercised;
 * replica-set membership comes from the connection string.
 */

function manifestOf(entries: Map<string, Buffer>) {
  return JSON.parse(entries.get('BackupManifest.json')!.toString('utf8'));
}
function commandsRun(root: string): string[] {
  return readEvents(root).filter((e) => e.event === 'command').map((e) => String((e as Record<string, unknown>).command));
}
function writeConfig(configPath: string, name: string, edit: (c: any) => void): string {
  const cfg = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  edit(cfg);
  const p = path.join(path.dirname(configPath), name);
  fs.writeFileSync(p, JSON.stringify(cfg, null, 2));
  return p;
}

describe('self-managed MongoDB whose RuntimeSettings.xml names no databases', () => {
  let root: string;
  let configPath: string;
  let password: string;
  before(async () => {
    ({ root, configPath } = await createHost(['--variant', 'self-managed', '--db-mb', '1', '--minimal-settings']));
    password = hostJson(root).selfManaged.password;
    const rs = fs.readFileSync(path.join(root, 'ProgramData', 'Alteryx', 'RuntimeSettings.xml'), 'utf8');
    assert.ok(!rs.includes('MongoDBDatabaseName'), 'the file names no service database');
    assert.ok(!rs.includes('/AlteryxGallery?'), 'the web connection names no database');
  });
  after(() => destroyHost(root));

  test('the default config dumps all three Alteryx databases, with counts; no getemongopassword; facts recorded', async () => {
    const before = commandsRun(root).length;
    const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'Full' }, secrets: { MongoPassword: password } });
    assert.equal(r.exitCode, 0, r.stdout.slice(-3000));
    const entries = await readZip(r.result!.data.ArchivePath);
    const m = manifestOf(entries);
    const names = m.MongoDBInformation.Databases.map((d: { Name: string }) => d.Name).sort();
    assert.deepEqual(names, ['AlteryxGallery', 'AlteryxGallery_Lucene', 'AlteryxService']);
    const catalog = JSON.parse(fs.readFileSync(path.join(root, 'mongodb-server', 'data', 'sim-catalog.json'), 'utf8'));
    for (const db of m.MongoDBInformation.Databases) {
      assert.ok(db.Collections.length > 0, db.Name);
      for (const c of db.Collections) assert.equal(c.Documents, catalog.databases[db.Name][c.Name].documents, `${db.Name}.${c.Name}`);
    }
    // Standalone server, service kept running: not point in time, and said so.
    assert.equal(m.MongoDBInformation.Oplog, false);
    assert.equal(m.MongoDBInformation.PointInTime, false);
    assert.match(m.MongoDBInformation.PointInTimeReason, /StopServiceForExternalDB/);
    assert.ok(m.Warnings.some((w: string) => /NOT point-in-time/.test(w)), JSON.stringify(m.Warnings));
    // getemongopassword never ran (it would fail on this host), and the manifest says why there is no MongoPasswords.txt.
    assert.ok(!commandsRun(root).slice(before).includes('getemongopassword'), commandsRun(root).slice(before).join(','));
    assert.ok(!entries.has('Config/MongoPasswords.txt'));
    assert.equal(m.ControllerSettings.MongoPasswordsExported, false);
    assert.match(m.ControllerSettings.EmbeddedMongoCredentialsNote, /self-managed/);
    // Version and environment facts.
    assert.equal(m.SystemInformation.AlteryxServerVersion, hostJson(root).alteryxVersion);
    assert.equal(m.PersistenceType, 'SelfManagedMongoDB');
    assert.ok(Array.isArray(m.NodeServiceAccounts) && m.NodeServiceAccounts.length === 1);
    assert.equal(m.NodeServiceAccounts[0].Account, 'NT AUTHORITY\\NetworkService');
    assert.equal(m.TlsBinding, null, 'the simulated host has no TLS binding');
  });

  test('ConfigOnly on self-managed never calls getemongopassword and succeeds', async () => {
    const before = commandsRun(root).length;
    const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'ConfigOnly' } });
    assert.equal(r.exitCode, 0, r.stdout.slice(-3000));
    assert.ok(!commandsRun(root).slice(before).includes('getemongopassword'));
    const m = manifestOf(await readZip(r.result!.data.ArchivePath));
    assert.equal(m.PersistenceType, 'SelfManagedMongoDB');
    assert.ok(m.SystemInformation.AlteryxServerVersion);
  });

  test('HostSubfolder (the default outside the simulated host\'s own config): copies land in <share>/<HOSTNAME>/, flat files stay', async () => {
    const net1 = path.join(root, 'backups', 'network1');
    const legacy = path.join(net1, 'ServerBackup_Config_20200101_020000.zip');
    fs.writeFileSync(legacy, 'legacy flat file');
    const p = writeConfig(configPath, 'cfg-hostdir.json', (c) => {
      delete c.BackupConfiguration.HostSubfolder;
      c.BackupConfiguration.RetentionDays.ConfigOnly = 1;
    });
    const r = await runCli('Invoke-AlteryxBackup', { configPath: p, parameters: { BackupMode: 'ConfigOnly' } });
    assert.equal(r.exitCode, 0, r.stdout.slice(-3000));
    const name = path.basename(r.result!.data.ArchivePath);
    const host = hostJson(root).hostname;
    assert.ok(fs.existsSync(path.join(net1, host, name)), 'copied under the host folder');
    assert.ok(fs.existsSync(path.join(net1, host, `${name}.sha256`)));
    assert.ok(!fs.existsSync(path.join(net1, name)), 'not in the flat layout');
    assert.ok(fs.existsSync(legacy), 'a legacy flat file, long expired, is left alone');
  });

  test('the simulated getemongopassword fails here, as on a real self-managed server', async () => {
    const { alteryxService } = await import('../sim/sim-harness');
    const r = await alteryxService(root, 'getemongopassword');
    assert.notEqual(r.code, 0);
    assert.ok(!/Admin:/.test(r.stdout));
  });

  test('a config naming only AlteryxGallery warns loudly and names what is left out', async () => {
    const p = writeConfig(configPath, 'cfg-gallery-only.json', (c) => (c.MongoDBConfiguration.SelfManagedMongoDB.Database = 'AlteryxGallery'));
    const r = await runCli('Invoke-AlteryxBackup', { configPath: p, parameters: { BackupMode: 'DatabaseOnly' }, secrets: { MongoPassword: password } });
    assert.equal(r.exitCode, 0, r.stdout.slice(-3000));
    const w = r.result!.data.Warnings.find((x: string) => /LEAVES OUT/.test(x));
    assert.ok(w, JSON.stringify(r.result!.data.Warnings));
    assert.match(w, /AlteryxService/);
    assert.match(w, /AlteryxGallery_Lucene/);
    const m = manifestOf(await readZip(r.result!.data.ArchivePath));
    assert.deepEqual(m.MongoDBInformation.Databases.map((d: { Name: string }) => d.Name), ['AlteryxGallery']);
    assert.ok(m.SystemInformation.AlteryxServerVersion, 'DatabaseOnly records the version too');
  });

  test('a dump that lacks AlteryxService exits 5 and publishes nothing', async () => {
    const local = path.join(root, 'backups', 'local');
    const beforeFiles = fs.readdirSync(local).sort();
    setFaults(root, { mongodumpMissingDb: 'AlteryxService' });
    try {
      const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'DatabaseOnly' }, secrets: { MongoPassword: password } });
      assert.equal(r.exitCode, 5, r.stdout.slice(-3000));
      assert.match(r.result!.error!.message, /AlteryxService/);
      assert.deepEqual(fs.readdirSync(local).sort(), beforeFiles);
    } finally {
      setFaults(root, {}, true);
    }
  });

  test('a replica set dumped whole uses mongodump --oplog, and the manifest says point in time', async () => {
    const info = hostJson(root);
    writeJsonAtomic(path.join(root, 'sim', 'host.json'), { ...info, selfManaged: { ...info.selfManaged, replicaSet: 'rs0' } });
    const p = writeConfig(configPath, 'cfg-rs.json', (c) => {
      const sm = c.MongoDBConfiguration.SelfManagedMongoDB;
      sm.ConnectionString = `mongodb://${info.selfManaged.username}@127.0.0.1:27017/?replicaSet=rs0&authSource=${info.selfManaged.authDatabase}`;
      sm.Host = '';
      sm.Username = '';
    });
    const r = await runCli('Invoke-AlteryxBackup', { configPath: p, parameters: { BackupMode: 'DatabaseOnly' }, secrets: { MongoPassword: password } });
    assert.equal(r.exitCode, 0, r.stdout.slice(-3000));
    const entries = await readZip(r.result!.data.ArchivePath);
    const m = manifestOf(entries);
    assert.equal(m.MongoDBInformation.Oplog, true);
    assert.equal(m.MongoDBInformation.PointInTime, true);
    assert.equal(m.MongoDBInformation.BackupMethod, 'mongodump --oplog');
    assert.ok(entries.has('MongoDB/oplog.bson.gz'), [...entries.keys()].filter((k) => k.startsWith('MongoDB/') && !k.includes('/Alteryx')).join(','));
    assert.ok(!m.Warnings.some((w: string) => /NOT point-in-time/.test(w)));
  });
});

describe('SQL Server persistence', () => {
  let root: string;
  let configPath: string;
  before(async () => {
    ({ root, configPath } = await createHost(['--db-mb', '1']));
    // Reconstructed shape (test/fixtures/runtime-settings/sql-server.xml): MongoDB off, a SQL Server element on.
    const file = path.join(root, 'ProgramData', 'Alteryx', 'RuntimeSettings.xml');
    const xml = fs.readFileSync(file, 'utf8').replace(/<EmbeddedMongoDBEnabled>True<\/EmbeddedMongoDBEnabled>/, '<EmbeddedMongoDBEnabled>False</EmbeddedMongoDBEnabled><SQLServerEnabled>True</SQLServerEnabled>');
    assert.ok(xml.includes('SQLServerEnabled'));
    fs.writeFileSync(file, xml);
  });
  after(() => destroyHost(root));

  test('Full exits 3 with a message to use SQL Server\'s own tools; nothing is stopped', async () => {
    const before = readEvents(root).length;
    const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'Full' } });
    assert.equal(r.exitCode, 3, r.stdout.slice(-3000));
    assert.equal(r.result!.error!.code, 'SQL_SERVER_PERSISTENCE');
    assert.match(r.result!.error!.message, /SQL Server's own tools/);
    const events = readEvents(root).slice(before).map((e) => e.event);
    assert.ok(!events.includes('stop-requested'), events.join(','));
    assert.equal(readServiceRecord(root).state, 'Running');
    assert.deepEqual(fs.readdirSync(path.join(root, 'backups', 'local')).filter((f) => f.startsWith('ServerBackup_')), []);
  });

  test('DatabaseOnly exits 3 too', async () => {
    const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'DatabaseOnly' } });
    assert.equal(r.exitCode, 3, r.stdout.slice(-3000));
  });

  test('ConfigOnly works and records SQLServer; no MongoPasswords.txt', async () => {
    const before = readEvents(root).length;
    const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'ConfigOnly' } });
    assert.equal(r.exitCode, 0, r.stdout.slice(-3000));
    const entries = await readZip(r.result!.data.ArchivePath);
    const m = manifestOf(entries);
    assert.equal(m.PersistenceType, 'SQLServer');
    assert.ok(!entries.has('Config/MongoPasswords.txt'));
    assert.match(m.ControllerSettings.EmbeddedMongoCredentialsNote, /SQL Server/);
    assert.ok(!readEvents(root).slice(before).some((e) => e.event === 'stop-requested'));
  });
});
