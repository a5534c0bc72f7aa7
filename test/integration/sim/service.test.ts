import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { readEvents, SimulatedPlatform } from '../../../src/platform/simulated/simulated-platform';
import { readServiceRecord } from '../../../src/sim/service-control';
import { isPidAlive, procArgv } from '../../../src/sim/sim-processes';
import { alteryxService, createHost, destroyHost, resetHost, setFaults, sim, sleep, stopService, waitForState } from './sim-harness';

describe('simulated service: transitions with real processes', () => {
  let root = '';
  let platform: SimulatedPlatform;
  before(async () => {
    ({ root } = await createHost(['--db-mb', '0.2']));
    platform = new SimulatedPlatform(root);
  });
  afterEach(() => resetHost(root));
  after(() => destroyHost(root));

  it('stop goes Running → StopPending → Stopped, and the service process exits', async () => {
    setFaults(root, { stopSeconds: 0.6 });
    const daemon = readServiceRecord(root).daemonPid!;
    assert.ok(isPidAlive(daemon));
    await platform.services.stop('AlteryxService');
    // The daemon picks up the control within its 20 ms poll, so Running may still be seen first.
    const seen = (await waitForState(root, 'Stopped')).filter((s, i) => !(i === 0 && s === 'Running'));
    assert.deepEqual(seen, ['StopPending', 'Stopped']);
    await sleep(100);
    assert.ok(!isPidAlive(daemon), 'the service process is gone once Stopped');
    const ev = readEvents(root);
    const names = ev.map((e) => e.event);
    const iReq = names.lastIndexOf('stop-requested');
    assert.ok(iReq >= 0 && names.indexOf('stop-pending', iReq) > iReq && names.indexOf('stopped', iReq) > names.indexOf('stop-pending', iReq));
    const pending = ev[names.indexOf('stop-pending', iReq)].ts;
    const stopped = ev[names.indexOf('stopped', iReq)].ts;
    assert.ok(stopped - pending >= 550, `StopPending lasted ${stopped - pending} ms`);
  });

  it('start goes Stopped → StartPending → Running with a new service process', async () => {
    await platform.services.stop('AlteryxService');
    await waitForState(root, 'Stopped');
    setFaults(root, { startSeconds: 0.6 });
    await platform.services.start('AlteryxService');
    assert.deepEqual(await waitForState(root, 'Running'), ['StartPending', 'Running']);
    const argv = procArgv(readServiceRecord(root).daemonPid!);
    assert.ok(argv?.some((a) => a.endsWith('service-daemon.js')));
  });

  it('rejects a second stop while StopPending, and records it', async () => {
    setFaults(root, { stopSeconds: 1 });
    await platform.services.stop('AlteryxService');
    await waitForState(root, 'StopPending');
    await assert.rejects(platform.services.stop('AlteryxService'), /1061/);
    await waitForState(root, 'Stopped');
    const stops = readEvents(root).filter((e) => e.event === 'stop-requested').slice(-2);
    assert.deepEqual(stops.map((s) => s.accepted), [true, false]);
    await assert.rejects(platform.services.stop('AlteryxService'), /1062/);
  });

  it('rejects start while Running', async () => {
    await assert.rejects(platform.services.start('AlteryxService'), /1056/);
  });

  it('reports Stopped when the service process dies', async () => {
    const pid = readServiceRecord(root).daemonPid!;
    process.kill(pid, 'SIGKILL');
    await sleep(100);
    assert.equal((await platform.services.query('AlteryxService')).state, 'Stopped');
  });

  it('runs workflows as real AlteryxEngineCmd processes that platform.processes finds and kills', async () => {
    const r = await sim(['run-workflow', root, '--seconds', '30', '--count', '2']);
    assert.equal(r.code, 0, r.stderr);
    const pids = r.stdout.trim().split('\n').map(Number);
    const found = await platform.processes.find('AlteryxEngineCmd');
    assert.deepEqual(found.map((p) => p.pid).sort(), [...pids].sort());
    assert.deepEqual(await platform.processes.find('AlteryxEngineCmd.exe'), found);
    for (const p of found) {
      const cmdline = fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8');
      assert.ok(cmdline.startsWith('AlteryxEngineCmd\0'), cmdline);
      assert.ok(cmdline.includes(root));
    }
    await platform.processes.kill(pids[0]);
    assert.ok(!isPidAlive(pids[0]));
    assert.deepEqual((await platform.processes.find('AlteryxEngineCmd')).map((p) => p.pid), [pids[1]]);
    assert.ok(readEvents(root).some((e) => e.event === 'workflow-killed' && e.workflowPid === pids[0]));
    await assert.rejects(platform.processes.kill(process.pid), /No AlteryxEngineCmd process/);
    // Stopping the service cancels the workflows it runs.
    await platform.services.stop('AlteryxService');
    await waitForState(root, 'Stopped');
    await sleep(50);
    assert.ok(!isPidAlive(pids[1]));
    assert.ok(readEvents(root).some((e) => e.event === 'workflow-killed' && e.workflowPid === pids[1] && e.reason === 'service-stop'));
  });

  it('lets a workflow finish by itself after its seconds', async () => {
    const r = await sim(['run-workflow', root, '--seconds', '1']);
    const pid = Number(r.stdout.trim());
    assert.deepEqual((await platform.processes.find('AlteryxEngineCmd')).map((p) => p.pid), [pid]);
    const deadline = Date.now() + 10_000;
    while ((await platform.processes.find('AlteryxEngineCmd')).length > 0) {
      assert.ok(Date.now() < deadline, 'the workflow ends');
      await sleep(50);
    }
    const ended = readEvents(root).find((e) => e.event === 'workflow-ended' && e.workflowPid === pid);
    assert.ok(ended && (ended.ranMs as number) >= 990, JSON.stringify(ended));
  });

  it('refuses run-workflow while the service is not Running', async () => {
    await stopService(root);
    const r = await sim(['run-workflow', root, '--seconds', '1']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /only run while the service is Running/);
  });

  it('launches workflowCount workflows when the service starts, with workflowsOnStart', async () => {
    await stopService(root);
    // Through the CLI on purpose: this is how a test would set it up.
    assert.equal((await sim(['fault', root, 'workflowsOnStart=true', 'workflowCount=3', 'workflowSeconds=20'])).code, 0);
    assert.equal((await sim(['start', root])).code, 0);
    await sleep(50);
    assert.equal((await platform.processes.find('AlteryxEngineCmd')).length, 3);
    await sim(['stop', root]);
  });

  it('start and stop through the stand-in are the same controls', async () => {
    const stop = await alteryxService(root, 'stop');
    assert.equal(stop.code, 0);
    await waitForState(root, 'Stopped');
    const start = await alteryxService(root, 'start');
    assert.equal(start.code, 0);
    await waitForState(root, 'Running');
  });
});

describe('simulated service: a deleted host folder', () => {
  it('takes its service process and workflows with it', async () => {
    const { root } = await createHost(['--db-mb', '0.1']);
    try {
      const daemon = readServiceRecord(root).daemonPid!;
      const wf = Number((await sim(['run-workflow', root, '--seconds', '60'])).stdout.trim());
      assert.ok(isPidAlive(daemon) && isPidAlive(wf));
      fs.rmSync(root, { recursive: true, force: true });
      const deadline = Date.now() + 10_000;
      while (isPidAlive(daemon) || isPidAlive(wf)) {
        assert.ok(Date.now() < deadline, 'they exit');
        await sleep(100);
      }
    } finally {
      destroyHost(root);
    }
  });
});
