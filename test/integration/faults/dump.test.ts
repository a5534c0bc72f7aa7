import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Faults } from '../../../src/sim/faults';
import { allPids, procArgv } from '../../../src/sim/sim-processes';
import {
  assertFailed,
  assertUnharmed,
  configVariant,
  createFaultHost,
  destroyFaultHost,
  eventNames,
  MARKER,
  newEvents,
  prepare,
  runCli,
  setFaults,
  stagingLeft,
  type FaultHost,
} from './fault-harness';
import { hostJson } from '../backup/backup-harness';

/**
 * emongodump faults: a failed or damaged dump means no backup. Each run must
 * end with exit 5, the service Running again, and nothing published.
 */
describe('emongodump faults', () => {
  let h: FaultHost;
  let hangConfig: string;
  before(async () => {
    h = await createFaultHost();
    hangConfig = configVariant(h, 'dump-timeout', (c) => {
      c.MongoDBConfiguration.DumpTimeoutSeconds = 2;
    });
  });
  after(() => destroyFaultHost(h));

  const cases: Array<{ name: string; faults: Faults; code: string; message: RegExp; config?: () => string }> = [
    { name: 'exits non-zero (complete dump, no failure text)', faults: { dumpExitCode: 3 }, code: 'EMONGODUMP_FAILED', message: /exit(ed)? (with )?code 3|code 3/i },
    { name: 'prints "EMongoDump failed" yet exits 0', faults: { dumpFailText: true }, code: 'EMONGODUMP_FAILED', message: /EMongoDump failed/ },
    { name: 'writes a partial dump (a document cut in half)', faults: { dumpPartial: true }, code: 'DUMP_VERIFICATION_FAILED', message: /AS_Applications/ },
    { name: 'flips a bit (a document not terminated by 0x00)', faults: { dumpBitFlip: true }, code: 'DUMP_VERIFICATION_FAILED', message: /AS_Applications/ },
    { name: 'writes an empty dump', faults: { dumpEmpty: true }, code: 'DUMP_VERIFICATION_FAILED', message: /./ },
    { name: 'leaves out a database', faults: { dumpMissingDb: 'AlteryxGallery' }, code: 'DUMP_VERIFICATION_FAILED', message: /AlteryxGallery/ },
    { name: 'loses documents the log still claims', faults: { dumpMissingDocs: 2 }, code: 'DUMP_VERIFICATION_FAILED', message: /AS_Applications/ },
    { name: 'hangs (killed at DumpTimeoutSeconds)', faults: { dumpHang: true }, code: 'EMONGODUMP_TIMEOUT', message: /DumpTimeoutSeconds/, config: () => hangConfig },
  ];

  for (const c of cases) {
    test(`emongodump ${c.name}: exit 5 ${c.code}, service Running, no archive`, async () => {
      const b = await prepare(h);
      setFaults(h.root, c.faults);
      const r = await runCli('Invoke-AlteryxBackup', { configPath: c.config?.() ?? h.configPath, parameters: { BackupMode: 'Full' } });
      assertFailed(r, 5, c.code);
      assert.match(r.result!.error!.message, c.message);
      const ev = eventNames(b, h.root);
      assert.ok(ev.includes('dump-started'), ev.join(','));
      assert.ok(ev.includes('stop-requested') && ev.lastIndexOf('running') > ev.indexOf('dump-started'), `restarted after the dump: ${ev.join(',')}`);
      const phases = new Map<string, string>(r.result!.data.Phases.map((p: { Phase: string; Status: string }) => [p.Phase, p.Status]));
      assert.equal(phases.get('BackupMongoDB'), 'Failed');
      assert.equal(phases.get('Archive'), 'NotRun');
      assert.deepEqual(stagingLeft(h), [], 'the staging folder (with the bad dump) is removed');
      assert.ok(!fs.existsSync(MARKER(h)));
      if (c.faults.dumpHang) {
        assert.ok(!newEvents(b, h.root).some((e) => e.event === 'dump-finished'), 'the hung dump never finished');
        const hung = allPids().filter((pid) => (procArgv(pid) ?? []).some((a) => a.startsWith('emongodump=') && a.includes(h.root)));
        assert.deepEqual(hung, [], 'the hung emongodump was killed');
      }
      setFaults(h.root, {}, true);
      await assertUnharmed(h, b);
    });
  }
});

/**
 * The same promise for self-managed MongoDB (stand-in mongodump): exit 5,
 * nothing published; the service is stopped only with StopServiceForExternalDB,
 * and then it is Running again.
 */
describe('mongodump faults (self-managed MongoDB)', () => {
  let h: FaultHost;
  let secrets: Record<string, string>;
  let stopping: string;
  let stoppingHang: string;
  before(async () => {
    h = await createFaultHost(['--variant', 'self-managed'], { fullBackup: false });
    secrets = { MongoPassword: hostJson(h.root).selfManaged.password };
    // The default Database is empty (the whole instance): a real dump takes longer than the 2 s the hang case needs.
    stopping = configVariant(h, 'stop-for-external', (c) => {
      c.ServiceConfiguration.StopServiceForExternalDB = true;
      c.MongoDBConfiguration.DumpTimeoutSeconds = 60;
    });
    stoppingHang = configVariant(h, 'stop-for-external-hang', (c) => {
      c.ServiceConfiguration.StopServiceForExternalDB = true;
      c.MongoDBConfiguration.DumpTimeoutSeconds = 2;
    });
  });
  after(() => destroyFaultHost(h));

  const cases: Array<{ name: string; faults: Faults; code: string; message: RegExp; stops: boolean }> = [
    { name: 'exits non-zero', faults: { mongodumpExitCode: 2 }, code: 'MONGODUMP_FAILED', message: /exited with code 2/, stops: false },
    { name: 'fails authentication', faults: { mongodumpAuthFail: true }, code: 'MONGODUMP_FAILED', message: /AuthenticationFailed|[Aa]uthentication/, stops: false },
    { name: 'writes a partial dump (StopServiceForExternalDB)', faults: { mongodumpPartial: true }, code: 'DUMP_VERIFICATION_FAILED', message: /bson\.gz/, stops: true },
    { name: 'hangs (StopServiceForExternalDB, killed at DumpTimeoutSeconds)', faults: { mongodumpHang: true }, code: 'MONGODUMP_TIMEOUT', message: /DumpTimeoutSeconds/, stops: true },
  ];

  for (const c of cases) {
    test(`mongodump ${c.name}: exit 5 ${c.code}, service ${c.stops ? 'restarted' : 'untouched'}, no archive, no password in the output`, async () => {
      const b = await prepare(h);
      setFaults(h.root, c.faults);
      const r = await runCli('Invoke-AlteryxBackup', { configPath: c.stops ? (c.faults.mongodumpHang ? stoppingHang : stopping) : h.configPath, parameters: { BackupMode: 'Full' }, secrets });
      assertFailed(r, 5, c.code);
      assert.match(`${r.result!.error!.message}\n${r.result!.error!.details.join('\n')}`, c.message);
      assert.ok(!r.stdout.includes(secrets.MongoPassword) && !r.stderr.includes(secrets.MongoPassword), 'the password is nowhere in the output');
      const ev = eventNames(b, h.root);
      if (!c.faults.mongodumpAuthFail) assert.ok(ev.includes('mongodump-started'), ev.join(','));
      if (c.stops) assert.ok(ev.includes('stop-requested') && ev.lastIndexOf('running') > ev.indexOf('mongodump-started'), ev.join(','));
      else assert.ok(!ev.includes('stop-requested') && !ev.includes('start-requested'), ev.join(','));
      assert.deepEqual(stagingLeft(h), []);
      assert.ok(!fs.existsSync(MARKER(h)));
      if (c.faults.mongodumpHang) {
        const hung = allPids().filter((pid) => (procArgv(pid) ?? []).some((a) => a.endsWith('mongodump.js')) && (procArgv(pid) ?? []).some((a) => a.includes(h.root)));
        assert.deepEqual(hung, [], 'the hung mongodump was killed');
      }
      setFaults(h.root, {}, true);
      await assertUnharmed(h, b);
    });
  }
});
