import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readZip } from '../../helpers/zip-reader';
import {
  assertFailed,
  assertNoNewOfficial,
  assertPreviousVerifies,
  assertServiceAsBefore,
  assertUnharmed,
  assertVerifies,
  createFaultHost,
  destroyFaultHost,
  newEvents,
  prepare,
  runCli,
  setFaults,
  tail,
  type Baseline,
  type FaultHost,
} from './fault-harness';

/** Multi-node: the official stop and start order, as each simulated node saw it. */
describe('multi-node', () => {
  let h: FaultHost;
  const node = (name: string) => (name === 'ALTERYX-SIM-01' ? h.root : path.join(h.root, 'nodes', name));
  const ROLE: Record<string, string> = { 'ALTERYX-SIM-01': 'Controller', GALLERY1: 'ServerUI', WORKER1: 'Worker', WORKER2: 'Worker' };
  before(async () => {
    h = await createFaultHost(['--variant', 'multi-node']);
    assert.deepEqual(
      h.roots.map((r) => path.basename(r)),
      ['host', 'GALLERY1', 'WORKER1', 'WORKER2'],
    );
  });
  after(() => destroyFaultHost(h));

  /** ts of the first event `name` on node `n` since the baseline (and after `after`, if given). */
  function at(b: Baseline, n: string, name: string, after = 0): number {
    const e = newEvents(b, node(n)).find((x) => x.event === name && x.ts >= after);
    assert.ok(e, `${n}: no ${name} event; saw ${newEvents(b, node(n)).map((x) => x.event).join(',')}`);
    return e!.ts as number;
  }

  test('Full backup: stop Workers → ServerUI → Controller, start Controller → ServerUI → Workers, as observed by each node; the manifest sequence matches', async () => {
    const b = await prepare(h);
    const r = await runCli('Invoke-AlteryxBackup', { configPath: h.configPath, parameters: { BackupMode: 'Full' } });
    assert.equal(r.exitCode, 0, tail(r));

    // Stops: each group is requested only after the previous group is Stopped.
    const stopped = (n: string) => at(b, n, 'stopped');
    const stopReq = (n: string) => at(b, n, 'stop-requested');
    assert.ok(Math.max(stopped('WORKER1'), stopped('WORKER2')) <= stopReq('GALLERY1'), 'Workers stopped before the Gallery stop');
    assert.ok(stopped('GALLERY1') <= stopReq('ALTERYX-SIM-01'), 'Gallery stopped before the Controller stop');
    // Starts: after the Controller is Stopped (the dump ran in between), Controller → Gallery → Workers.
    const down = stopped('ALTERYX-SIM-01');
    const running = (n: string) => at(b, n, 'running', down);
    const startReq = (n: string) => at(b, n, 'start-requested', down);
    assert.ok(at(b, 'ALTERYX-SIM-01', 'dump-finished') <= startReq('ALTERYX-SIM-01'), 'the dump ran with everything stopped');
    assert.ok(running('ALTERYX-SIM-01') <= startReq('GALLERY1'), 'Controller Running before the Gallery start');
    assert.ok(running('GALLERY1') <= Math.min(startReq('WORKER1'), startReq('WORKER2')), 'Gallery Running before the Workers start');
    for (const n of Object.keys(ROLE)) {
      const ev = newEvents(b, node(n)).map((e) => e.event);
      assert.equal(ev.filter((e) => e === 'stop-requested').length, 1, `${n}: one stop`);
      assert.equal(ev.filter((e) => e === 'start-requested').length, 1, `${n}: one start`);
    }

    // The manifest records the sequence that actually ran, in the order observed.
    const archive = r.result!.data.ArchivePath as string;
    const manifest = JSON.parse((await readZip(archive)).get('BackupManifest.json')!.toString('utf8'));
    const seq = manifest.ServiceInformation.Sequence as Array<{ host: string; role: string; action: string; result: string }>;
    assert.ok(seq.every((s) => s.result === 'ok' && ROLE[s.host] === s.role), JSON.stringify(seq));
    const observed = (action: 'stop' | 'start') =>
      Object.keys(ROLE)
        .map((n) => ({ n, ts: action === 'stop' ? stopReq(n) : startReq(n) }))
        .sort((x, y) => x.ts - y.ts)
        .map((x) => ROLE[x.n]);
    const recorded = (action: string) => seq.filter((s) => s.action === action).map((s) => s.role);
    assert.deepEqual(recorded('stop'), ['Worker', 'Worker', 'ServerUI', 'Controller']);
    assert.deepEqual(recorded('start'), ['Controller', 'ServerUI', 'Worker', 'Worker']);
    assert.deepEqual(recorded('stop'), observed('stop'));
    assert.deepEqual(recorded('start'), observed('start'));
    assert.deepEqual(seq.map((s) => s.action), ['stop', 'stop', 'stop', 'stop', 'start', 'start', 'start', 'start']);
    assert.equal(manifest.ServiceInformation.IsMultiNode, true);
    assert.deepEqual(r.result!.data.ServiceSequence, seq);

    const name = path.basename(archive);
    assertServiceAsBefore(b);
    assertNoNewOfficial(b, [name, `${name}.sha256`]);
    await assertPreviousVerifies(h, b);
    await assertVerifies(h, archive);
  });

  test('a Worker refuses to stop: the Worker already stopped is started again, ServerUI and Controller never touched, exit 2', async () => {
    const b = await prepare(h);
    setFaults(node('WORKER2'), { stopRefuse: true });
    const r = await runCli('Invoke-AlteryxBackup', { configPath: h.configPath, parameters: { BackupMode: 'Full', MaxServiceWait: 2 } });
    assertFailed(r, 2, 'SERVICE_STOP_TIMEOUT');
    assert.match(r.result!.error!.message, /WORKER2/);
    const ev = (n: string) => newEvents(b, node(n)).map((e) => e.event);
    assert.ok(ev('WORKER2').includes('stop-ignored'));
    assert.deepEqual(
      ev('WORKER1').filter((e) => e !== 'command'),
      ['stop-requested', 'stop-pending', 'stopped', 'start-requested', 'start-pending', 'running'],
      'WORKER1 was stopped, then started again',
    );
    for (const n of ['GALLERY1', 'ALTERYX-SIM-01']) {
      assert.ok(!ev(n).includes('stop-requested') && !ev(n).includes('start-requested'), `${n} untouched: ${ev(n).join(',')}`);
    }
    const seq = r.result!.data.ServiceSequence as Array<{ host: string; action: string; result: string; rollback?: boolean }>;
    assert.ok(seq.some((s) => s.host === 'WORKER2' && s.action === 'stop' && s.result === 'failed'), JSON.stringify(seq));
    assert.ok(seq.some((s) => s.host === 'WORKER1' && s.action === 'start' && s.result === 'ok'), JSON.stringify(seq));
    setFaults(node('WORKER2'), {}, true);
    await assertUnharmed(h, b);
  });
});
