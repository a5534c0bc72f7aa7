import Ajv from 'ajv';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SimulatedPlatform } from '../../../src/platform/simulated/simulated-platform';
import { isSameOrInside, isPidAlive } from '../../../src/sim/sim-processes';
import { readServiceRecord } from '../../../src/sim/service-control';
import { createHost, destroyHost, hostJson, REPO_ROOT, sim, tempDir } from './sim-harness';

const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'config', 'backup-config.schema.json'), 'utf8'));

function validateConfig(configPath: string): { valid: boolean; errors: string } {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  const valid = validate(JSON.parse(fs.readFileSync(configPath, 'utf8'))) as boolean;
  return { valid, errors: ajv.errorsText(validate.errors) };
}

/** Every string value in the config that looks like a path must lie inside the host. */
function configPaths(config: any): string[] {
  return [
    config.BackupConfiguration.TempDirectory,
    config.BackupConfiguration.LocalBackupPath,
    ...config.BackupConfiguration.NetworkBackupPaths,
    config.BackupConfiguration.LogDirectory,
    config.AlteryxConfiguration.ProgramDataPath,
    config.AlteryxConfiguration.InstallPath,
    config.AlteryxConfiguration.SimulatedHostRoot,
  ];
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
}

function treeHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== 'mongod.lock') h.update(path.relative(dir, p)).update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

describe('sim create: embedded', () => {
  let root = '';
  let configPath = '';
  before(async () => {
    ({ root, configPath } = await createHost(['--db-mb', '1', '--seed', 'create-test']));
  });
  after(() => destroyHost(root));

  it('prints the config path as the last line, and the config validates against the schema', () => {
    assert.equal(configPath, path.join(root, 'backup-config.json'));
    const { valid, errors } = validateConfig(configPath);
    assert.ok(valid, errors);
  });

  it('keeps every configured path inside the host, with the folders created', () => {
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    assert.equal(config.AlteryxConfiguration.Platform, 'Simulated');
    assert.equal(config.AlteryxConfiguration.SimulatedHostRoot, root);
    assert.equal(config.MongoDBConfiguration.Type, 'auto');
    assert.equal(config.BackupConfiguration.NetworkBackupPaths.length, 2);
    for (const p of configPaths(config)) {
      assert.ok(path.isAbsolute(p), p);
      assert.ok(isSameOrInside(p, root), `${p} is outside ${root}`);
      assert.ok(fs.statSync(p).isDirectory(), `${p} exists`);
    }
    assert.ok(config.ServiceConfiguration.MaxServiceWaitSeconds <= 60);
    assert.ok(config.ServiceConfiguration.WorkflowPollSeconds < 1);
  });

  it('writes RuntimeSettings.xml like Alteryx: BOM, SystemSettings root, embedded MongoDB settings', () => {
    const raw = fs.readFileSync(path.join(root, 'ProgramData', 'Alteryx', 'RuntimeSettings.xml'));
    assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const xml = raw.toString('utf8').slice(1);
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\r\n<!--/);
    assert.match(xml, /<SystemSettings>[\s\S]*<Controller>[\s\S]*<\/Controller>[\s\S]*<\/SystemSettings>\r\n$/);
    for (const section of ['Gallery', 'Engine', 'Environment']) assert.match(xml, new RegExp(`<${section}>[\\s\\S]*</${section}>`));
    assert.match(xml, /<EmbeddedMongoDBEnabled>True<\/EmbeddedMongoDBEnabled>/);
    assert.match(xml, /<ServerSecretEncrypted>AQAAANCMnd8BFdERjHoAwE\/Cl\+s[A-Za-z0-9+/=]+<\/ServerSecretEncrypted>/);
    assert.match(xml, /<StorageKeysEncrypted>[A-Za-z0-9+/=]+<\/StorageKeysEncrypted>/);
    assert.doesNotMatch(xml, /MongoDBServerName|<Persistence>/);
    const dataDir = /<EmbeddedMongoDBRootPath>([^<]+)<\/EmbeddedMongoDBRootPath>/.exec(xml)?.[1];
    assert.equal(dataDir, path.join(root, 'ProgramData', 'Alteryx', 'Service', 'Persistence', 'MongoDB'));
    assert.ok(fs.statSync(dataDir!).isDirectory());
  });

  it('sizes the live data to about --db-mb', () => {
    const bytes = dirBytes(path.join(root, 'ProgramData', 'Alteryx', 'Service', 'Persistence', 'MongoDB'));
    assert.ok(bytes > 0.8 * 1024 * 1024 && bytes < 1.6 * 1024 * 1024, `live data is ${bytes} bytes`);
  });

  it('writes Keys, Engine files, and an alteryx.config modified after install', () => {
    const keys = fs.readdirSync(path.join(root, 'ProgramData', 'Alteryx', 'Keys'));
    assert.ok(keys.length >= 3, keys.join(','));
    for (const f of ['SystemAlias.xml', 'SystemConnections.xml']) assert.ok(fs.statSync(path.join(root, 'ProgramData', 'Alteryx', 'Engine', f)).size > 0);
    const bin = path.join(root, 'Program Files', 'Alteryx', 'bin');
    const config = fs.statSync(path.join(bin, 'server', 'config', 'alteryx.config'));
    const installed = new Date(hostJson(root).installedAt).getTime();
    assert.equal(fs.statSync(path.join(bin, 'AlteryxService')).mtimeMs, installed);
    assert.ok(config.mtimeMs > installed + 3600_000);
    const registry = JSON.parse(fs.readFileSync(path.join(root, 'sim', 'registry.json'), 'utf8'));
    const uninstall = Object.entries(registry).find(([k]) => k.includes('Uninstall'))?.[1] as { InstallDate: string };
    assert.match(uninstall.InstallDate, /^\d{8}$/);
  });

  it('ships executable shims that bake in the host root', () => {
    for (const shim of [path.join(root, 'Program Files', 'Alteryx', 'bin', 'AlteryxService'), path.join(root, 'Program Files', 'Alteryx', 'bin', 'AlteryxEngineCmd'), path.join(root, 'mongodb-tools', 'bin', 'mongodump')]) {
      const st = fs.statSync(shim);
      assert.ok((st.mode & 0o111) !== 0, `${shim} is executable`);
      const text = fs.readFileSync(shim, 'utf8');
      assert.match(text, /^#!\/bin\/sh\n/);
      assert.ok(text.includes(`ALTERYX_SIM_ROOT='${root}'`), text);
    }
  });

  it('leaves the service Running in a real background process', async () => {
    const rec = readServiceRecord(root);
    assert.equal(rec.state, 'Running');
    assert.ok(isPidAlive(rec.daemonPid));
    const platform = new SimulatedPlatform(root);
    assert.deepEqual(await platform.services.query('AlteryxService'), { state: 'Running', startType: 'Automatic' });
    assert.equal(platform.hostname(), 'ALTERYX-SIM-01');
    assert.equal(await platform.services.logOnAccount('AlteryxService'), 'NT AUTHORITY\\NetworkService');
    assert.equal(platform.alteryxServiceExecutable(), path.join(root, 'Program Files', 'Alteryx', 'bin', 'AlteryxService'));
    assert.ok((await platform.freeBytes(root)) > 0);
    assert.equal((await platform.services.query('NoSuchService')).state, 'NotFound');
  });

  it('refuses to create over an existing host or a non-empty folder', async () => {
    const again = await sim(['create', root]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /already holds a simulated host/);
    const other = tempDir();
    fs.writeFileSync(path.join(other, 'x.txt'), 'x');
    const r = await sim(['create', other]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not empty/);
    const notHost = await sim(['destroy', other]);
    assert.notEqual(notHost.code, 0, 'destroy refuses a folder that is not a host');
    assert.match(notHost.stderr, /not a simulated Alteryx host/);
    fs.rmSync(other, { recursive: true, force: true });
  });
});

describe('sim create: --minimal-settings', () => {
  let root = '';
  after(() => destroyHost(root));

  it('leaves out EmbeddedMongoDBEnabled (the default) but keeps the non-default root path', async () => {
    ({ root } = await createHost(['--minimal-settings', '--no-start', '--db-mb', '0.1']));
    const xml = fs.readFileSync(path.join(root, 'ProgramData', 'Alteryx', 'RuntimeSettings.xml'), 'utf8');
    assert.doesNotMatch(xml, /EmbeddedMongoDBEnabled|MongoDBEnabled/);
    assert.match(xml, /<EmbeddedMongoDBRootPath>[^<]+<\/EmbeddedMongoDBRootPath>/);
  });
});

describe('sim create: determinism', () => {
  const roots: string[] = [];
  after(() => roots.forEach(destroyHost));

  it('builds byte-identical data for the same seed, and different data for another seed', async () => {
    for (const seed of ['a', 'a', 'b']) {
      roots.push((await createHost(['--seed', seed, '--db-mb', '0.3', '--no-start'])).root);
    }
    const data = (r: string) => treeHash(path.join(r, 'ProgramData', 'Alteryx', 'Service', 'Persistence', 'MongoDB'));
    assert.equal(data(roots[0]), data(roots[1]));
    assert.notEqual(data(roots[0]), data(roots[2]));
    assert.equal(hostJson(roots[0]).serverSecret, hostJson(roots[1]).serverSecret);
    assert.notEqual(hostJson(roots[0]).serverSecret, hostJson(roots[2]).serverSecret);
    assert.equal(readServiceRecord(roots[0]).state, 'Stopped');
  });
});

describe('sim create: self-managed', () => {
  let root = '';
  let configPath = '';
  before(async () => {
    ({ root, configPath } = await createHost(['--variant', 'self-managed']));
  });
  after(() => destroyHost(root));

  it('writes a valid self-managed config pointing at the stand-in mongodump', () => {
    const { valid, errors } = validateConfig(configPath);
    assert.ok(valid, errors);
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    const sm = config.MongoDBConfiguration.SelfManagedMongoDB;
    assert.equal(config.MongoDBConfiguration.Type, 'self-managed');
    assert.equal(sm.Host, '127.0.0.1');
    assert.equal(sm.Port, 27017);
    assert.equal(sm.Username, hostJson(root).selfManaged.username);
    assert.equal(sm.SkipConnectivityCheck, true);
    assert.equal(sm.MongoDumpPath, path.join(root, 'mongodb-tools', 'bin', 'mongodump'));
    assert.ok(fs.existsSync(sm.MongoDumpPath));
    assert.ok(!JSON.stringify(config).includes(hostJson(root).selfManaged.password), 'the password is not in the config');
  });

  it('writes the self-managed RuntimeSettings.xml elements', () => {
    const xml = fs.readFileSync(path.join(root, 'ProgramData', 'Alteryx', 'RuntimeSettings.xml'), 'utf8');
    assert.match(xml, /<Controller>[\s\S]*<MongoDBEnabled>True<\/MongoDBEnabled>[\s\S]*<MongoDBServerName>127\.0\.0\.1:27017<\/MongoDBServerName>[\s\S]*<\/Controller>/);
    assert.match(xml, /<Gallery>[\s\S]*<MongoDBWebOverride>True<\/MongoDBWebOverride>[\s\S]*<MongoDBWebConnection>mongodb:\/\/[^<]+<\/MongoDBWebConnection>[\s\S]*<\/Gallery>/);
    assert.match(xml, /<EmbeddedMongoDBEnabled>False<\/EmbeddedMongoDBEnabled>/);
    assert.doesNotMatch(xml, /EmbeddedMongoDBRootPath/);
  });
});

describe('sim create: multi-node', () => {
  let root = '';
  let configPath = '';
  before(async () => {
    ({ root, configPath } = await createHost(['--variant', 'multi-node', '--db-mb', '0.3']));
  });
  after(() => destroyHost(root));

  it('lists the controller and every node in the config', () => {
    const { valid, errors } = validateConfig(configPath);
    assert.ok(valid, errors);
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    assert.deepEqual(config.AlteryxConfiguration.Nodes, [
      { Hostname: 'ALTERYX-SIM-01', Role: 'Controller' },
      { Hostname: 'WORKER1', Role: 'Worker' },
      { Hostname: 'WORKER2', Role: 'Worker' },
      { Hostname: 'GALLERY1', Role: 'ServerUI' },
    ]);
  });

  it('runs a separate service process per node, addressable by hostname', async () => {
    const platform = new SimulatedPlatform(root);
    const pids = new Set<number>();
    for (const host of [undefined, 'ALTERYX-SIM-01', 'WORKER1', 'worker2', 'GALLERY1']) {
      assert.equal((await platform.services.query('AlteryxService', host)).state, 'Running', String(host));
      const hostRoot = platform.hostRootFor(host);
      pids.add(readServiceRecord(hostRoot).daemonPid!);
    }
    assert.equal(pids.size, 4);
    assert.equal(platform.hostRootFor('WORKER1'), path.join(root, 'nodes', 'WORKER1'));
    await assert.rejects(platform.services.query('AlteryxService', 'WORKER9'), /Unknown host 'WORKER9'/);
    const worker = fs.readFileSync(path.join(root, 'nodes', 'WORKER1', 'ProgramData', 'Alteryx', 'RuntimeSettings.xml'), 'utf8');
    assert.match(worker, /<ControllerEnabled>False<\/ControllerEnabled>/);
    assert.equal(hostJson(path.join(root, 'nodes', 'GALLERY1')).role, 'ServerUI');
  });

  it('stops a worker without touching the others, and destroy kills every node', async () => {
    const platform = new SimulatedPlatform(root);
    await platform.services.stop('AlteryxService', 'WORKER1');
    const deadline = Date.now() + 5000;
    while ((await platform.services.query('AlteryxService', 'WORKER1')).state !== 'Stopped') {
      assert.ok(Date.now() < deadline, 'WORKER1 stops');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal((await platform.services.query('AlteryxService', 'WORKER2')).state, 'Running');
    assert.equal((await platform.services.query('AlteryxService')).state, 'Running');
    const r = await sim(['destroy', root]);
    assert.equal(r.code, 0);
    for (const host of [undefined, 'WORKER2', 'GALLERY1']) assert.equal((await platform.services.query('AlteryxService', host)).state, 'Stopped');
  });
});
