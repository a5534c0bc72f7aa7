import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { readServiceRecord } from '../../../src/sim/service-control';
import { findAllSimProcesses, isPidAlive } from '../../../src/sim/sim-processes';
import { readZip } from '../../helpers/zip-reader';
import {
  assertFailed,
  assertUnharmed,
  configVariant,
  createFaultHost,
  destroyFaultHost,
  eventNames,
  logText,
  MARKER,
  newEvents,
  prepare,
  runCli,
  setFaults,
  tail,
  type FaultHost,
} from './fault-harness';

/** Issue 11: process trees and hung stops, through the real CLI on a simulated host. */
describe('real-server faults: surviving dump children and hung stops', () => {
  let h: FaultHost;
  before(async () => {
    h = await createFaultHost();
  });
  after(() => destroyFaultHost(h));

  test('a dump that hangs with a child surviving its parent: after the timeout no process of the tree lives, the service is Running, exit 5', async () => {
    const b = await prepare(h);
    const cfg = configVariant(h, 'hang-child', (c) => (c.MongoDBConfiguration.DumpTimeoutSeconds = 3));
    setFaults(h.root, { dumpChildSurvives: true });
    const r = await runCli('Invoke-AlteryxBackup', { configPath: cfg, parameters: { BackupMode: 'Full' } });
    assertFailed(r, 5, 'EMONGODUMP_TIMEOUT');
    const child = newEvents(b, h.root).find((e) => e.event === 'mongod-child-started');
    assert.ok(child, 'the fault started its child');
    assert.equal(isPidAlive(child!.childPid), false, 'the surviving child was ended with its process group');
    assert.equal(isPidAlive(child!.parentPid), false, 'the hung emongodump was ended');
    const leftovers = findAllSimProcesses(h.root).filter((p) => p !== readServiceRecord(h.root).daemonPid);
    assert.deepEqual(leftovers, [], 'no process of the dump tree is alive');
    assert.equal(readServiceRecord(h.root).state, 'Running');
    const ev = eventNames(b, h.root);
    assert.ok(ev.lastIndexOf('running') > ev.indexOf('mongod-child-started'), `restarted after the dump: ${ev.join(',')}`);
    setFaults(h.root, {}, true);
    await assertUnharmed(h, b);
  });

  test('StopPending forever with ForceStopServiceAfterSeconds: force-ended, the backup goes on, a WARNING in the log and the manifest', async () => {
    const b = await prepare(h);
    const cfg = configVariant(h, 'force-stop', (c) => (c.ServiceConfiguration.ForceStopServiceAfterSeconds = 2));
    setFaults(h.root, { stopStuck: true });
    const r = await runCli('Invoke-AlteryxBackup', { configPath: cfg, parameters: { BackupMode: 'Full' } });
    assert.equal(r.exitCode, 0, tail(r));
    const ev = eventNames(b, h.root);
    assert.ok(ev.includes('stop-pending') && ev.indexOf('service-force-ended') > ev.indexOf('stop-pending'), ev.join(','));
    assert.ok(ev.includes('dump-finished'), 'the backup went on');
    assert.equal(readServiceRecord(h.root).state, 'Running');
    assert.match(logText(r), /StopPending for 2 s .*ending its process tree/);
    const m = JSON.parse((await readZip(r.result!.data.ArchivePath)).get('BackupManifest.json')!.toString('utf8'));
    assert.ok(m.Warnings.some((w: string) => /ForceStopServiceAfterSeconds/.test(w)), JSON.stringify(m.Warnings));
    assert.deepEqual(m.ServiceInformation.ForceStoppedNodes, [m.SystemInformation.ServerHostname]);
    assert.ok(!fs.existsSync(MARKER(h)));
    setFaults(h.root, {}, true);
  });
});
