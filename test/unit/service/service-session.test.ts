import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ServiceTimeoutError, ValidationError } from '../../../src/core/errors';
import type { ServiceSettings } from '../../../src/service/service-controller';
import { ServiceSession } from '../../../src/service/service-session';
import { markerPath, readStateMarker, repairFromMarker, writeStateMarker, type StateMarker } from '../../../src/service/state-marker';
import { acquireRunLock } from '../../../src/service/run-lock';
import { buildTopology } from '../../../src/service/topology';
import type { BackupConfigFile } from '../../../src/config/config-types';
import { makeTempDir } from '../../helpers/temp-dir';
import { FakePlatform } from './fake-platform';
import { deadPid, liveProcess, memoryLog } from './helpers';

const fast: ServiceSettings = {
  serviceName: 'AlteryxService',
  maxServiceWaitSeconds: 0.5,
  maxWorkflowWaitSeconds: 0.2,
  workflowPollSeconds: 0.05,
  forceStopWorkflows: false,
  servicePollMs: 10,
};

const NODES = [
  { Hostname: 'CTRL', Role: 'Controller' as const },
  { Hostname: 'W1', Role: 'Worker' as const },
  { Hostname: 'W2', Role: 'Worker' as const },
  { Hostname: 'UI', Role: 'ServerUI' as const },
];

function multiNode(): FakePlatform {
  const p = new FakePlatform('CTRL');
  for (const h of [undefined, 'W1', 'W2', 'UI']) p.set(h, 'Running');
  return p;
}

describe('ServiceSession', () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeEach(() => {
    tmp = makeTempDir('axb-session-');
  });
  afterEach(() => tmp.cleanup());

  function session(p: FakePlatform, extra: Partial<ServiceSettings> = {}) {
    return new ServiceSession({ ...fast, ...extra, platform: p, topology: buildTopology(NODES, 'CTRL'), tempDirectory: tmp.dir, log: memoryLog() });
  }

  it('stops Workers → UI → Controller, restores Controller → UI → Workers, and records the sequence', async () => {
    const p = multiNode();
    const s = session(p);
    await s.stop();
    assert.deepEqual(s.stoppedNodes.map((n) => n.hostname).sort(), ['CTRL', 'UI', 'W1', 'W2']);
    assert.ok(s.needsRestore);
    await s.restore();
    const controls = p.controls();
    const idx = (c: string) => controls.indexOf(c);
    assert.ok(Math.max(idx('stop W1'), idx('stop W2')) < idx('stop UI') && idx('stop UI') < idx('stop CTRL'), controls.join(', '));
    assert.ok(idx('start CTRL') < idx('start UI') && idx('start UI') < Math.min(idx('start W1'), idx('start W2')), controls.join(', '));
    assert.equal(s.needsRestore, false);
    assert.equal(fs.existsSync(markerPath(tmp.dir)), false, 'marker cleared once Running again');
    const seq = s.sequence.map((x) => `${x.action} ${x.host} ${x.result}`);
    assert.deepEqual(seq.slice(0, 2).sort(), ['stop W1 ok', 'stop W2 ok']);
    assert.deepEqual(seq.slice(2, 6), ['stop UI ok', 'stop CTRL ok', 'start CTRL ok', 'start UI ok']);
    assert.deepEqual(seq.slice(6).sort(), ['start W1 ok', 'start W2 ok']);
    assert.equal(s.sequence.length, 8);
    assert.ok(s.downtime()!.endedAt !== null);
    await s.restore(); // idempotent
    assert.equal(p.controls().filter((c) => c.startsWith('start')).length, 4);
  });

  it('writes the marker naming each node before its stop control goes out', async () => {
    const p = multiNode();
    const seen: string[] = [];
    p.onControl = (c) => {
      if (!c.startsWith('stop')) return;
      const m = JSON.parse(fs.readFileSync(markerPath(tmp.dir), 'utf8')) as StateMarker;
      const host = c.split(' ')[1];
      const listed = m.stoppedNodes.some((n) => n.hostname === host);
      seen.push(`${host}:${listed}:${m.pid === process.pid}`);
    };
    const s = session(p);
    await s.stop();
    assert.deepEqual(seen.sort(), ['CTRL:true:true', 'UI:true:true', 'W1:true:true', 'W2:true:true']);
    const m = await readStateMarker(tmp.dir);
    assert.equal(m?.stoppedNodes.find((n) => n.hostname === 'CTRL')?.host, null, 'the controller is recorded as local');
    await s.restore();
  });

  it('a failure in the middle of stopping restarts what was stopped, in startup order, then rethrows', async () => {
    const p = multiNode();
    p.afterStop.set('UI', Array(1000).fill('StopPending'));
    const s = session(p);
    await assert.rejects(s.stop(), (e: unknown) => e instanceof ServiceTimeoutError && e.code === 'SERVICE_STOP_TIMEOUT');
    const controls = p.controls();
    assert.ok(!controls.includes('stop CTRL'), 'the Controller is never stopped after a failure');
    const starts = controls.filter((c) => c.startsWith('start'));
    // UI is still StopPending in the script, so the rollback waits for it and then times out; the Workers come back.
    assert.ok(starts.includes('start W1') && starts.includes('start W2'), controls.join(', '));
    assert.ok(s.sequence.some((x) => x.rollback === true));
    // The stuck UI node could not be brought back; it stays owed to restore() and listed in the marker.
    assert.deepEqual(s.stoppedNodes.map((n) => n.hostname), ['UI']);
    assert.deepEqual((await readStateMarker(tmp.dir))?.stoppedNodes.map((n) => n.hostname), ['UI']);
  });

  it('waits for workflows on every node before stopping any: a busy Controller at the timeout stops nothing', async () => {
    const p = multiNode();
    p.workflows.set('CTRL', [{ pid: 55, name: 'AlteryxEngineCmd' }]);
    const s = session(p);
    await assert.rejects(s.stop(), (e: unknown) => e instanceof ServiceTimeoutError && e.code === 'WORKFLOW_WAIT_TIMEOUT');
    assert.deepEqual(p.controls(), [], 'no Worker was stopped while the Controller was busy');
    assert.equal(s.needsRestore, false);
    assert.equal(fs.existsSync(markerPath(tmp.dir)), false);
  });

  it('with ForceStopWorkflows the workflows on every node are killed before the first stop', async () => {
    const p = multiNode();
    p.workflows.set('CTRL', [{ pid: 55, name: 'AlteryxEngineCmd' }]);
    p.workflows.set('W1', [{ pid: 66, name: 'AlteryxEngineCmd' }]);
    const s = session(p, { forceStopWorkflows: true });
    const states = await s.stop();
    const controls = p.controls();
    const firstStop = controls.findIndex((c) => c.startsWith('stop'));
    assert.ok(controls.indexOf('kill CTRL 55') < firstStop && controls.indexOf('kill W1 66') < firstStop, controls.join(', '));
    const ctrl = states.find((x) => x.Host === 'CTRL')!;
    assert.deepEqual(ctrl.KilledWorkflowPids, [55]);
    assert.equal(ctrl.HasActiveWorkflows, true);
    await s.restore();
  });

  it('a paused Worker is refused before anything is touched, even the workflow wait', async () => {
    const p = multiNode();
    p.set('W2', 'Paused');
    p.workflows.set('CTRL', [{ pid: 55, name: 'AlteryxEngineCmd' }]);
    const s = session(p, { maxWorkflowWaitSeconds: 60 });
    await assert.rejects(s.stop(), (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.equal(e.code, 'SERVICE_NOT_USABLE');
      assert.match(e.message, /W2/);
      return true;
    });
    assert.deepEqual(p.controls(), []);
    assert.ok(!p.calls.some((c) => c.startsWith('find')), 'no workflow wait');
  });

  it('no marker, no stop: if the marker cannot be written the service is not stopped', async () => {
    const p = new FakePlatform('CTRL').set(undefined, 'Running');
    const notADir = `${tmp.dir}/file`;
    fs.writeFileSync(notADir, 'x');
    const s = new ServiceSession({ ...fast, platform: p, topology: buildTopology([], 'CTRL'), tempDirectory: notADir, log: memoryLog() });
    await assert.rejects(s.stop());
    assert.deepEqual(p.controls(), []);
    assert.equal(s.needsRestore, false);
  });

  it('nodes already stopped are left stopped and are not in the marker', async () => {
    const p = multiNode();
    p.set('W2', 'Stopped');
    const s = session(p);
    await s.stop();
    assert.ok(!s.stoppedNodes.some((n) => n.hostname === 'W2'));
    assert.deepEqual(
      s.sequence.filter((x) => x.host === 'W2').map((x) => x.result),
      ['skipped'],
    );
    await s.restore();
    assert.ok(!p.controls().includes('start W2'));
    assert.equal(p.states.get('W2'), 'Stopped');
  });

  it('a single node that was already stopped: nothing stopped, no marker, no downtime', async () => {
    const p = new FakePlatform('CTRL').set(undefined, 'Stopped');
    const s = new ServiceSession({ ...fast, platform: p, topology: buildTopology([], 'CTRL'), tempDirectory: tmp.dir, log: memoryLog() });
    await s.stop();
    assert.equal(s.needsRestore, false);
    assert.equal(s.wasAlreadyStopped, true);
    assert.equal(s.downtime(), null);
    assert.equal(fs.existsSync(markerPath(tmp.dir)), false);
    await s.restore();
    assert.deepEqual(p.controls(), []);
  });
});

describe('repairFromMarker', () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeEach(() => {
    tmp = makeTempDir('axb-repair-');
  });
  afterEach(() => tmp.cleanup());

  function config(): Pick<BackupConfigFile, 'BackupConfiguration' | 'ServiceConfiguration' | 'AlteryxConfiguration'> {
    return {
      BackupConfiguration: { TempDirectory: tmp.dir } as BackupConfigFile['BackupConfiguration'],
      ServiceConfiguration: { MaxServiceWaitSeconds: 1, MaxWorkflowWaitSeconds: 1, WorkflowPollSeconds: 0.05, ForceStopWorkflows: false, StopServiceForExternalDB: false },
      AlteryxConfiguration: { ServiceName: 'AlteryxService', Nodes: NODES } as unknown as BackupConfigFile['AlteryxConfiguration'],
    };
  }

  async function plant(pid: number, runId?: string, host = 'CTRL') {
    await writeStateMarker(tmp.dir, {
      version: 1,
      pid,
      host,
      startedAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:01.000Z',
      serviceName: 'AlteryxService',
      ...(runId ? { runId } : {}),
      stoppedNodes: [
        { hostname: 'W1', host: 'W1', role: 'Worker' },
        { hostname: 'CTRL', host: null, role: 'Controller' },
      ],
    });
  }

  it('no marker: nothing to do', async () => {
    const r = await repairFromMarker(new FakePlatform('CTRL'), config(), memoryLog(), { servicePollMs: 10 });
    assert.equal(r.outcome, 'no-marker');
  });

  it('a dead writer: starts exactly the listed nodes, Controller first, and removes the marker', async () => {
    const p = multiNode();
    p.set(undefined, 'Stopped').set('W1', 'Stopped').set('W2', 'Stopped');
    await plant(await deadPid());
    const r = await repairFromMarker(p, config(), memoryLog(), { servicePollMs: 10 });
    assert.equal(r.outcome, 'repaired');
    assert.deepEqual(p.controls(), ['start CTRL', 'start W1']);
    assert.equal(p.states.get('W2'), 'Stopped', 'W2 was not ours to start');
    assert.equal(fs.existsSync(markerPath(tmp.dir)), false);
  });

  it('a live writer owns the service: nothing is touched', async () => {
    const other = liveProcess();
    try {
      const p = multiNode();
      await plant(other.pid);
      const r = await repairFromMarker(p, config(), memoryLog(), { servicePollMs: 10 });
      assert.equal(r.outcome, 'run-still-active');
      assert.deepEqual(p.controls(), []);
      assert.ok(fs.existsSync(markerPath(tmp.dir)));
    } finally {
      await other.kill();
    }
  });

  it('a live PID that does not hold the run lock is a reused PID: repaired', async () => {
    const other = liveProcess();
    try {
      const p = multiNode();
      p.set(undefined, 'Stopped').set('W1', 'Stopped');
      await plant(other.pid, 'run-that-died');
      const lock = await acquireRunLock(tmp.dir, { log: memoryLog(), hostname: 'CTRL' }); // a later run holds the lock
      const r = await repairFromMarker(p, config(), memoryLog(), { servicePollMs: 10 });
      await lock.release();
      assert.equal(r.outcome, 'repaired');
      assert.deepEqual(p.controls(), ['start CTRL', 'start W1']);
    } finally {
      await other.kill();
    }
  });

  it('a marker from another host is left alone', async () => {
    const p = multiNode();
    await plant(await deadPid(), undefined, 'ELSEWHERE');
    const r = await repairFromMarker(p, config(), memoryLog(), { servicePollMs: 10 });
    assert.equal(r.outcome, 'other-host');
    assert.deepEqual(p.controls(), []);
  });

  it('a node that will not start keeps its place in the marker and the error is thrown', async () => {
    const p = multiNode();
    p.set(undefined, 'Stopped').set('W1', 'Stopped');
    p.afterStart.set('W1', ['StartPending', 'Stopped']);
    await plant(await deadPid());
    await assert.rejects(repairFromMarker(p, config(), memoryLog(), { servicePollMs: 10 }), (e: unknown) => e instanceof ServiceTimeoutError);
    const m = await readStateMarker(tmp.dir);
    assert.deepEqual(m?.stoppedNodes.map((n) => n.hostname), ['W1']);
  });

  it('a corrupt marker is moved aside with a warning, and nothing is started', async () => {
    fs.writeFileSync(markerPath(tmp.dir), '{"pid": 12');
    const p = multiNode();
    const log = memoryLog();
    const r = await repairFromMarker(p, config(), log, { servicePollMs: 10 });
    assert.equal(r.outcome, 'corrupt-marker');
    assert.equal(fs.existsSync(markerPath(tmp.dir)), false);
    assert.equal(log.warnings.length, 1);
    assert.deepEqual(p.controls(), []);
  });
});
