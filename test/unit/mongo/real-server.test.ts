import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { alteryxDatabaseNames, dumpConsistency, leftOutAlteryxDatabases, requiredDumpDatabases, sqlServerRefusal } from '../../../src/mongo';
import { detectFromRuntimeSettingsFile, detectFromRuntimeSettingsText } from '../../../src/mongo/runtime-settings';
import { resolveSelfManagedTarget, buildMongodumpArgs, type MongoProbe } from '../../../src/mongo/self-managed-dump';
import { parseGetVersionOutput } from '../../../src/backup/controller-settings';
import { galleryHttpsPort, pickGalleryBinding } from '../../../src/backup/environment-facts';
import { parseNetshSslCert } from '../../../src/platform/windows/netsh-sslcert-parser';

const FIXTURES = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures');
const fixture = (...p: string[]) => path.join(FIXTURES, ...p);
const section = {
  ConnectionString: '', Host: '', Port: 27017, Database: '', AuthDatabase: 'admin', Username: 'svc',
  UseCompression: true, MongoDumpPath: '', CredentialFile: '', SkipConnectivityCheck: true,
};

describe('persistence type from RuntimeSettings.xml (each shape)', () => {
  it('embedded, self-managed, self-managed with default names, SQL Server', async () => {
    assert.equal((await detectFromRuntimeSettingsFile(fixture('runtime-settings', 'minimal.xml'))).persistenceType, 'EmbeddedMongoDB');
    assert.equal((await detectFromRuntimeSettingsFile(fixture('runtime-settings', 'embedded-explicit.xml'))).persistenceType, 'EmbeddedMongoDB');
    assert.equal((await detectFromRuntimeSettingsFile(fixture('runtime-settings', 'self-managed.xml'))).persistenceType, 'SelfManagedMongoDB');
    const defaults = await detectFromRuntimeSettingsFile(fixture('runtime-settings', 'self-managed-defaults.xml'));
    assert.equal(defaults.persistenceType, 'SelfManagedMongoDB');
    assert.deepEqual(defaults.selfManaged?.databases, [], 'the file names no database');
    assert.equal(defaults.selfManaged?.replicaSetHint, true, 'two hosts in MongoDBServerName');
    const sql = await detectFromRuntimeSettingsFile(fixture('runtime-settings', 'sql-server.xml'));
    assert.equal(sql.persistenceType, 'SQLServer');
    assert.match(sql.sqlServerEvidence ?? '', /Controller\/SQLServerEnabled/);
  });

  it('a SQL-named element set to False, or MongoDB explicitly enabled, is not SQL persistence', () => {
    const off = detectFromRuntimeSettingsText('<SystemSettings><Controller><SQLServerEnabled>False</SQLServerEnabled></Controller></SystemSettings>', 'x');
    assert.equal(off.persistenceType, 'EmbeddedMongoDB');
    const mongo = detectFromRuntimeSettingsText(
      '<SystemSettings><Controller><EmbeddedMongoDBEnabled>True</EmbeddedMongoDBEnabled><SQLServerThing>x</SQLServerThing></Controller></SystemSettings>',
      'x',
    );
    assert.equal(mongo.persistenceType, 'EmbeddedMongoDB');
    const nosql = detectFromRuntimeSettingsText('<SystemSettings><Controller><NoSQLCache>True</NoSQLCache></Controller></SystemSettings>', 'x');
    assert.equal(nosql.persistenceType, 'EmbeddedMongoDB');
  });

  it('the refusal says to use SQL Server\'s own tools and is exit 3', async () => {
    const e = sqlServerRefusal(await detectFromRuntimeSettingsFile(fixture('runtime-settings', 'sql-server.xml')));
    assert.equal(e.exitCode, 3);
    assert.equal(e.code, 'SQL_SERVER_PERSISTENCE');
    assert.match(e.message, /SQL Server's own tools/);
    assert.match(e.message, /ConfigOnly/);
  });
});

describe('self-managed databases (pure)', () => {
  const noNames = detectFromRuntimeSettingsText(
    '<SystemSettings><Controller><EmbeddedMongoDBEnabled>False</EmbeddedMongoDBEnabled><MongoDBEnabled>True</MongoDBEnabled><MongoDBServerName>m:27017</MongoDBServerName></Controller></SystemSettings>',
    'rs.xml',
  );
  it('defaults to the three Alteryx databases when the file names none', () => {
    assert.deepEqual(alteryxDatabaseNames(noNames), ['AlteryxService', 'AlteryxGallery', 'AlteryxGallery_Lucene']);
  });
  it('names from RuntimeSettings.xml win', () => {
    const named = detectFromRuntimeSettingsText(
      '<SystemSettings><Controller><MongoDBEnabled>True</MongoDBEnabled><MongoDBServerName>m:1</MongoDBServerName><MongoDBDatabaseName>SvcDb</MongoDBDatabaseName></Controller>' +
        '<Gallery><MongoDBWebOverride>True</MongoDBWebOverride><MongoDBWebConnection>mongodb://u@m:1/GalDb</MongoDBWebConnection></Gallery></SystemSettings>',
      'rs.xml',
    );
    assert.deepEqual(alteryxDatabaseNames(named), ['SvcDb', 'GalDb', 'AlteryxGallery_Lucene']);
  });
  it('empty Database: nothing left out, all three required in the dump', () => {
    const t = resolveSelfManagedTarget({ ...section, Host: 'm' }, {}, noNames);
    assert.deepEqual(t.databases, []);
    assert.deepEqual(leftOutAlteryxDatabases(t, noNames), []);
    assert.deepEqual(requiredDumpDatabases(t, noNames), ['AlteryxService', 'AlteryxGallery', 'AlteryxGallery_Lucene']);
  });
  it('Database=AlteryxGallery leaves out the other two', () => {
    const t = resolveSelfManagedTarget({ ...section, Host: 'm', Database: 'AlteryxGallery' }, {}, noNames);
    assert.deepEqual(leftOutAlteryxDatabases(t, noNames), ['AlteryxService', 'AlteryxGallery_Lucene']);
    assert.deepEqual(requiredDumpDatabases(t, noNames), ['AlteryxGallery']);
  });
  it('with a probe, an empty database is not demanded, but a listed one the server lacks is', () => {
    const t = resolveSelfManagedTarget({ ...section, Host: 'm' }, {}, noNames);
    const probe: MongoProbe = {
      databases: [
        { name: 'AlteryxService', dataSizeBytes: 10, collections: [{ name: 'AS_Queue', documents: 1 }] },
        { name: 'AlteryxGallery', dataSizeBytes: 10, collections: [{ name: 'users', documents: 1 }] },
        { name: 'AlteryxGallery_Lucene', dataSizeBytes: 0, collections: [] },
      ],
      totalDataBytes: 20,
      counts: new Map(),
    };
    assert.deepEqual(requiredDumpDatabases(t, noNames, probe), ['AlteryxService', 'AlteryxGallery']);
    const withoutService = { ...probe, databases: probe.databases.filter((d) => d.name !== 'AlteryxService') };
    assert.ok(requiredDumpDatabases(t, noNames, withoutService).includes('AlteryxService'));
  });
});

describe('point in time (pure)', () => {
  const base = resolveSelfManagedTarget({ ...section, ConnectionString: 'mongodb://svc@m1:27017,m2:27017/?replicaSet=rs0' }, {});
  it('replica set + whole instance → --oplog, point in time', () => {
    const c = dumpConsistency({ target: base, serviceStopped: false });
    assert.equal(c.Oplog, true);
    assert.equal(c.PointInTime, true);
    assert.equal(c.Warning, undefined);
    assert.ok(buildMongodumpArgs({ ...base, oplog: true }, '/o', undefined, undefined).includes('--oplog'));
    assert.ok(!buildMongodumpArgs({ ...base, oplog: true }, '/o', undefined, 'AlteryxGallery').includes('--oplog'), 'never with --db');
  });
  it('a probe that saw setName counts as a replica set', () => {
    const t = resolveSelfManagedTarget({ ...section, Host: 'm' }, {});
    assert.equal(dumpConsistency({ target: t, serviceStopped: false, probe: { databases: [], totalDataBytes: 0, counts: new Map(), replicaSetName: 'rs0' } }).Oplog, true);
  });
  it('standalone, or --db: not point in time, with a warning naming StopServiceForExternalDB', () => {
    const standalone = resolveSelfManagedTarget({ ...section, Host: 'm' }, {});
    const c = dumpConsistency({ target: standalone, serviceStopped: false });
    assert.equal(c.Oplog, false);
    assert.equal(c.PointInTime, false);
    assert.match(c.Warning ?? '', /NOT point-in-time.*StopServiceForExternalDB/s);
    assert.match(c.PointInTimeReason, /StopServiceForExternalDB/);
    const listed = dumpConsistency({ target: { ...base, databases: ['AlteryxGallery'] }, serviceStopped: false });
    assert.equal(listed.Oplog, false);
    assert.match(listed.Warning ?? '', /whole-instance/);
  });
  it('service stopped: point in time without --oplog', () => {
    const c = dumpConsistency({ target: resolveSelfManagedTarget({ ...section, Host: 'm' }, {}), serviceStopped: true });
    assert.deepEqual([c.Oplog, c.PointInTime, c.Warning], [false, true, undefined]);
  });
});

describe('version and TLS facts (pure)', () => {
  it('getversion: the first non-empty line, the version number out of it', () => {
    assert.equal(parseGetVersionOutput('2024.1.1.93\r\n'), '2024.1.1.93');
    assert.equal(parseGetVersionOutput('\r\nAlteryxService version 2023.2.1.89\r\n'), '2023.2.1.89');
    assert.equal(parseGetVersionOutput(''), null);
  });
  it('netsh http show sslcert (public capture format): two bindings; the Gallery port picks one', () => {
    const text = fs.readFileSync(fixture('windows', 'netsh-http-show-sslcert.txt'), 'utf8');
    const b = parseNetshSslCert(text);
    assert.equal(b.length, 2);
    assert.deepEqual(b[0], { Endpoint: '0.0.0.0:443', CertificateHash: '00112233445566778899aabbccddeeff00112233', ApplicationId: '{aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee}', CertificateStoreName: 'MY' });
    assert.equal(b[1].CertificateStoreName, null, '(null) reads as null');
    assert.equal(pickGalleryBinding(b, 8443)?.Endpoint, '192.168.0.179:8443');
    assert.equal(pickGalleryBinding(b, undefined)?.Endpoint, '0.0.0.0:443');
    assert.equal(pickGalleryBinding(b, 9999), undefined);
    assert.deepEqual(parseNetshSslCert('\r\nSSL Certificate bindings:\r\n-------------------------\r\n\r\n'), []);
  });
  it('Gallery HTTPS port from BaseAddress', () => {
    assert.equal(galleryHttpsPort('<SystemSettings><Gallery><BaseAddress>https://a.b:8443/gallery/</BaseAddress></Gallery></SystemSettings>'), 8443);
    assert.equal(galleryHttpsPort('<SystemSettings><Gallery><BaseAddress>https://a.b/gallery/</BaseAddress></Gallery></SystemSettings>'), 443);
    assert.equal(galleryHttpsPort('<SystemSettings><Gallery><BaseAddress>http://a.b/gallery/</BaseAddress></Gallery></SystemSettings>'), undefined);
  });
});
