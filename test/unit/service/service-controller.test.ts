import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, ServiceTimeoutError, ValidationError } from '../../../src/core/errors';
import { serviceStateOf, startServiceSafely, stopServiceSafely, testServiceState, type ServiceSettings } from '../../../src/service/service-controller';
import type { ServiceEvent } from '../../../src/service/service-types';
import { FakePlatform } from './fake-platform';
import { memoryLog } from './helpers';

const fast: ServiceSettings = {
  serviceName: 'AlteryxService',
  maxServiceWaitSeconds: 1,
  maxWorkflowWaitSeconds: 0.3,
  workflowPollSeconds: 0.05,
  forceStopWorkflows: false,
  servicePollMs: 10,
};

function opts(platform: FakePlatform, extra: Partial<Parameters<typeof stopServiceSafely>[0]> = {}) {
  const events: ServiceEvent[] = [];
  return { o: { ...fast, platform, log: memoryLog(), onEvent: (e: ServiceEvent) => events.push(e), ...extra }, events };
}

describe('stopServiceSafely (decisions)', () => {
  it('stops a running service once and reports RequiresRollback', async () => {
    const p = new FakePlatform().set(undefined, 'Running');
    const { o, events } = opts(p);
    const info = await stopServiceSafely(o);
    assert.deepEqual(p.controls(), ['stop LOCAL']);
    assert.equal(info.InitialState, 'Running');
    assert.equal(info.CurrentState, 'Stopped');
    assert.equal(info.TargetState, 'Stopped');
    assert.equal(info.RequiresRollback, true);
    assert.equal(info.StateChangeSuccess, true);
    assert.deepEqual(events, [{ event: 'stopped', host: undefined }]);
  });

  it('sends the stopped event and runs beforeStop before the stop control', async () => {
    const p = new FakePlatform().set(undefined, 'Running');
    const order: string[] = [];
    p.onControl = (c) => order.push(c);
    const { o } = opts(p, { beforeStop: () => void order.push('beforeStop'), onEvent: (e) => order.push(`event ${e.event}`) });
    await stopServiceSafely(o);
    assert.deepEqual(order, ['beforeStop', 'event stopped', 'stop LOCAL']);
  });

  it('never sends a second stop while the service sits in StopPending; times out with SERVICE_STOP_TIMEOUT', async () => {
    const p = new FakePlatform().set(undefined, 'Running');
    p.afterStop.set('LOCAL', Array(1000).fill('StopPending'));
    const { o } = opts(p, { maxServiceWaitSeconds: 0.3 });
    await assert.rejects(stopServiceSafely(o), (e: unknown) => {
      assert.ok(e instanceof ServiceTimeoutError);
      assert.equal(e.code, 'SERVICE_STOP_TIMEOUT');
      assert.equal(e.exitCode, 2);
      assert.equal(serviceStateOf(e)?.RequiresRollback, true);
      assert.equal(serviceStateOf(e)?.CurrentState, 'StopPending');
      return true;
    });
    assert.deepEqual(p.controls(), ['stop LOCAL']);
  });

  it('a service that starts stopping and returns to Running fails fast with SERVICE_STOP_FAILED, one stop only', async () => {
    const p = new FakePlatform().set(undefined, 'Running');
    p.afterStop.set('LOCAL', ['StopPending', 'StopPending', 'Running']);
    await assert.rejects(stopServiceSafely(opts(p, { maxServiceWaitSeconds: 60 }).o), (e: unknown) => {
      assert.ok(e instanceof ServiceTimeoutError);
      assert.equal(e.code, 'SERVICE_STOP_FAILED');
      assert.equal(serviceStateOf(e)?.RequiresRollback, true);
      return true;
    });
    assert.deepEqual(p.controls(), ['stop LOCAL']);
  });

  it('a service already StopPending is waited for, not sent a stop, and left stopped', async () => {
    const p = new FakePlatform().set(undefined, 'StopPending').script(undefined, ['StopPending', 'StopPending', 'Stopped']);
    const { o, events } = opts(p);
    const info = await stopServiceSafely(o);
    assert.deepEqual(p.controls(), []);
    assert.equal(info.RequiresRollback, false);
    assert.deepEqual(events, []);
  });

  it('already Stopped: no-op, RequiresRollback false', async () => {
    const p = new FakePlatform().set(undefined, 'Stopped');
    const { o } = opts(p);
    const info = await stopServiceSafely(o);
    assert.equal(info.RequiresRollback, false);
    assert.equal(info.InitialState, 'Stopped');
    assert.deepEqual(p.controls(), []);
  });

  for (const [state, startType] of [
    ['Paused', 'Automatic'],
    ['PausePending', 'Automatic'],
    ['Running', 'Disabled'],
    ['Stopped', 'Disabled'],
  ] as const) {
    it(`refuses ${state}/${startType} with SERVICE_NOT_USABLE (exit 3), touching nothing`, async () => {
      const p = new FakePlatform().set(undefined, state, startType);
      const { o } = opts(p);
      await assert.rejects(stopServiceSafely(o), (e: unknown) => e instanceof ValidationError && e.code === 'SERVICE_NOT_USABLE' && e.exitCode === 3);
      assert.deepEqual(p.controls(), []);
    });
  }

  it('a missing service is SERVICE_NOT_FOUND', async () => {
    const p = new FakePlatform();
    await assert.rejects(stopServiceSafely(opts(p).o), (e: unknown) => e instanceof ValidationError && e.code === 'SERVICE_NOT_FOUND');
  });

  it('waits for a service that is starting, then stops it', async () => {
    const p = new FakePlatform().set(undefined, 'StartPending').script(undefined, ['StartPending', 'StartPending', 'Running']);
    const info = await stopServiceSafely(opts(p).o);
    assert.deepEqual(p.controls(), ['stop LOCAL']);
    assert.equal(info.RequiresRollback, true);
  });

  it('workflows still running at the timeout without force: WORKFLOW_WAIT_TIMEOUT (exit 2), no stop, no kill', async () => {
    const p = new FakePlatform().set(undefined, 'Running');
    p.workflows.set('LOCAL', [{ pid: 101, name: 'AlteryxEngineCmd' }]);
    const { o, events } = opts(p);
    await assert.rejects(stopServiceSafely(o), (e: unknown) => {
      assert.ok(e instanceof ServiceTimeoutError);
      assert.equal(e.code, 'WORKFLOW_WAIT_TIMEOUT');
      assert.match(e.message, /101/);
      assert.equal(serviceStateOf(e), undefined);
      return true;
    });
    assert.deepEqual(p.controls(), []);
    assert.deepEqual(events, []);
    assert.ok(p.calls.filter((c) => c.startsWith('find')).length >= 3, 'polled more than once');
  });

  it('workflows still running at the timeout with ForceStopWorkflows: killed, then stopped', async () => {
    const p = new FakePlatform().set(undefined, 'Running');
    p.workflows.set('LOCAL', [
      { pid: 101, name: 'AlteryxEngineCmd' },
      { pid: 102, name: 'AlteryxEngineCmd' },
    ]);
    const info = await stopServiceSafely(opts(p, { forceStopWorkflows: true }).o);
    assert.deepEqual(p.controls(), ['kill LOCAL 101', 'kill LOCAL 102', 'stop LOCAL']);
    assert.deepEqual(info.KilledWorkflowPids, [101, 102]);
    assert.equal(info.HasActiveWorkflows, true);
  });

  it('an abort during the workflow wait cancels without touching the service', async () => {
    const p = new FakePlatform().set(undefined, 'Running');
    p.workflows.set('LOCAL', [{ pid: 101, name: 'AlteryxEngineCmd' }]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new CancelledError('interrupted')), 50);
    await assert.rejects(stopServiceSafely(opts(p, { maxWorkflowWaitSeconds: 60, signal: ac.signal }).o), CancelledError);
    assert.deepEqual(p.controls(), []);
  });

  it('keeps asking a node that answers with a transient error while waiting', async () => {
    const p = new FakePlatform().set('W1', 'Running');
    const rpc = Object.assign(new Error('RPC server unavailable'), { transient: true });
    p.afterStop.set('W1', ['StopPending', 'Stopped']);
    p.onControl = () => p.queryErrors.set('W1', [rpc, rpc]);
    const info = await stopServiceSafely(opts(p, { host: 'W1' }).o);
    assert.equal(info.CurrentState, 'Stopped');
  });
});

describe('startServiceSafely (decisions)', () => {
  it('starts a stopped service and sends started once Running', async () => {
    const p = new FakePlatform().set(undefined, 'Stopped');
    const { o, events } = opts(p);
    const info = await startServiceSafely(o);
    assert.deepEqual(p.controls(), ['start LOCAL']);
    assert.equal(info.CurrentState, 'Running');
    assert.deepEqual(events, [{ event: 'started', host: undefined }]);
  });

  it('a running service is left alone', async () => {
    const p = new FakePlatform().set(undefined, 'Running');
    await startServiceSafely(opts(p).o);
    assert.deepEqual(p.controls(), []);
  });

  it('waits out StopPending before starting (a start then would be refused)', async () => {
    const p = new FakePlatform().set(undefined, 'StopPending').script(undefined, ['StopPending', 'StopPending', 'Stopped']);
    await startServiceSafely(opts(p).o);
    assert.deepEqual(p.controls(), ['start LOCAL']);
    assert.equal(p.states.get('LOCAL'), 'Running');
  });

  it('a service that falls back to Stopped is started again, up to startAttempts, then SERVICE_START_FAILED', async () => {
    const p = new FakePlatform().set(undefined, 'Stopped');
    p.afterStart.set('LOCAL', ['StartPending', 'Stopped']);
    await assert.rejects(startServiceSafely(opts(p, { startAttempts: 3 }).o), (e: unknown) => {
      assert.ok(e instanceof ServiceTimeoutError);
      assert.equal(e.code, 'SERVICE_START_FAILED');
      return true;
    });
    assert.deepEqual(p.controls(), ['start LOCAL', 'start LOCAL', 'start LOCAL']);
  });

  it('a permanent refusal to start (disabled, access denied) is not retried', async () => {
    const p = new FakePlatform().set(undefined, 'Stopped');
    p.services.start = async () => {
      p.calls.push('start LOCAL');
      throw new ValidationError('disabled', 'SERVICE_NOT_USABLE');
    };
    await assert.rejects(startServiceSafely(opts(p).o), (e: unknown) => e instanceof ValidationError && e.code === 'SERVICE_NOT_USABLE');
    assert.deepEqual(p.controls(), ['start LOCAL']);
  });

  it('stuck in StartPending: SERVICE_START_TIMEOUT, one start only', async () => {
    const p = new FakePlatform().set(undefined, 'Stopped');
    p.afterStart.set('LOCAL', Array(1000).fill('StartPending'));
    await assert.rejects(startServiceSafely(opts(p, { maxServiceWaitSeconds: 0.3 }).o), (e: unknown) => e instanceof ServiceTimeoutError && e.code === 'SERVICE_START_TIMEOUT');
    assert.deepEqual(p.controls(), ['start LOCAL']);
  });
});

describe('testServiceState', () => {
  it('reports state, start type and active workflows without changing anything', async () => {
    const p = new FakePlatform().set('W1', 'Running', 'Manual');
    p.workflows.set('W1', [{ pid: 7, name: 'AlteryxEngineCmd' }]);
    const info = await testServiceState(p, 'AlteryxService', 'W1');
    assert.equal(info.Host, 'W1');
    assert.equal(info.CurrentState, 'Running');
    assert.equal(info.StartType, 'Manual');
    assert.equal(info.HasActiveWorkflows, true);
    assert.equal(info.RequiresRollback, false);
    assert.deepEqual(p.controls(), []);
  });
});
