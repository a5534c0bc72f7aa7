import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CancelledError, ServiceTimeoutError, ValidationError } from '../../../src/core/errors';
import { serviceStateOf, startServiceSafely, stopServiceSafely, testServiceState } from '../../../src/service/service-controller';
import { ServiceSession } from '../../../src/service/service-session';
import type { ServiceEvent } from '../../../src/service/service-types';
import { markerPath, readStateMarker } from '../../../src/service/state-marker';
import { buildTopology } from '../../../src/service/topology';
import { launchWorkflow } from '../../../src/sim/workflows';
import { forceState, readServiceRecord } from '../../../src/sim/service-control';
import { createSimHost, FAST, firstTs, memoryLog, pidAlive, type SimHost } from './sim-host';

/**
 * Every service fault from RELIABILITY.md, against a real simulated service
 * process. Each test asserts the final state by asking the simulated service.
 */
describe('service control on the simulated host', () => {
  let h: SimHost;
  let t0 = 0;
  before(async () => {
    h = await createSimHost('embedded');
  });
  after(() => h?.destroy());
  beforeEach(async () => {
    await h.reset();
    t0 = Date.now();
  });

  function base(extra: Record<string, unknown> = {}) {
    const events: ServiceEvent[] = [];
    return { o: { ...FAST, platform: h.platform, log: memoryLog(), onEvent: (e: ServiceEvent) => events.push(e), ...extra }, events };
  }

  function session(extra: Partial<typeof FAST> = {}) {
    return new ServiceSession({
      ...FAST,
      ...extra,
      platform: h.platform,
      topology: buildTopology([], h.platform.hostname()),
      tempDirectory: h.tempDir,
      log: memoryLog(),
    });
  }

  it('stops through StopPending and starts through StartPending, sending each control once', async () => {
    h.faults({ stopSeconds: 0.3, startSeconds: 0.3 });
    const { o, events } = base();
    const stopped = await stopServiceSafely(o);
    assert.equal(stopped.InitialState, 'Running');
    assert.equal(stopped.RequiresRollback, true);
    assert.equal(h.state(), 'Stopped');
    const started = await startServiceSafely(o);
    assert.equal(started.CurrentState, 'Running');
    assert.equal(h.state(), 'Running');
    const names = h.events(undefined, t0).map((e) => e.event);
    assert.deepEqual(
      names.filter((n) => ['stop-requested', 'stop-pending', 'stopped', 'start-requested', 'start-pending', 'running'].includes(n)),
      ['stop-requested', 'stop-pending', 'stopped', 'start-requested', 'start-pending', 'running'],
    );
    assert.deepEqual(events, [{ event: 'stopped', host: undefined }, { event: 'started', host: undefined }]);
  });

  it('Test-AlteryxServiceState sees real workflows and changes nothing', async () => {
    const pid = launchWorkflow(h.root, 30, 'test');
    const info = await testServiceState(h.platform, 'AlteryxService');
    assert.equal(info.CurrentState, 'Running');
    assert.equal(info.HasActiveWorkflows, true);
    assert.ok(pidAlive(pid));
    assert.equal(h.state(), 'Running');
  });

  it('waits for a workflow to finish, then stops', async () => {
    const pid = launchWorkflow(h.root, 0.5, 'test');
    const { o } = base();
    const info = await stopServiceSafely(o);
    assert.equal(info.HasActiveWorkflows, true);
    assert.deepEqual(info.KilledWorkflowPids, []);
    assert.ok(info.WorkflowCheckCount > 1);
    const ev = h.events(undefined, t0);
    assert.ok(ev.some((e) => e.event === 'workflow-ended' && e.workflowPid === pid), 'the workflow ended on its own');
    assert.ok(!ev.some((e) => e.event === 'workflow-killed'));
    assert.ok(firstTs(ev, 'workflow-ended') <= firstTs(ev, 'stop-requested'));
    assert.equal(h.state(), 'Stopped');
  });

  it('workflows still running at the timeout, without force: exit 2, service left Running, workflow alive', async () => {
    const pid = launchWorkflow(h.root, 60, 'test');
    const { o, events } = base({ maxWorkflowWaitSeconds: 0.4 });
    await assert.rejects(stopServiceSafely(o), (e: unknown) => {
      assert.ok(e instanceof ServiceTimeoutError);
      assert.equal(e.exitCode, 2);
      assert.equal(e.code, 'WORKFLOW_WAIT_TIMEOUT');
      return true;
    });
    assert.equal(h.state(), 'Running');
    assert.ok(pidAlive(pid), 'the workflow is still running');
    assert.ok(!h.events(undefined, t0).some((e) => e.event === 'stop-requested'));
    assert.deepEqual(events, []);
  });

  it('workflows still running at the timeout, with ForceStopWorkflows: killed, then the service stops', async () => {
    const pids = [launchWorkflow(h.root, 60, 'test'), launchWorkflow(h.root, 60, 'test')];
    const { o } = base({ maxWorkflowWaitSeconds: 0.4, forceStopWorkflows: true });
    const info = await stopServiceSafely(o);
    assert.deepEqual([...info.KilledWorkflowPids].sort(), [...pids].sort());
    for (const pid of pids) assert.equal(pidAlive(pid), false, `workflow ${pid} is dead`);
    assert.equal(h.state(), 'Stopped');
    const ev = h.events(undefined, t0);
    const killedAt = Math.max(...ev.filter((e) => e.event === 'workflow-killed' && e.reason === 'platform.kill').map((e) => e.ts));
    assert.ok(killedAt <= firstTs(ev, 'stop-requested'), 'killed before the stop');
    await startServiceSafely(o);
    assert.equal(h.state(), 'Running');
  });

  it('the service refuses to stop: exit 2 after the wait, one stop only, and the session leaves it Running', async () => {
    h.faults({ stopRefuse: true });
    const s = session({ maxServiceWaitSeconds: 0.6 });
    await assert.rejects(s.stop(), (e: unknown) => e instanceof ServiceTimeoutError && e.code === 'SERVICE_STOP_TIMEOUT');
    await s.restore();
    assert.equal(h.state(), 'Running');
    assert.equal(h.events(undefined, t0).filter((e) => e.event === 'stop-requested').length, 1);
    assert.equal(fs.existsSync(markerPath(h.tempDir)), false);
  });

  it('stuck in StopPending: exit 2, never a second stop; restore brings it back once the hung process is gone', async () => {
    h.faults({ stopStuck: true });
    const s = session({ maxServiceWaitSeconds: 0.6 });
    await assert.rejects(s.stop(), (e: unknown) => {
      assert.ok(e instanceof ServiceTimeoutError && e.code === 'SERVICE_STOP_TIMEOUT');
      assert.equal(serviceStateOf(e)?.CurrentState, 'StopPending');
      return true;
    });
    assert.equal(h.state(), 'StopPending');
    assert.equal(h.events(undefined, t0).filter((e) => e.event === 'stop-requested').length, 1);
    // Still hung: restore cannot start a StopPending service; it says so and keeps the marker.
    await assert.rejects(s.restore(), (e: unknown) => e instanceof ServiceTimeoutError && e.code === 'SERVICE_START_TIMEOUT');
    assert.equal(h.events(undefined, t0).filter((e) => e.event === 'stop-requested').length, 1, 'restore sent no stop');
    assert.equal(h.events(undefined, t0).filter((e) => e.event === 'start-requested').length, 0, 'nor a start into StopPending');
    assert.deepEqual((await readStateMarker(h.tempDir))?.stoppedNodes.map((n) => n.host), [null]);
    assert.ok(s.needsRestore);
    // The administrator kills the hung service process; the next restore starts it.
    h.faults({});
    await forceState(h.root, 'Stopped');
    await s.restore({ maxServiceWaitSeconds: FAST.maxServiceWaitSeconds });
    assert.equal(h.state(), 'Running');
    assert.equal(s.needsRestore, false);
    assert.equal(fs.existsSync(markerPath(h.tempDir)), false);
  });

  it('stuck in StartPending on restore: exit 2 and the marker stays; a later restore finishes the job', async () => {
    const s = session();
    await s.stop();
    assert.equal(h.state(), 'Stopped');
    h.faults({ startStuck: true });
    await assert.rejects(s.restore({ maxServiceWaitSeconds: 0.6 }), (e: unknown) => e instanceof ServiceTimeoutError && e.code === 'SERVICE_START_TIMEOUT');
    assert.equal(h.state(), 'StartPending');
    assert.equal(h.events(undefined, t0).filter((e) => e.event === 'start-requested').length, 1, 'one start only');
    assert.ok(fs.existsSync(markerPath(h.tempDir)));
    h.faults({});
    await forceState(h.root, 'Stopped'); // the hung start is killed
    await s.restore();
    assert.equal(h.state(), 'Running');
    assert.equal(fs.existsSync(markerPath(h.tempDir)), false);
  });

  it("won't restart after the dump: retries, then SERVICE_START_FAILED (exit 2), marker kept", async () => {
    const s = session();
    await s.stop();
    h.faults({ startFail: true });
    await assert.rejects(s.restore(), (e: unknown) => e instanceof ServiceTimeoutError && e.code === 'SERVICE_START_FAILED' && e.exitCode === 2);
    assert.equal(h.state(), 'Stopped');
    assert.equal(h.events(undefined, t0).filter((e) => e.event === 'start-requested').length, 3);
    assert.ok(s.needsRestore);
    assert.ok(fs.existsSync(markerPath(h.tempDir)));
    h.faults({});
    await s.restore();
    assert.equal(h.state(), 'Running');
  });

  it('already stopped: the session stops nothing, starts nothing, and the service stays Stopped', async () => {
    await forceState(h.root, 'Stopped');
    t0 = Date.now();
    const s = session();
    const states = await s.stop();
    assert.equal(states[0].InitialState, 'Stopped');
    assert.equal(states[0].RequiresRollback, false);
    assert.equal(s.wasAlreadyStopped, true);
    await s.restore();
    assert.equal(h.state(), 'Stopped');
    const names = h.events(undefined, t0).map((e) => e.event);
    assert.ok(!names.includes('stop-requested') && !names.includes('start-requested'), names.join(','));
    assert.equal(s.downtime(), null);
  });

  it('paused: refused with exit 3, and it stays Paused', async () => {
    await forceState(h.root, 'Paused');
    t0 = Date.now();
    await assert.rejects(session().stop(), (e: unknown) => e instanceof ValidationError && e.code === 'SERVICE_NOT_USABLE' && e.exitCode === 3);
    assert.equal(h.state(), 'Paused');
    assert.ok(!h.events(undefined, t0).some((e) => e.event === 'stop-requested'));
  });

  it('disabled: refused with exit 3, and it stays Stopped and Disabled', async () => {
    await forceState(h.root, 'Disabled');
    await assert.rejects(session().stop(), (e: unknown) => e instanceof ValidationError && e.code === 'SERVICE_NOT_USABLE');
    assert.equal(h.state(), 'Stopped');
    assert.equal(h.startType(), 'Disabled');
  });

  it('Ctrl+C while waiting for workflows: cancelled, nothing was touched', async () => {
    const pid = launchWorkflow(h.root, 60, 'test');
    const ac = new AbortController();
    const s = session({ maxWorkflowWaitSeconds: 60 });
    const stopping = s.stop(ac.signal);
    setTimeout(() => ac.abort(new CancelledError('interrupted (SIGINT)')), 200);
    await assert.rejects(stopping, CancelledError);
    await s.restore();
    assert.equal(h.state(), 'Running');
    assert.ok(pidAlive(pid));
    assert.ok(!h.events(undefined, t0).some((e) => e.event === 'stop-requested'));
  });

  it('Ctrl+C while the service is stopping: cancelled, and the service is started again before stop() returns', async () => {
    h.faults({ stopSeconds: 1 });
    const ac = new AbortController();
    const s = session();
    const stopping = s.stop(ac.signal);
    // Abort once the stop is under way.
    const deadline = Date.now() + 5000;
    while (readServiceRecord(h.root).state !== 'StopPending' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    ac.abort(new CancelledError('interrupted (SIGINT)'));
    await assert.rejects(stopping, CancelledError);
    // stop() itself rolls back (not abortable) before rethrowing: the service is already back.
    assert.equal(h.state(), 'Running');
    assert.equal(s.needsRestore, false);
    assert.ok(s.sequence.some((x) => x.action === 'start' && x.rollback === true && x.result === 'ok'));
    await s.restore(); // the executor's finally: a no-op now
    assert.equal(h.state(), 'Running');
    assert.equal(h.events(undefined, t0).filter((e) => e.event === 'start-requested').length, 1);
    assert.equal(fs.existsSync(markerPath(h.tempDir)), false);
    const d = s.downtime();
    assert.ok(d && d.endedAt !== null);
  });

  it('measures downtime from the stop to Running again, and clears the marker', async () => {
    const s = session();
    await s.stop();
    assert.ok(fs.existsSync(markerPath(h.tempDir)));
    await s.restore();
    const d = s.downtime()!;
    assert.ok(d.endedAt !== null);
    const ev = h.events(undefined, t0);
    // The simulated service's own journal brackets the measured interval.
    assert.ok(Date.parse(d.startedAt) <= firstTs(ev, 'stop-requested'));
    assert.ok(Date.parse(d.endedAt!) >= firstTs(ev, 'running'));
    assert.equal(fs.existsSync(markerPath(h.tempDir)), false);
    assert.equal(h.state(), 'Running');
  });
});
