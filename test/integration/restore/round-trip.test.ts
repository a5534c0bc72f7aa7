import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { withoutMachineBound } from '../../../src/restore/runtime-settings-merge';
import { backup, createHost, dataDirOf, destroyHost, diffSnapshots, documents, hostJson, restore, snapshot, state } from './restore-harness';

/**
 * The headline test: back up host A, restore onto a fresh host B that has
 * other data, other paths and another token, and prove B is now A: the
 * configuration files byte for byte (RuntimeSettings.xml less its
 * machine-bound elements), every BSON document of every collection, the
 * token, and a Running service.
 */

const pd = (root: string, ...p: string[]) => path.join(root, 'ProgramData', 'Alteryx', ...p);
const configFiles = (root: string) => [pd(root, 'Engine', 'SystemAlias.xml'), pd(root, 'Engine', 'SystemConnections.xml'), path.join(root, 'Program Files', 'Alteryx', 'bin', 'server', 'config', 'alteryx.config')];

function assertConfigEqual(a: string, b: string): void {
  const ra = fs.readFileSync(pd(a, 'RuntimeSettings.xml'));
  const rb = fs.readFileSync(pd(b, 'RuntimeSettings.xml'));
  assert.equal(withoutMachineBound(rb.toString('latin1')), withoutMachineBound(ra.toString('latin1')), 'RuntimeSettings.xml less the machine-bound elements');
  assert.ok(rb.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'the BOM is kept');
  const keysA = fs.readdirSync(pd(a, 'Keys')).sort();
  assert.ok(keysA.length >= 5);
  for (const k of keysA) assert.ok(fs.readFileSync(pd(b, 'Keys', k)).equals(fs.readFileSync(pd(a, 'Keys', k))), `Keys/${k}`);
  const [fa, fb] = [configFiles(a), configFiles(b)];
  for (let i = 0; i < fa.length; i++) assert.ok(fs.readFileSync(fb[i]).equals(fs.readFileSync(fa[i])), path.basename(fa[i]));
  // The connector tools A had (%ProgramData%\Alteryx\Tools, issue 11 point 8) are on B, byte for byte.
  // (Only host A of the embedded suite has them; the self-managed suite's host has no Tools folder.)
  if (fs.existsSync(pd(a, 'Tools'))) for (const rel of TOOL_FILES) assert.ok(fs.readFileSync(pd(b, 'Tools', ...rel.split('/'))).equals(fs.readFileSync(pd(a, 'Tools', ...rel.split('/')))), `Tools/${rel}`);
}

/** Connector tools put on host A before its backups (the simulated host has none by default). */
const TOOL_FILES = ['AcmeConnector/AcmeConnector.yxi', 'AcmeConnector/Config/settings.xml'];

/** `only`: the databases the backup dumped (a self-managed backup dumps the configured ones). */
function assertDataEqual(a: string, b: string, only?: string): void {
  const keep = (m: Map<string, Buffer[]>) => new Map([...m].filter(([ns]) => !only || ns.startsWith(`${only}.`)));
  const da = keep(documents(dataDirOf(a)));
  const db = keep(documents(dataDirOf(b)));
  assert.deepEqual([...db.keys()], [...da.keys()], 'the same collections');
  let n = 0;
  for (const [ns, docs] of da) {
    const other = db.get(ns)!;
    assert.equal(other.length, docs.length, `${ns}: document count`);
    for (let i = 0; i < docs.length; i++) {
      assert.ok(other[i].equals(docs[i]), `${ns}: document ${i} differs`);
      n++;
    }
  }
  assert.ok(n > 50, `compared ${n} documents`);
}

describe('round trip, embedded MongoDB: back up A, restore onto a new host B', { timeout: 600_000 }, () => {
  let A: { root: string; configPath: string };
  let B: { root: string; configPath: string };
  let C: { root: string; configPath: string };
  const archives: Record<string, string> = {};
  before(async () => {
    [A, B, C] = await Promise.all([
      createHost(['--seed', 'host-a']),
      createHost(['--seed', 'host-b', '--db-mb', '0.3', '--hostname', 'ALTERYX-SIM-02']),
      createHost(['--seed', 'host-c', '--db-mb', '0.4']),
    ]);
    TOOL_FILES.forEach((rel, i) => {
      const file = pd(A.root, 'Tools', ...rel.split('/'));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, Buffer.from(`connector file ${i}\r\n`.repeat(40 + i)));
    });
    archives.Full = await backup(A.root, A.configPath, 'Full');
    archives.DatabaseOnly = await backup(A.root, A.configPath, 'DatabaseOnly');
    archives.ConfigOnly = await backup(A.root, A.configPath, 'ConfigOnly');
  });
  after(() => {
    destroyHost(A?.root);
    destroyHost(B?.root);
    destroyHost(C?.root);
  });

  it('refuses another host without -AllowNewHost (exit 3, the machine-bound encryption explained), changing nothing', async () => {
    const before = snapshot(B.root);
    const r = await restore(B.root, B.configPath, archives.Full);
    assert.equal(r.exitCode, 3, JSON.stringify(r.result?.error));
    assert.equal(r.result?.error?.code, 'RESTORE_OTHER_HOST');
    assert.match(r.result!.error!.message, /ALTERYX-SIM-01.*ALTERYX-SIM-02/);
    assert.match(r.result!.error!.message, /Encryption Key Transfer Process.*https:\/\/help\.alteryx\.com/);
    assert.deepEqual(diffSnapshots(before, snapshot(B.root)), []);
    assert.equal(await state(B.root), 'Running');
    assert.ok(!r.lines.some((l) => l.type === 'service'), 'the service was never touched');
  });

  it('Full with -AllowNewHost: configuration byte for byte, every document, the token, Running', async () => {
    assert.notEqual(hostJson(B.root).serverSecret, hostJson(A.root).serverSecret, 'B starts with another token');
    assert.throws(() => assertDataEqual(A.root, B.root), 'B starts with other data');
    const r = await restore(B.root, B.configPath, archives.Full, { AllowNewHost: true });
    assert.equal(r.exitCode, 0, JSON.stringify(r.result?.error));
    const res = r.result!.data;
    assert.equal(res.Status, 'Success');
    assert.equal(res.DocumentsRestored, res.DocumentsExpected);
    assert.ok(res.DocumentsExpected > 100);
    assert.ok(res.Files.length >= 9 && res.Files.every((f: any) => f.Verified === true));
    assert.ok(res.SafetyCopyPath && fs.existsSync(path.join(res.SafetyCopyPath, 'safety.json')));
    assert.ok(res.DowntimeSeconds > 0);
    assert.ok(res.Warnings.some((w: string) => /Encryption Key Transfer Process/.test(w)));
    assert.match(path.basename(res.LogPath), /^RestoreLog_\d{8}_\d{6}(_\d+)?\.log$/);
    assertConfigEqual(A.root, B.root);
    assertDataEqual(A.root, B.root);
    assert.equal(hostJson(B.root).serverSecret, hostJson(A.root).serverSecret, 'the token');
    assert.equal(await state(B.root), 'Running');
    // B's own paths stay in its RuntimeSettings.xml.
    assert.match(fs.readFileSync(pd(B.root, 'RuntimeSettings.xml'), 'utf8'), new RegExp(`<EmbeddedMongoDBRootPath>${dataDirOf(B.root).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</EmbeddedMongoDBRootPath>`));
    // No secret in the log or the output.
    const token = hostJson(A.root).serverSecret as string;
    assert.ok(!fs.readFileSync(res.LogPath, 'utf8').includes(token), 'the token is not in the log');
    assert.ok(!r.stdout.includes(token), 'the token is not in the output');
  });

  it('a DatabaseOnly archive replaces only the data; a ConfigOnly archive then replaces only the configuration and the token', async () => {
    const rsBefore = fs.readFileSync(pd(C.root, 'RuntimeSettings.xml'));
    const tokenBefore = hostJson(C.root).serverSecret;
    const r1 = await restore(C.root, C.configPath, archives.DatabaseOnly);
    assert.equal(r1.exitCode, 0, JSON.stringify(r1.result?.error));
    assert.equal(r1.result!.data.RestoreMode, 'DatabaseOnly');
    assertDataEqual(A.root, C.root);
    assert.ok(fs.readFileSync(pd(C.root, 'RuntimeSettings.xml')).equals(rsBefore), 'RuntimeSettings.xml untouched');
    assert.equal(hostJson(C.root).serverSecret, tokenBefore, 'token untouched');
    assert.equal(await state(C.root), 'Running');

    const r2 = await restore(C.root, C.configPath, archives.ConfigOnly);
    assert.equal(r2.exitCode, 0, JSON.stringify(r2.result?.error));
    assert.equal(r2.result!.data.RestoreMode, 'ConfigOnly');
    assertConfigEqual(A.root, C.root);
    assertDataEqual(A.root, C.root);
    assert.equal(hostJson(C.root).serverSecret, hostJson(A.root).serverSecret);
    assert.equal(await state(C.root), 'Running');
  });

  it('refuses a mode the archive does not hold (exit 3) and a version mismatch without -Force (exit 3)', async () => {
    const r = await restore(C.root, C.configPath, archives.ConfigOnly, { RestoreMode: 'DatabaseOnly' });
    assert.equal(r.exitCode, 3);
    assert.equal(r.result?.error?.code, 'RESTORE_MODE_UNAVAILABLE');
    const info = hostJson(C.root);
    fs.writeFileSync(path.join(C.root, 'sim', 'host.json'), JSON.stringify({ ...info, alteryxVersion: '2024.2.1.10' }, null, 2));
    try {
      const v = await restore(C.root, C.configPath, archives.ConfigOnly);
      assert.equal(v.exitCode, 3);
      assert.equal(v.result?.error?.code, 'RESTORE_VERSION_MISMATCH');
      assert.match(v.result!.error!.message, /2024\.1\.1\.93.*2024\.2\.1\.10/);
    } finally {
      fs.writeFileSync(path.join(C.root, 'sim', 'host.json'), JSON.stringify(info, null, 2));
    }
  });
});

describe('round trip, self-managed MongoDB', { timeout: 600_000 }, () => {
  let A: { root: string; configPath: string };
  let B: { root: string; configPath: string };
  before(async () => {
    [A, B] = await Promise.all([createHost(['--variant', 'self-managed', '--seed', 'sm-a']), createHost(['--variant', 'self-managed', '--seed', 'sm-b', '--db-mb', '0.3'])]);
  });
  after(() => {
    destroyHost(A?.root);
    destroyHost(B?.root);
  });

  it('Full: mongorestore --drop from a gzipped dump, password in a private file; everything equal', async () => {
    const archive = await backup(A.root, A.configPath, 'Full');
    const r = await restore(B.root, B.configPath, archive);
    assert.equal(r.exitCode, 0, JSON.stringify(r.result?.error));
    assertConfigEqual(A.root, B.root);
    // The generated config dumps MongoDBConfiguration.SelfManagedMongoDB.Database = AlteryxGallery.
    assertDataEqual(A.root, B.root, 'AlteryxGallery');
    assert.equal(hostJson(B.root).serverSecret, hostJson(A.root).serverSecret);
    assert.equal(await state(B.root), 'Running');
    const runs = fs.readFileSync(path.join(B.root, 'sim', 'mongorestore-argv.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const argv: string[] = runs[runs.length - 1].argv;
    assert.ok(argv.includes('--drop') && argv.includes('--gzip') && argv.includes('--config'));
    const password = hostJson(B.root).selfManaged.password as string;
    assert.ok(!runs.some((x) => JSON.stringify(x).includes(password)), 'no password on a mongorestore command line');
  });
});
