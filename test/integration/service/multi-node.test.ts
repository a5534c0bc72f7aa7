import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ServiceTimeoutError } from '../../../src/core/errors';
import { ServiceSession } from '../../../src/service/service-session';
import type { ServiceEvent } from '../../../src/service/service-types';
import { markerPath, readStateMarker } from '../../../src/service/state-marker';
import { forceState } from '../../../src/sim/service-control';
import { launchWorkflow } from '../../../src/sim/workflows';
import { createSimHost, FAST, firstTs, lastTs, memoryLog, pidAlive, type SimHost } from './sim-host';

const WORKERS = ['WORKER1', 'WORKER2'];
const UI = 'GALLERY1';
const ALL_REMOTE = [...WORKERS, UI];

/**
 * Each simulated node is its own host with its own service process and its
 * own events.jsonl; the order is read from those journals, not from our log.
 */
describe('multi-node stop and start order on the simulated nodes', () => {
  let h: SimHost;
  let t0 = 0;
  before(async () => {
    h = await createSimHost('multi-node');
  });
  after(() => h?.destroy());
  beforeEach(async () => {
    await h.reset();
    t0 = Date.now();
  });

  function session(events: ServiceEvent[] = [], wait = FAST.maxServiceWaitSeconds) {
    return ServiceSession.fromConfig(
      h.platform,
      {
        ...h.config,
        ServiceConfiguration: { ...h.config.ServiceConfiguration, MaxServiceWaitSeconds: wait, WorkflowPollSeconds: 0.05 },
      },
      { log: memoryLog(), onEvent: (e) => events.push(e), servicePollMs: FAST.servicePollMs },
    );
  }

  it('stops Workers → Gallery → Controller and starts Controller → Gallery → Workers', async () => {
    // Long enough that two Workers stopped in parallel must overlap, however slow the machine.
    for (const w of WORKERS) h.faults({ stopSeconds: 1 }, w);
    const events: ServiceEvent[] = [];
    const s = session(events);
    assert.equal(s.topology.isMultiNode, true);
    await s.stop();
    for (const host of [undefined, ...ALL_REMOTE]) assert.equal(h.state(host), 'Stopped', host ?? 'controller');
    await s.restore();
    for (const host of [undefined, ...ALL_REMOTE]) assert.equal(h.state(host), 'Running', host ?? 'controller');

    const ev = (host?: string) => h.events(host, t0);
    // Shutdown: every Worker is Stopped before the Gallery is asked to stop; the Gallery before the Controller.
    const workersStopped = Math.max(...WORKERS.map((w) => firstTs(ev(w), 'stopped')));
    assert.ok(workersStopped <= firstTs(ev(UI), 'stop-requested'), 'workers down before the gallery stop');
    assert.ok(firstTs(ev(UI), 'stopped') <= firstTs(ev(), 'stop-requested'), 'gallery down before the controller stop');
    // Startup: the Controller is Running before the Gallery is started; the Gallery before any Worker.
    assert.ok(lastTs(ev(), 'running') <= firstTs(ev(UI), 'start-requested'), 'controller up before the gallery start');
    const workersStartRequested = Math.min(...WORKERS.map((w) => firstTs(ev(w), 'start-requested')));
    assert.ok(lastTs(ev(UI), 'running') <= workersStartRequested, 'gallery up before the workers start');
    // Same-role nodes go in parallel: both Workers were asked to stop before either was Stopped.
    const workerStopRequests = Math.max(...WORKERS.map((w) => firstTs(ev(w), 'stop-requested')));
    assert.ok(workerStopRequests <= Math.min(...WORKERS.map((w) => firstTs(ev(w), 'stopped'))), 'workers stopped in parallel');

    // The recorded sequence (for the manifest) says the same.
    const stops = s.sequence.filter((x) => x.action === 'stop').map((x) => x.host);
    assert.deepEqual(stops.slice(0, 2).sort(), WORKERS);
    assert.deepEqual(stops.slice(2), [UI, h.platform.hostname()]);
    const starts = s.sequence.filter((x) => x.action === 'start').map((x) => x.host);
    assert.deepEqual(starts.slice(0, 2), [h.platform.hostname(), UI]);
    assert.deepEqual(starts.slice(2).sort(), WORKERS);
    assert.ok(s.sequence.every((x) => x.result === 'ok' && typeof x.durationMs === 'number' && !Number.isNaN(Date.parse(x.at))));

    // Bridge events name the remote hosts; the controller is local (no host).
    assert.equal(events.filter((e) => e.event === 'stopped').length, 4);
    assert.ok(events.some((e) => e.event === 'stopped' && e.host === undefined));
    assert.ok(events.some((e) => e.event === 'started' && e.host === 'WORKER1'));
    assert.equal(fs.existsSync(markerPath(h.tempDir)), false);
  });

  it('a node stuck in StopPending: the Workers already stopped are started again, the Controller is never stopped', async () => {
    h.faults({ stopStuck: true }, UI);
    const s = session([], 3);
    await assert.rejects(s.stop(), (e: unknown) => e instanceof ServiceTimeoutError && e.code === 'SERVICE_STOP_TIMEOUT');
    assert.ok(!h.events(undefined, t0).some((e) => e.event === 'stop-requested'), 'controller untouched');
    assert.equal(h.state(), 'Running');
    for (const w of WORKERS) {
      assert.equal(h.state(w), 'Running', `${w} started again`);
      assert.ok(firstTs(h.events(w, t0), 'stopped') < firstTs(h.events(w, t0), 'start-requested'));
    }
    assert.equal(h.state(UI), 'StopPending');
    // The hung Gallery is still owed a start, in the session and in the marker.
    assert.deepEqual(s.stoppedNodes.map((n) => n.hostname), [UI]);
    assert.deepEqual((await readStateMarker(h.tempDir))?.stoppedNodes.map((n) => n.hostname), [UI]);
    // Once its hung process is gone, restore() brings it back.
    h.faults({}, UI);
    await forceState(h.nodeRoot(UI), 'Stopped');
    await s.restore();
    for (const host of [undefined, ...ALL_REMOTE]) assert.equal(h.state(host), 'Running', host ?? 'controller');
    assert.equal(fs.existsSync(markerPath(h.tempDir)), false);
  });

  it('a workflow on the Controller is waited for before any Worker goes down', async () => {
    const pid = launchWorkflow(h.root, 0.8, 'test');
    const s = session();
    await s.stop();
    const ended = firstTs(h.events(undefined, t0), 'workflow-ended');
    for (const w of WORKERS) assert.ok(ended <= firstTs(h.events(w, t0), 'stop-requested'), `${w} stopped only after the workflow ended`);
    assert.equal(pidAlive(pid), false);
    assert.ok(!h.events(undefined, t0).some((e) => e.event === 'workflow-killed'));
    await s.restore();
    for (const host of [undefined, ...ALL_REMOTE]) assert.equal(h.state(host), 'Running');
  });

  it('a workflow still running on a Worker at the timeout, without force: no node is stopped, and it keeps running', async () => {
    const pid = launchWorkflow(h.nodeRoot('WORKER2'), 60, 'test');
    const s = ServiceSession.fromConfig(
      h.platform,
      { ...h.config, ServiceConfiguration: { ...h.config.ServiceConfiguration, MaxWorkflowWaitSeconds: 0.5, WorkflowPollSeconds: 0.05 } },
      { log: memoryLog(), servicePollMs: FAST.servicePollMs },
    );
    await assert.rejects(s.stop(), (e: unknown) => e instanceof ServiceTimeoutError && e.code === 'WORKFLOW_WAIT_TIMEOUT');
    for (const host of [undefined, ...ALL_REMOTE]) {
      assert.equal(h.state(host), 'Running');
      assert.ok(!h.events(host, t0).some((e) => e.event === 'stop-requested'), `${host ?? 'controller'} untouched`);
    }
    assert.ok(pidAlive(pid));
  });

  it('a Worker already stopped is left stopped', async () => {
    await forceState(h.nodeRoot('WORKER2'), 'Stopped');
    t0 = Date.now();
    const s = session();
    await s.stop();
    await s.restore();
    assert.equal(h.state('WORKER2'), 'Stopped');
    assert.ok(!h.events('WORKER2', t0).some((e) => e.event === 'start-requested' || e.event === 'stop-requested'));
    for (const host of [undefined, 'WORKER1', UI]) assert.equal(h.state(host), 'Running');
  });

  it('a Worker that will not start: everything else is running, the error is exit 2, the marker names it', async () => {
    const s = session();
    await s.stop();
    h.faults({ startFail: true }, 'WORKER1');
    await assert.rejects(s.restore(), (e: unknown) => e instanceof ServiceTimeoutError && e.code === 'SERVICE_START_FAILED');
    for (const host of [undefined, 'WORKER2', UI]) assert.equal(h.state(host), 'Running');
    assert.equal(h.state('WORKER1'), 'Stopped');
    assert.deepEqual((await readStateMarker(h.tempDir))?.stoppedNodes.map((n) => n.hostname), ['WORKER1']);
    h.faults({}, 'WORKER1');
    await s.restore();
    assert.equal(h.state('WORKER1'), 'Running');
  });
});
