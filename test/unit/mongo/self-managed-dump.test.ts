import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { MongoDBError } from '../../../src/core/errors';
import { detectMongo, invokeMongoDBBackup, preflightMongoDB } from '../../../src/mongo/index';
import {
  buildMongodumpArgs,
  mongodumpConfigYaml,
  probeSelfManaged,
  redactOutput,
  resolveSelfManagedTarget,
  withPrivateFile,
  yamlDoubleQuoted,
} from '../../../src/mongo/self-managed-dump';
import { detectFromRuntimeSettingsText } from '../../../src/mongo/runtime-settings';
import { createTestHost, type TestHost } from './mongo-test-host';

const PASSWORD = 'p@ss:"wo\\rd é/€ #1';
const section = {
  ConnectionString: '',
  Host: '',
  Port: 27017,
  Database: 'AlteryxGallery',
  AuthDatabase: 'admin',
  Username: '',
  UseCompression: true,
  MongoDumpPath: 'mongodump',
  CredentialFile: '',
  SkipConnectivityCheck: false,
};

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('self-managed target and argv (pure)', () => {
  it('host/port/db/auth/user form; no password on argv', () => {
    const t = resolveSelfManagedTarget({ ...section, Host: 'mongo01', Port: 27019, Username: 'svc' }, { MongoPassword: PASSWORD });
    assert.deepEqual(buildMongodumpArgs(t, '/out', '/tmp/x/mongodump.yaml', 'AlteryxGallery'), [
      '--host', 'mongo01', '--port', '27019', '--db', 'AlteryxGallery', '--username', 'svc', '--authenticationDatabase', 'admin',
      '--config', '/tmp/x/mongodump.yaml', '--gzip', '--out', '/out',
    ]);
    assert.equal(t.password, PASSWORD);
    assert.equal(t.display, 'mongo01:27019');
  });

  it('URI form: a password in the URI moves to the config file; authSource in the URI wins', () => {
    const t = resolveSelfManagedTarget({ ...section, Database: '' }, {}, {
      type: 'self-managed', source: 'x', databases: [], warnings: [],
      selfManaged: { databases: [], connectionString: 'mongodb://gallery:S3cr%40t@m1:27017,m2:27017/?authSource=admin&replicaSet=rs0' },
    });
    assert.equal(t.uri, 'mongodb://gallery@m1:27017,m2:27017/?authSource=admin&replicaSet=rs0');
    assert.equal(t.password, 'S3cr@t');
    const argv = buildMongodumpArgs(t, '/out', '/cfg.yaml', undefined);
    assert.deepEqual(argv, ['--uri', 'mongodb://gallery@m1:27017,m2:27017/?authSource=admin&replicaSet=rs0', '--config', '/cfg.yaml', '--gzip', '--out', '/out']);
    assert.ok(!argv.join(' ').includes('S3cr'));
  });

  it('a password from the RuntimeSettings web connection is used only when no secret is given', async () => {
    const detection = detectFromRuntimeSettingsText(
      '<SystemSettings><Gallery><MongoDBWebOverride>True</MongoDBWebOverride><MongoDBWebConnection>mongodb://g:fromfile@m:1/AlteryxGallery</MongoDBWebConnection></Gallery></SystemSettings>',
      'rs.xml',
    );
    assert.equal(resolveSelfManagedTarget(section, {}, detection).password, 'fromfile');
    assert.equal(resolveSelfManagedTarget(section, { MongoPassword: 'given' }, detection).password, 'given');
    assert.equal(resolveSelfManagedTarget(section, {}, detection).uri, 'mongodb://g@m:1/AlteryxGallery');
  });

  it('MongoDBServerName becomes a URI; several databases; no target at all is exit 5', () => {
    const t = resolveSelfManagedTarget({ ...section, Database: 'AlteryxGallery, AlteryxService', UseCompression: false }, {}, {
      type: 'self-managed', source: 'x', databases: [], warnings: [], selfManaged: { databases: [], serverName: 'a:1,b:2' },
    });
    assert.equal(t.uri, 'mongodb://a:1,b:2/');
    assert.deepEqual(t.databases, ['AlteryxGallery', 'AlteryxService']);
    assert.ok(!buildMongodumpArgs(t, '/o', undefined, 'x').includes('--gzip'));
    assert.throws(() => resolveSelfManagedTarget(section, {}), (e: unknown) => e instanceof MongoDBError && e.exitCode === 5);
  });

  it('YAML double-quoted escaping round-trips through a JSON-compatible reader', () => {
    for (const s of [PASSWORD, 'a\\"b', '\t\n\u0001', 'plain', "it's", '#: - [] {} & * ! | > % @ `']) {
      const y = yamlDoubleQuoted(s);
      assert.equal(JSON.parse(y), s, y);
    }
    assert.equal(mongodumpConfigYaml('x"y'), 'password: "x\\"y"\n');
  });

  it('redactOutput masks the password, its URI encoding, and URI credentials', () => {
    const text = `connecting to mongodb://u:${encodeURIComponent(PASSWORD)}@h/ with ${PASSWORD}`;
    const out = redactOutput(text, PASSWORD);
    assert.ok(!out.includes(PASSWORD) && !out.includes(encodeURIComponent(PASSWORD)), out);
  });

  it('the private file is 0600 in a 0700 folder while in use, and gone afterwards, also on error', async () => {
    let seen = '';
    await withPrivateFile('password: "x"\n', async (file) => {
      seen = file;
      if (process.platform !== 'win32') {
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
        assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
      }
      assert.equal(fs.readFileSync(file, 'utf8'), 'password: "x"\n');
    });
    assert.equal(fs.existsSync(seen), false);
    assert.equal(fs.existsSync(path.dirname(seen)), false);
    await assert.rejects(withPrivateFile('y', async (file) => {
      seen = file;
      throw new Error('boom');
    }), /boom/);
    assert.equal(fs.existsSync(path.dirname(seen)), false);
  });
});

describe('connectivity check without a server', () => {
  it('a closed port is MongoDBError exit 5, and the message holds no password', async () => {
    const port = await closedPort();
    const t = resolveSelfManagedTarget({ ...section, Host: '127.0.0.1', Port: port, Username: 'svc' }, { MongoPassword: PASSWORD });
    await assert.rejects(probeSelfManaged(t, { serverSelectionTimeoutMS: 300 }), (err: unknown) => {
      assert.ok(err instanceof MongoDBError);
      assert.equal(err.exitCode, 5);
      assert.equal(err.code, 'MONGODB_UNREACHABLE');
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.ok(!err.message.includes(PASSWORD) && !JSON.stringify(err.details).includes(PASSWORD));
      return true;
    });
  });
});

describe('invokeMongoDBBackup, self-managed, against a stand-in mongodump (SkipConnectivityCheck: no server here)', () => {
  let host: TestHost;
  afterEach(() => host?.cleanup());
  const make = (sm: Record<string, unknown> = {}) =>
    createTestHost({
      runtimeSettings: '<SystemSettings><Controller><EmbeddedMongoDBEnabled>False</EmbeddedMongoDBEnabled><MongoDBEnabled>True</MongoDBEnabled><MongoDBServerName>mongo01:27017</MongoDBServerName></Controller></SystemSettings>',
      config: { MongoDBConfiguration: { DumpTimeoutSeconds: 5, SelfManagedMongoDB: { Host: 'mongo01', Username: 'svc', Database: 'AlteryxGallery,AlteryxService', SkipConnectivityCheck: true, ...sm } } },
      secrets: { MongoPassword: PASSWORD },
    });

  it('dumps each database with --gzip; the password is never on argv or in the env; the 0600 config file is gone afterwards', async () => {
    host = make();
    host.behave({ mode: 'good', expectPassword: PASSWORD });
    const r = await invokeMongoDBBackup({ config: host.config, platform: host.platform, stagingDir: host.staging, log: host.log });
    assert.equal(r.DeploymentType, 'self-managed');
    assert.equal(r.BackupMethod, 'mongodump');
    assert.equal(r.CollectionCount, 3);
    assert.equal(r.TotalDocuments, 51);
    assert.deepEqual(r.Verification.CountsCheckedAgainst, ['mongoDump.log']);
    assert.ok(r.Warnings.some((w) => /SkipConnectivityCheck/.test(w)));
    const runs = host.argvRuns();
    assert.equal(runs.length, 2);
    for (const argv of runs) {
      assert.ok(!argv.some((a) => a.includes(PASSWORD) || a.includes('p@ss')), JSON.stringify(argv));
      assert.ok(argv.includes('--gzip'));
      assert.equal(argv[argv.indexOf('--out') + 1], path.join(host.staging, 'MongoDB'));
    }
    assert.deepEqual(runs.map((a) => a[a.indexOf('--db') + 1]), ['AlteryxGallery', 'AlteryxService']);
    const seen = host.configSeen();
    assert.equal(seen.length, 2);
    for (const s of seen) {
      assert.equal(s.mode, 0o600);
      assert.equal(s.envHasPassword, false);
      assert.equal(fs.existsSync(s.path), false, 'config file deleted');
      assert.equal(fs.existsSync(path.dirname(s.path)), false, 'its private folder deleted');
    }
    const log = fs.readFileSync(path.join(host.staging, 'MongoDB', 'mongoDump.log'), 'utf8');
    assert.match(log, /done dumping AlteryxGallery\.workflows \(30 documents\)/);
    assert.ok(!host.log.lines.join('\n').includes(PASSWORD));
    assert.ok(fs.existsSync(path.join(host.staging, 'MongoDB', 'AlteryxGallery', 'users.bson.gz')));
  });

  it('bad credentials (mongodump exits 1) → exit 5, no password in the error, dump removed, config file gone', async () => {
    host = make();
    host.behave({ mode: 'good', expectPassword: 'something else' });
    await assert.rejects(invokeMongoDBBackup({ config: host.config, platform: host.platform, stagingDir: host.staging, log: host.log }), (err: unknown) => {
      assert.ok(err instanceof MongoDBError);
      assert.equal(err.exitCode, 5);
      assert.match(err.message, /AuthenticationFailed|exited with code 1/);
      assert.ok(!`${err.message}${err.details.join()}`.includes(PASSWORD));
      return true;
    });
    assert.equal(fs.existsSync(path.join(host.staging, 'MongoDB')), false);
    for (const s of host.configSeen()) assert.equal(fs.existsSync(s.path), false);
  });

  for (const [mode, why] of [
    ['hang', /did not finish within 5 s/],
    ['failedLine', /mongodump reported a failure: .*Failed: error writing/],
  ] as const) {
    it(`${mode} → exit 5, config file gone`, async () => {
      host = make({ Database: 'AlteryxGallery' });
      host.behave({ mode });
      await assert.rejects(invokeMongoDBBackup({ config: host.config, platform: host.platform, stagingDir: host.staging, log: host.log }), (err: unknown) => err instanceof MongoDBError && why.test(err.message));
      for (const s of host.configSeen()) assert.equal(fs.existsSync(s.path), false);
      assert.equal(fs.existsSync(path.join(host.staging, 'MongoDB')), false);
    });
  }

  it('a corrupt .bson.gz from mongodump is caught by verification', async () => {
    host = make({ Database: 'AlteryxGallery' });
    // Make the stand-in's output corrupt after the fact: verify directly via a wrapper that truncates.
    const wrapper = path.join(host.dir, 'bin', 'mongodump-truncating');
    fs.writeFileSync(wrapper, `#!/usr/bin/env node
const { execFileSync } = require('child_process'); const fs = require('fs'); const path = require('path');
const args = process.argv.slice(2);
try { execFileSync(${JSON.stringify(host.mongodump)}, args, { stdio: 'inherit' }); } catch (e) { process.exit(1); }
const f = path.join(args[args.indexOf('--out') + 1], 'AlteryxGallery', 'workflows.bson.gz');
const d = fs.readFileSync(f); fs.writeFileSync(f, d.subarray(0, d.length - 40));
`, { mode: 0o755 });
    const config = { ...host.config, file: { ...host.config.file, MongoDBConfiguration: { ...host.config.file.MongoDBConfiguration, SelfManagedMongoDB: { ...host.config.file.MongoDBConfiguration.SelfManagedMongoDB, MongoDumpPath: wrapper } } } };
    await assert.rejects(invokeMongoDBBackup({ config, platform: host.platform, stagingDir: host.staging, log: host.log }), (err: unknown) => err instanceof MongoDBError && err.code === 'DUMP_VERIFICATION_FAILED' && /workflows\.bson\.gz/.test(err.message));
  });

  it('preflight with the connectivity check on and nothing listening → exit 5 before any dump', async () => {
    const port = await closedPort();
    host = make({ SkipConnectivityCheck: false, Host: '127.0.0.1', Port: port });
    await assert.rejects(preflightMongoDB({ config: host.config, platform: host.platform, log: host.log, serverSelectionTimeoutMS: 300 }), (err: unknown) => err instanceof MongoDBError && err.exitCode === 5);
    assert.deepEqual(host.argvRuns(), [], 'mongodump never ran');
  });

  it('preflight with SkipConnectivityCheck warns and passes the disk check with an unknown size', async () => {
    host = make();
    const p = await preflightMongoDB({ config: host.config, platform: host.platform, log: host.log });
    assert.equal(p.detection.type, 'self-managed');
    assert.equal(p.probe, undefined);
    assert.ok(host.log.lines.some((l) => l.startsWith('WARN ') && /SkipConnectivityCheck/.test(l)));
  });

  it('preflight warns loudly when RuntimeSettings.xml names a database the configuration leaves out', async () => {
    host = createTestHost({
      runtimeSettings: '<SystemSettings><Controller><EmbeddedMongoDBEnabled>False</EmbeddedMongoDBEnabled><MongoDBEnabled>True</MongoDBEnabled><MongoDBServerName>m:27017</MongoDBServerName><MongoDBDatabaseName>AlteryxService</MongoDBDatabaseName></Controller></SystemSettings>',
      config: { MongoDBConfiguration: { SelfManagedMongoDB: { Host: 'm', Database: 'AlteryxGallery', SkipConnectivityCheck: true } } },
    });
    const p = await preflightMongoDB({ config: host.config, platform: host.platform, log: host.log });
    assert.ok(p.warnings.some((w) => /LEAVES OUT the Alteryx database\(s\) AlteryxService, AlteryxGallery_Lucene: they will NOT be in this backup/.test(w)), p.warnings.join('\n'));
    host.cleanup();
    host = createTestHost({
      runtimeSettings: '<SystemSettings><Controller><EmbeddedMongoDBEnabled>False</EmbeddedMongoDBEnabled><MongoDBEnabled>True</MongoDBEnabled><MongoDBServerName>m:27017</MongoDBServerName><MongoDBDatabaseName>AlteryxService</MongoDBDatabaseName></Controller></SystemSettings>',
      config: { MongoDBConfiguration: { SelfManagedMongoDB: { Host: 'm', Database: 'AlteryxGallery,alteryxservice,AlteryxGallery_Lucene', SkipConnectivityCheck: true } } },
    });
    const q = await preflightMongoDB({ config: host.config, platform: host.platform, log: host.log });
    assert.ok(!q.warnings.some((w) => /will NOT be in this backup/.test(w)));
  });
});

describe('pre-dump counts from the connectivity check (the probe result is given, no server involved)', () => {
  let host: TestHost;
  afterEach(() => host?.cleanup());
  const make = () =>
    createTestHost({
      config: { MongoDBConfiguration: { Type: 'self-managed', SelfManagedMongoDB: { Host: 'mongo01', Username: 'svc', Database: 'AlteryxGallery' } } },
      secrets: { MongoPassword: PASSWORD },
    });
  const probe = (users: number) => ({
    databases: [{ name: 'AlteryxGallery', dataSizeBytes: 1000, collections: [{ name: 'users', documents: users }, { name: 'workflows', documents: 30 }] }],
    totalDataBytes: 1000,
    counts: new Map([
      ['AlteryxGallery.users', users],
      ['AlteryxGallery.workflows', 30],
    ]),
  });

  it('matching counts are reported as checked against countDocuments', async () => {
    host = make();
    const detection = await detectMongo(host.config);
    const target = resolveSelfManagedTarget(host.config.file.MongoDBConfiguration.SelfManagedMongoDB, host.config.secrets, detection);
    const preflight = { detection, target, probe: probe(12), diskSpace: undefined as never, warnings: [] };
    const r = await invokeMongoDBBackup({ config: host.config, platform: host.platform, preflight, stagingDir: host.staging, log: host.log, serviceStopped: true });
    assert.deepEqual(r.Verification.CountsCheckedAgainst, ['mongoDump.log', 'countDocuments']);
  });

  it('a count that differs fails when the service was stopped, and only warns when it kept running', async () => {
    host = make();
    const detection = await detectMongo(host.config);
    const target = resolveSelfManagedTarget(host.config.file.MongoDBConfiguration.SelfManagedMongoDB, host.config.secrets, detection);
    const preflight = { detection, target, probe: probe(13), diskSpace: undefined as never, warnings: [] };
    await assert.rejects(
      invokeMongoDBBackup({ config: host.config, platform: host.platform, preflight, stagingDir: host.staging, log: host.log, serviceStopped: true }),
      (err: unknown) => err instanceof MongoDBError && /AlteryxGallery\.users: counted 13 documents before the dump, the dump holds 12/.test(err.message),
    );
    const r = await invokeMongoDBBackup({ config: host.config, platform: host.platform, preflight, stagingDir: host.staging, log: host.log, serviceStopped: false });
    assert.ok(r.Warnings.some((w) => /counted 13 documents before the dump/.test(w)));
    assert.match(r.Verification.CountsCheckedAgainst[1], /warnings only/);
  });
});
