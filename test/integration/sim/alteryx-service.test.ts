import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EJSON } from 'bson';
import { after, before, describe, it } from 'node:test';
import { readEvents } from '../../../src/platform/simulated/simulated-platform';
import { readCatalog } from '../../../src/sim/data-generator';
import { alteryxService, createHost, destroyHost, hostJson, parseDump, parseDumpLog, sim, waitForState } from './sim-harness';

describe('stand-in AlteryxService', () => {
  let root = '';
  before(async () => {
    ({ root } = await createHost(['--db-mb', '0.6', '--seed', 'svc-test']));
  });
  after(() => destroyHost(root));

  it('getserversecret prints the controller token', async () => {
    const r = await alteryxService(root, 'getserversecret');
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), hostJson(root).serverSecret);
    assert.match(r.stdout.trim(), /^[0-9A-F]{64}$/);
  });

  it('getemongopassword prints exactly the two lines Admin: and Non-Admin:', async () => {
    const r = await alteryxService(root, 'getemongopassword');
    assert.equal(r.code, 0);
    const lines = r.stdout.split(/\r?\n/).filter((l) => l !== '');
    assert.equal(lines.length, 2);
    assert.equal(lines[0], `Admin: ${hostJson(root).mongoAdminPassword}`);
    assert.equal(lines[1], `Non-Admin: ${hostJson(root).mongoNonAdminPassword}`);
  });

  it('getversion prints a four-part Alteryx version', async () => {
    const r = await alteryxService(root, 'getversion');
    assert.equal(r.code, 0);
    assert.match(r.stdout.trim(), /^20\d\d\.\d+\.\d+\.\d+$/);
  });

  it('rejects unknown commands and split arguments', async () => {
    const bad = await alteryxService(root, 'frobnicate');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Unknown command/);
    const shim = path.join(root, 'Program Files', 'Alteryx', 'bin', 'AlteryxService');
    const { run } = await import('./sim-harness');
    const split = await run(shim, ['emongodump=', '/tmp/x']);
    assert.notEqual(split.code, 0);
    assert.match(split.stderr, /one argument/);
  });

  it('never records a command argument (setserversecret carries a secret)', async () => {
    const r = await alteryxService(root, 'setserversecret=NEWSECRET123');
    assert.equal(r.code, 0);
    assert.equal((await alteryxService(root, 'getserversecret')).stdout.trim(), 'NEWSECRET123');
    assert.ok(!fs.readFileSync(path.join(root, 'sim', 'events.jsonl'), 'utf8').includes('NEWSECRET123'));
  });

  it('refuses emongodump while the service is Running, with EMongoDump failed', async () => {
    const out = path.join(root, 'temp', 'dump-running');
    const r = await alteryxService(root, `emongodump=${out}`);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout, /EMongoDump failed/);
    assert.ok(!fs.existsSync(out) || fs.readdirSync(out).length === 0);
  });

  it('writes a whole, parseable dump once the service is stopped, with counts matching mongoDump.log and the live data', async () => {
    assert.equal((await sim(['stop', root])).code, 0);
    const out = path.join(root, 'temp', 'dump ok');
    const r = await alteryxService(root, `emongodump=${out}`);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /failed/i);
    const dump = parseDump(out);
    assert.deepEqual(dump.databases, ['AlteryxGallery', 'AlteryxGallery_Lucene', 'AlteryxService']);
    assert.equal(dump.errors.size, 0, [...dump.errors].join('; '));
    const log = fs.readFileSync(path.join(out, 'mongoDump.log'), 'utf8');
    assert.match(log, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000\twriting AlteryxGallery\.\S+ to \S/m);
    const logCounts = parseDumpLog(log);
    assert.deepEqual(new Map([...dump.counts].sort()), new Map([...logCounts].sort()));
    const catalog = readCatalog(path.join(root, 'ProgramData', 'Alteryx', 'Service', 'Persistence', 'MongoDB'));
    for (const [db, colls] of Object.entries(catalog.databases)) {
      for (const [name, e] of Object.entries(colls)) {
        assert.equal(dump.counts.get(`${db}.${name}`), e.documents, `${db}.${name}`);
        const meta = EJSON.parse(fs.readFileSync(path.join(out, db, `${name}.metadata.json`), 'utf8')) as { collectionName: string; indexes: unknown[] };
        assert.equal(meta.collectionName, name);
        assert.ok(meta.indexes.length >= 1);
      }
    }
    assert.equal(dump.counts.get('AlteryxService.AS_Locks'), 0, 'an empty collection is dumped as an empty file');
    const events = readEvents(root).map((e) => e.event);
    assert.ok(events.lastIndexOf('dump-finished') > events.lastIndexOf('dump-started'));
    assert.ok(events.lastIndexOf('dump-started') > events.lastIndexOf('stopped'));
  });

  it('restores a dump with emongorestore and writes the success line to mongoRestore.log', async () => {
    const src = path.join(root, 'temp', 'dump ok');
    const target = path.join(root, 'temp', 'restored');
    const r = await alteryxService(root, `emongorestore=${src},${target}`);
    assert.equal(r.code, 0, r.stdout);
    const log = fs.readFileSync(path.join(target, 'mongoRestore.log'), 'utf8');
    const total = [...parseDump(src).counts.values()].reduce((a, b) => a + b, 0);
    assert.match(log, new RegExp(`\\t${total} document\\(s\\) restored successfully\\. 0 document\\(s\\) failed to restore\\.\\n$`));
    assert.match(log, /finished restoring AlteryxGallery\.users \(\d+ documents, 0 failures\)/);
  });

  it('start brings the service back through StartPending', async () => {
    assert.equal((await sim(['fault', root, 'startSeconds=0.5'])).code, 0);
    const r = await alteryxService(root, 'start');
    assert.equal(r.code, 0);
    const seen = await waitForState(root, 'Running');
    assert.deepEqual(seen, ['StartPending', 'Running']);
  });
});
