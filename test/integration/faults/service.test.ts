import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { forceState, readServiceRecord } from '../../../src/sim/service-control';
import { findEngineProcesses, isPidAlive, killPid } from '../../../src/sim/sim-processes';
import { launchWorkflow } from '../../../src/sim/workflows';
import { sim } from '../sim/sim-harness';
import {
  assertFailed,
  assertNoNewOfficial,
  assertPreviousVerifies,
  assertServiceAsBefore,
  assertUnharmed,
  assertVerifies,
  backupDirs,
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
  stagingLeft,
  tail,
  takeBaseline,
  goodBackup,
  resetAll,
  type FaultHost,
} from './fault-harness';

/** Service faults (RELIABILITY.md), each through the real CLI on a simulated host. */
describe('service faults', () => {
  let h: FaultHost;
  before(async () => {
    h = await createFaultHost();
  });
  after(() => destroyFaultHost(h));

  const full = (extra: Record<string, unknown> = {}, configPath = h.configPath) =>
    runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'Full', ...extra } });
  const count = (names: string[], n: string) => names.filter((x) => x === n).length;

  test('the service will not stop within MaxServiceWait (stop ignored): exit 2, one stop sent, service left Running', async () => {
    const b = await prepare(h);
    setFaults(h.root, { stopRefuse: true });
    const r = await full({ MaxServiceWait: 2 });
    assertFailed(r, 2, 'SERVICE_STOP_TIMEOUT');
    const ev = eventNames(b, h.root);
    assert.equal(count(ev, 'stop-requested'), 1, `exactly one stop control: ${ev.join(',')}`);
    assert.ok(ev.includes('stop-ignored'), ev.join(','));
    assert.ok(!ev.includes('dump-started'), 'no dump without a stopped service');
    assert.deepEqual(stagingLeft(h), []);
    assert.ok(!fs.existsSync(MARKER(h)), 'no state marker left: the service is Running');
    await assertUnharmed(h, b);
  });

  test('stuck in StopPending: exit 2, never a second stop; honest end state StopPending; state --set Stopped + Repair brings it back', async () => {
    const b = await prepare(h);
    setFaults(h.root, { stopStuck: true });
    const r = await full({ MaxServiceWait: 2 });
    assertFailed(r, 2, 'SERVICE_STOP_TIMEOUT');
    const ev = eventNames(b, h.root);
    assert.equal(count(ev, 'stop-requested'), 1, `never a second stop while StopPending: ${ev.join(',')}`);
    assert.equal(count(ev, 'start-requested'), 0, 'no start can be sent to a StopPending service');
    assert.ok(!ev.includes('dump-started'));
    assert.match(logText(r), /CRITICAL/, 'the log says the service is down');
    // Honest: a hung service process stays StopPending; nothing in our power moves it.
    assert.equal(readServiceRecord(h.root).state, 'StopPending');
    assert.ok(fs.existsSync(MARKER(h)), 'the state marker still says what to repair');
    assertNoNewOfficial(b);
    await assertPreviousVerifies(h, b);

    // The administrator kills the hung process (sc queryex + taskkill); the repair starts it.
    setFaults(h.root, {}, true);
    assert.equal((await sim(['state', h.root, '--set', 'Stopped'])).code, 0);
    const rep = await runCli('Repair-AlteryxBackupState', { configPath: h.configPath });
    assert.equal(rep.exitCode, 0, tail(rep));
    assert.equal(rep.result!.data.outcome, 'repaired');
    assert.ok(!fs.existsSync(MARKER(h)));
    await assertUnharmed(h, b);
  });

  test('stuck in StartPending after the dump: exit 2, CRITICAL, no archive; after state --set Stopped the next run repairs first and succeeds', async () => {
    const b = await prepare(h);
    setFaults(h.root, { startStuck: true });
    const r = await full({ MaxServiceWait: 3 });
    assertFailed(r, 2, 'SERVICE_START_TIMEOUT');
    const ev = eventNames(b, h.root);
    assert.ok(ev.includes('dump-finished'), 'the dump ran');
    assert.equal(count(ev, 'start-requested'), 1, `a StartPending service is waited for, not sent another start: ${ev.join(',')}`);
    assert.match(logText(r), /CRITICAL: AlteryxService could not be started again/);
    assert.equal(readServiceRecord(h.root).state, 'StartPending', 'honest: the sim hangs in StartPending');
    assert.ok(fs.existsSync(MARKER(h)));
    assert.deepEqual(stagingLeft(h), []);
    assertNoNewOfficial(b);
    await assertPreviousVerifies(h, b);

    setFaults(h.root, {}, true);
    assert.equal((await sim(['state', h.root, '--set', 'Stopped'])).code, 0);
    const again = await full();
    assert.equal(again.exitCode, 0, tail(again));
    assert.match(logText(again), /An earlier run had left the service stopped/);
    assert.ok(!fs.existsSync(MARKER(h)));
    const name = path.basename(again.result!.data.ArchivePath);
    assertServiceAsBefore(b);
    assertNoNewOfficial(b, [name, `${name}.sha256`]);
    await assertPreviousVerifies(h, b);
  });

  test('will not restart after the dump (startFail): exit 2 with CRITICAL, no archive published; Repair-AlteryxBackupState starts it once it can', async () => {
    const b = await prepare(h);
    setFaults(h.root, { startFail: true });
    const r = await full();
    assertFailed(r, 2, 'SERVICE_START_FAILED');
    assert.match(logText(r), /CRITICAL: AlteryxService could not be started again.*Start it by hand/);
    const ev = eventNames(b, h.root);
    assert.ok(ev.includes('dump-finished'));
    assert.ok(ev.includes('start-failed'));
    assert.ok(!r.result!.data.ArchivePath, 'no archive in the summary');
    assert.equal(readServiceRecord(h.root).state, 'Stopped', 'honest: the sim will not start');
    assert.ok(fs.existsSync(MARKER(h)), 'the marker lists the node still down');
    assertNoNewOfficial(b);
    await assertPreviousVerifies(h, b);

    setFaults(h.root, {}, true);
    const rep = await runCli('Repair-AlteryxBackupState', { configPath: h.configPath });
    assert.equal(rep.exitCode, 0, tail(rep));
    assert.equal(rep.result!.data.outcome, 'repaired');
    await assertUnharmed(h, b);
  });

  test('already Stopped before the run: the backup succeeds and the service is left Stopped', async () => {
    await resetAll(h);
    const prev = await goodBackup(h, 'ConfigOnly');
    await forceState(h.root, 'Stopped');
    const b = takeBaseline(h, prev);
    const r = await full();
    assert.equal(r.exitCode, 0, tail(r));
    const ev = eventNames(b, h.root);
    assert.ok(!ev.includes('stop-requested') && !ev.includes('start-requested'), ev.join(','));
    assert.ok(ev.includes('dump-finished'));
    assert.equal(r.result!.data.DowntimeSeconds, null, 'no downtime caused by us');
    const name = path.basename(r.result!.data.ArchivePath);
    assertServiceAsBefore(b);
    assert.equal(readServiceRecord(h.root).state, 'Stopped');
    assertNoNewOfficial(b, [name, `${name}.sha256`]);
    await assertPreviousVerifies(h, b);
    await assertVerifies(h, r.result!.data.ArchivePath);
    for (const d of backupDirs(h)) assert.ok(fs.existsSync(path.join(d, name)), d);
  });

  for (const state of ['Paused', 'Disabled'] as const) {
    test(`${state} before the run: exit 3 SERVICE_NOT_USABLE and nothing touched`, async () => {
      await resetAll(h);
      const prev = await goodBackup(h, 'ConfigOnly');
      await forceState(h.root, state);
      const b = takeBaseline(h, prev);
      const r = await full();
      assertFailed(r, 3, 'SERVICE_NOT_USABLE');
      const ev = newEvents(b, h.root).filter((e) => e.event !== 'command');
      assert.deepEqual(
        ev.map((e) => e.event),
        [],
        'no stop-requested, start-requested or dump',
      );
      assert.deepEqual(stagingLeft(h), []);
      assert.ok(!fs.existsSync(MARKER(h)));
      await assertUnharmed(h, b);
      assert.equal(readServiceRecord(h.root).state, state === 'Paused' ? 'Paused' : 'Stopped');
    });
  }

  test('workflows still running at MaxWorkflowWaitSeconds without ForceStopWorkflows: exit 2, service Running, workflow alive', async () => {
    const b = await prepare(h);
    const cfg = configVariant(h, 'no-force', (c) => {
      c.ServiceConfiguration.MaxWorkflowWaitSeconds = 1;
      c.ServiceConfiguration.ForceStopWorkflows = false;
    });
    const pid = launchWorkflow(h.root, 60, 'fault-test');
    try {
      const r = await full({}, cfg);
      assertFailed(r, 2, 'WORKFLOW_WAIT_TIMEOUT');
      const ev = eventNames(b, h.root);
      assert.ok(!ev.includes('stop-requested'), ev.join(','));
      assert.ok(!ev.includes('workflow-killed'));
      assert.ok(isPidAlive(pid), 'the workflow is still running');
      assert.ok(findEngineProcesses(h.root).some((p) => p.pid === pid));
      assert.deepEqual(stagingLeft(h), []);
      await assertUnharmed(h, b);
    } finally {
      killPid(pid);
    }
  });

  test('workflows still running at MaxWorkflowWaitSeconds with ForceStopWorkflows: killed, then the backup succeeds', async () => {
    const b = await prepare(h);
    const cfg = configVariant(h, 'force', (c) => {
      c.ServiceConfiguration.MaxWorkflowWaitSeconds = 1;
      c.ServiceConfiguration.ForceStopWorkflows = true;
    });
    const pid = launchWorkflow(h.root, 60, 'fault-test');
    try {
      const r = await full({}, cfg);
      assert.equal(r.exitCode, 0, tail(r));
      assert.ok(!isPidAlive(pid), 'the workflow was killed');
      const ev = newEvents(b, h.root);
      const killed = ev.findIndex((e) => e.event === 'workflow-killed' && e.workflowPid === pid);
      const stop = ev.findIndex((e) => e.event === 'stop-requested');
      assert.ok(killed >= 0 && stop > killed, `killed before the stop: ${ev.map((e) => e.event).join(',')}`);
      assert.match(logText(r), /ForceStopWorkflows is set: killing 1 workflow/);
      const name = path.basename(r.result!.data.ArchivePath);
      assertServiceAsBefore(b);
      assertNoNewOfficial(b, [name, `${name}.sha256`]);
      await assertPreviousVerifies(h, b);
      await assertVerifies(h, r.result!.data.ArchivePath);
    } finally {
      killPid(pid);
    }
  });
});
