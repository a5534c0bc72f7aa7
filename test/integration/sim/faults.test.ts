import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { readEvents, SimulatedPlatform } from '../../../src/platform/simulated/simulated-platform';
import { readServiceRecord } from '../../../src/sim/service-control';
import { alteryxService, createHost, destroyHost, hostJson, mongodump, parseDump, parseDumpLog, resetHost, setFaults, sim, sleep, startService, stopService, waitForState } from './sim-harness';
import type { Faults } from '../../../src/sim/faults';

const LARGEST = 'AlteryxService.AS_Applications';

describe('fault switches: emongodump', () => {
  let root = '';
  let n = 0;
  const dumpDir = () => path.join(root, 'temp', `dump${++n}`);
  before(async () => {
    ({ root } = await createHost(['--db-mb', '0.6', '--seed', 'faults']));
    await stopService(root);
  });
  afterEach(() => setFaults(root, {}, true));
  after(() => destroyHost(root));

  async function dumpWith(faults: Faults, timeoutMs?: number) {
    setFaults(root, faults, true);
    const out = dumpDir();
    const r = await alteryxService(root, `emongodump=${out}`, timeoutMs);
    const logPath = path.join(out, 'mongoDump.log');
    return { r, out, log: fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : undefined };
  }

  it('the control case: no fault, a whole dump, exit 0', async () => {
    const { r, out, log } = await dumpWith({});
    assert.equal(r.code, 0);
    const d = parseDump(out);
    assert.equal(d.errors.size, 0);
    assert.deepEqual(new Map([...d.counts].sort()), new Map([...parseDumpLog(log!)].sort()));
  });

  it('dumpExitCode: exits non-zero after a whole dump, with no failure text', async () => {
    const { r, out } = await dumpWith({ dumpExitCode: 3 });
    assert.equal(r.code, 3);
    assert.doesNotMatch(r.stdout + r.stderr, /failed/i);
    assert.equal(parseDump(out).errors.size, 0);
  });

  it('dumpFailText: prints EMongoDump failed but exits 0', async () => {
    const { r, out } = await dumpWith({ dumpFailText: true });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /EMongoDump failed/);
    assert.equal(parseDump(out).errors.size, 0);
  });

  it('dumpPartial=true: the largest collection ends in the middle of a document; exit 0; the log claims every document', async () => {
    const { r, out, log } = await dumpWith({ dumpPartial: true });
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stdout, /failed/i);
    const d = parseDump(out);
    assert.deepEqual([...d.errors.keys()], [LARGEST]);
    assert.ok(d.counts.get(LARGEST)! < parseDumpLog(log!).get(LARGEST)!);
  });

  it('dumpPartial=<db.coll>: truncates that collection instead', async () => {
    const { out } = await dumpWith({ dumpPartial: 'AlteryxGallery.users' });
    assert.deepEqual([...parseDump(out).errors.keys()], ['AlteryxGallery.users']);
  });

  it('dumpMissingDocs: whole documents, but fewer than mongoDump.log reports', async () => {
    const { r, out, log } = await dumpWith({ dumpMissingDocs: 2 });
    assert.equal(r.code, 0);
    const d = parseDump(out);
    assert.equal(d.errors.size, 0);
    assert.equal(d.counts.get(LARGEST), parseDumpLog(log!).get(LARGEST)! - 2);
  });

  it('dumpBitFlip: one document no longer ends with 0x00; the file keeps its size', async () => {
    const good = (await dumpWith({})).out;
    const { r, out } = await dumpWith({ dumpBitFlip: true });
    assert.equal(r.code, 0);
    const d = parseDump(out);
    assert.deepEqual([...d.errors.keys()], [LARGEST]);
    assert.match(d.errors.get(LARGEST)!, /does not end with 0x00/);
    const f = (dir: string) => fs.readFileSync(path.join(dir, 'AlteryxService', 'AS_Applications.bson'));
    const a = f(good);
    const b = f(out);
    assert.equal(a.length, b.length);
    const diffs = [...a].map((x, i) => (x !== b[i] ? i : -1)).filter((i) => i >= 0);
    assert.equal(diffs.length, 1);
    assert.equal(a[diffs[0]] ^ b[diffs[0]], 0x80);
  });

  it('dumpEmpty: database folders without any collection, an empty log, exit 0', async () => {
    const { r, out, log } = await dumpWith({ dumpEmpty: true });
    assert.equal(r.code, 0);
    const d = parseDump(out);
    assert.deepEqual(d.databases, ['AlteryxGallery', 'AlteryxGallery_Lucene', 'AlteryxService']);
    assert.equal(d.counts.size, 0);
    for (const db of d.databases) assert.deepEqual(fs.readdirSync(path.join(out, db)), []);
    assert.equal(log, '');
  });

  it('dumpMissingDb: leaves out one database folder and its log lines', async () => {
    const { r, out, log } = await dumpWith({ dumpMissingDb: 'AlteryxGallery_Lucene' });
    assert.equal(r.code, 0);
    assert.deepEqual(parseDump(out).databases, ['AlteryxGallery', 'AlteryxService']);
    assert.doesNotMatch(log!, /AlteryxGallery_Lucene/);
  });

  it('dumpHang: writes the first collection, then hangs until killed', async () => {
    setFaults(root, { dumpHang: true }, true);
    const out = dumpDir();
    const logPath = path.join(out, 'mongoDump.log');
    const child = spawn(path.join(root, 'Program Files', 'Alteryx', 'bin', 'AlteryxService'), [`emongodump=${out}`], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // Wait (however slow the machine) for the first collection, then check that nothing more happens.
      const deadline = Date.now() + 20_000;
      while (!(fs.existsSync(logPath) && parseDumpLog(fs.readFileSync(logPath, 'utf8')).size === 1)) {
        assert.ok(Date.now() < deadline, 'the first collection is written');
        await sleep(20);
      }
      await sleep(700);
      assert.equal(child.exitCode, null, 'still running');
      assert.equal(parseDumpLog(fs.readFileSync(logPath, 'utf8')).size, 1);
      const ev = readEvents(root);
      assert.equal(ev[ev.length - 1].event, 'dump-started', 'no dump-finished after a hang');
    } finally {
      child.kill('SIGKILL');
    }
    assert.equal(await exited, null, 'ended only by the kill');
  });

  it('dumpSeconds: the dump takes at least that long', async () => {
    const { r } = await dumpWith({ dumpSeconds: 0.8 });
    assert.equal(r.code, 0);
    assert.ok(r.ms >= 800, `${r.ms} ms`);
  });

  it('dumpWhileRunning: allows emongodump while the service is Running', async () => {
    await startService(root);
    try {
      const refused = await dumpWith({});
      assert.equal(refused.r.code, 1);
      assert.match(refused.r.stdout, /EMongoDump failed/);
      const { r, out } = await dumpWith({ dumpWhileRunning: true });
      assert.equal(r.code, 0);
      assert.equal(parseDump(out).errors.size, 0);
    } finally {
      await stopService(root);
    }
  });
});

describe('fault switches: the service', () => {
  let root = '';
  let platform: SimulatedPlatform;
  before(async () => {
    ({ root } = await createHost(['--db-mb', '0.1']));
    platform = new SimulatedPlatform(root);
  });
  afterEach(async () => {
    await resetHost(root);
    assert.equal(readServiceRecord(root).state, 'Running');
  });
  after(() => destroyHost(root));

  it('stopRefuse: a stop is accepted but the service stays Running', async () => {
    setFaults(root, { stopRefuse: true });
    await platform.services.stop('AlteryxService');
    await sleep(600);
    assert.equal((await platform.services.query('AlteryxService')).state, 'Running');
    assert.ok(readEvents(root).some((e) => e.event === 'stop-ignored'));
  });

  it('stopStuck: the service stays in StopPending', async () => {
    setFaults(root, { stopStuck: true });
    await platform.services.stop('AlteryxService');
    await waitForState(root, 'StopPending');
    await sleep(700);
    assert.equal((await platform.services.query('AlteryxService')).state, 'StopPending');
  });

  it('startStuck: the service stays in StartPending', async () => {
    await stopService(root);
    setFaults(root, { startStuck: true });
    await platform.services.start('AlteryxService');
    await sleep(700);
    assert.equal((await platform.services.query('AlteryxService')).state, 'StartPending');
  });

  it('startFail: after a stop, the service goes StartPending and falls back to Stopped', async () => {
    setFaults(root, { startFail: true });
    await stopService(root);
    await platform.services.start('AlteryxService');
    const seen = await waitForState(root, 'Stopped');
    assert.deepEqual(seen, ['StartPending', 'Stopped']);
    assert.ok(readEvents(root).some((e) => e.event === 'start-failed'));
  });

  it('slow stop and slow start: stopSeconds and startSeconds', async () => {
    setFaults(root, { stopSeconds: 0.7, startSeconds: 0.7 });
    let t = Date.now();
    await platform.services.stop('AlteryxService');
    await waitForState(root, 'Stopped');
    assert.ok(Date.now() - t >= 700);
    t = Date.now();
    await platform.services.start('AlteryxService');
    await waitForState(root, 'Running');
    assert.ok(Date.now() - t >= 700);
  });

  it('initialState=Stopped stops the service at once', async () => {
    assert.equal((await sim(['fault', root, 'initialState=Stopped'])).code, 0);
    assert.deepEqual(await platform.services.query('AlteryxService'), { state: 'Stopped', startType: 'Automatic' });
  });

  it('initialState=Paused: Paused, start refused, stop still works', async () => {
    await sim(['fault', root, 'initialState=Paused']);
    assert.equal((await platform.services.query('AlteryxService')).state, 'Paused');
    await assert.rejects(platform.services.start('AlteryxService'), /1056/);
    await platform.services.stop('AlteryxService');
    await waitForState(root, 'Stopped');
  });

  it('initialState=Disabled: Stopped with start type Disabled; start refused with 1058', async () => {
    await sim(['fault', root, 'initialState=Disabled']);
    assert.deepEqual(await platform.services.query('AlteryxService'), { state: 'Stopped', startType: 'Disabled' });
    await assert.rejects(platform.services.start('AlteryxService'), /1058/);
    assert.equal(readServiceRecord(root).state, 'Stopped');
  });

  it('rejects unknown fault names and bad values, and name= removes a switch', async () => {
    const unknown = await sim(['fault', root, 'dumpExplode=true']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /Unknown fault 'dumpExplode'/);
    const bad = await sim(['fault', root, 'stopSeconds=soon']);
    assert.notEqual(bad.code, 0);
    setFaults(root, { stopSeconds: 2, stopRefuse: true }, true);
    const removed = await sim(['fault', root, 'stopSeconds=']);
    assert.deepEqual(JSON.parse(removed.stdout), { stopRefuse: true });
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(root, 'sim', 'faults.json'), 'utf8')), { stopRefuse: true });
  });
});

describe('fault switches and behaviour: the stand-in mongodump', () => {
  let root = '';
  let n = 0;
  let cfg = '';
  let pw = '';
  let user = '';
  before(async () => {
    ({ root } = await createHost(['--variant', 'self-managed', '--db-mb', '0.6']));
    pw = hostJson(root).selfManaged.password;
    user = hostJson(root).selfManaged.username;
    cfg = path.join(root, 'temp', 'mongodump.yaml');
    fs.writeFileSync(cfg, `password: "${pw}"\n`, { mode: 0o600 });
  });
  afterEach(() => setFaults(root, {}, true));
  after(() => destroyHost(root));

  const baseArgs = (out: string, config = cfg) => ['--host', '127.0.0.1', '--port', '27017', '--username', user, '--authenticationDatabase', 'admin', '--config', config, '--gzip', '--out', out];
  const outDir = () => path.join(root, 'temp', `md${++n}`);

  it('dumps gzipped collections whose counts match its own log, and records argv without the password', async () => {
    const out = outDir();
    const r = await mongodump(root, baseArgs(out));
    assert.equal(r.code, 0, r.stderr);
    const d = parseDump(out);
    assert.equal(d.errors.size, 0);
    assert.deepEqual(d.databases, ['AlteryxGallery', 'AlteryxGallery_Lucene', 'AlteryxService']);
    assert.ok(fs.existsSync(path.join(out, 'AlteryxGallery', 'users.bson.gz')));
    assert.ok(fs.existsSync(path.join(out, 'AlteryxGallery', 'users.metadata.json.gz')));
    assert.deepEqual(new Map([...d.counts].sort()), new Map([...parseDumpLog(r.stderr)].sort()));
    const records = fs.readFileSync(path.join(root, 'sim', 'mongodump-argv.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const last = records[records.length - 1];
    assert.deepEqual(last.argv, baseArgs(out));
    assert.deepEqual({ path: last.configFile.path, existed: last.configFile.existed, mode: last.configFile.mode }, { path: cfg, existed: true, mode: '0600' });
    assert.ok(!fs.readFileSync(path.join(root, 'sim', 'mongodump-argv.jsonl'), 'utf8').includes(pw));
  });

  it('--db limits the dump to one database; --quiet silences the log', async () => {
    const out = outDir();
    const r = await mongodump(root, [...baseArgs(out), '--db', 'AlteryxGallery', '--authenticationDatabase', 'admin', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(parseDump(out).databases, ['AlteryxGallery']);
    assert.equal(r.stderr, '');
  });

  it('accepts --uri with the user in it', async () => {
    const out = outDir();
    const r = await mongodump(root, [`--uri=mongodb://${user}@127.0.0.1:27017/?authSource=admin`, `--config=${cfg}`, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(parseDump(out).errors.size, 0);
    assert.ok(fs.existsSync(path.join(out, 'AlteryxGallery', 'users.bson')), 'no --gzip: plain .bson');
  });

  it('fails authentication with a wrong password in --config, or with none', async () => {
    const wrong = path.join(root, 'temp', 'wrong.yaml');
    fs.writeFileSync(wrong, "password: 'not-it'\n", { mode: 0o600 });
    const r = await mongodump(root, baseArgs(outDir(), wrong));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\tFailed: .*\(AuthenticationFailed\) Authentication failed\./);
    const none = await mongodump(root, ['--host', '127.0.0.1', '--username', user, '--out', outDir()]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /Authentication failed/);
  });

  it('mongodumpAuthFail fails even with the right password', async () => {
    setFaults(root, { mongodumpAuthFail: true });
    const r = await mongodump(root, baseArgs(outDir()));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Authentication failed/);
  });

  it('mongodumpUnreachable, or a wrong port: connection refused', async () => {
    setFaults(root, { mongodumpUnreachable: true });
    const r = await mongodump(root, baseArgs(outDir()));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /server selection error.*connection refused/);
    setFaults(root, {}, true);
    const port = await mongodump(root, ['--host', '127.0.0.1', '--port', '27999', '--username', user, '--config', cfg, '--out', outDir()]);
    assert.equal(port.code, 1);
    assert.match(port.stderr, /27999.*connection refused/);
  });

  it('mongodumpExitCode: exits non-zero after a whole dump', async () => {
    setFaults(root, { mongodumpExitCode: 2 });
    const out = outDir();
    const r = await mongodump(root, baseArgs(out));
    assert.equal(r.code, 2);
    assert.equal(parseDump(out).errors.size, 0);
  });

  it('mongodumpPartial: the largest collection is cut mid-document; exit 0', async () => {
    setFaults(root, { mongodumpPartial: true });
    const out = outDir();
    const r = await mongodump(root, baseArgs(out));
    assert.equal(r.code, 0);
    assert.deepEqual([...parseDump(out).errors.keys()], [LARGEST]);
  });

  it('mongodumpHang: writes the first collection, then hangs until killed', async () => {
    setFaults(root, { mongodumpHang: true });
    const child = spawn(path.join(root, 'mongodb-tools', 'bin', 'mongodump'), baseArgs(outDir()), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (parseDumpLog(stderr).size < 1) {
        assert.ok(Date.now() < deadline, 'the first collection is written');
        await sleep(20);
      }
      await sleep(700);
      assert.equal(child.exitCode, null, 'still running');
      assert.equal(parseDumpLog(stderr).size, 1);
    } finally {
      child.kill('SIGKILL');
    }
    assert.equal(await exited, null);
  });

  it('rejects unknown options with exit 3, like mongodump', async () => {
    const r = await mongodump(root, ['--frobnicate', '--out', outDir()]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /unknown option/);
  });
});
