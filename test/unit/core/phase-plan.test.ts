import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planPhases, PHASES } from '../../../src/core/phase-plan';

const running = (p: ReturnType<typeof planPhases>) => p.phases.filter((x) => x.run).map((x) => x.phase);

test('Full with embedded MongoDB stops, dumps, restarts immediately, then does the rest live', () => {
  const plan = planPhases({ mode: 'Full', mongoType: 'embedded', stopServiceForExternalDB: false, stopOrder: [], startOrder: [] });
  assert.deepEqual(running(plan), [...PHASES]);
  assert.equal(plan.stopsService, true);
  const order = plan.phases.map((p) => p.phase);
  assert.ok(order.indexOf('StartService') === order.indexOf('BackupMongoDB') + 1, 'the service restarts right after the dump');
});

test('ConfigOnly never touches the service and has no dump', () => {
  const plan = planPhases({ mode: 'ConfigOnly', mongoType: 'embedded', stopServiceForExternalDB: true, stopOrder: [], startOrder: [] });
  assert.deepEqual(running(plan), ['Initialize', 'BackupFiles', 'Archive', 'Distribute', 'Validate', 'Cleanup', 'Complete']);
  assert.equal(plan.stopsService, false);
});

test('DatabaseOnly copies no files', () => {
  const plan = planPhases({ mode: 'DatabaseOnly', mongoType: 'embedded', stopServiceForExternalDB: false, stopOrder: [], startOrder: [] });
  assert.ok(!running(plan).includes('BackupFiles'));
  assert.ok(running(plan).includes('StopService'));
});

test('self-managed MongoDB stops the service only with StopServiceForExternalDB', () => {
  for (const [flag, stops] of [
    [false, false],
    [true, true],
  ] as const) {
    const plan = planPhases({ mode: 'Full', mongoType: 'self-managed', stopServiceForExternalDB: flag, stopOrder: [], startOrder: [] });
    assert.equal(plan.stopsService, stops);
    assert.equal(running(plan).includes('StopService'), stops);
    assert.equal(running(plan).includes('StartService'), stops);
    assert.ok(running(plan).includes('BackupMongoDB'));
  }
});

test('the plan names the node order it will use', () => {
  const plan = planPhases({ mode: 'Full', mongoType: 'embedded', stopServiceForExternalDB: false, stopOrder: ['W1', 'UI', 'CTRL'], startOrder: ['CTRL', 'UI', 'W1'] });
  assert.match(plan.phases.find((p) => p.phase === 'StopService')!.reason, /W1 → UI → CTRL/);
  assert.match(plan.phases.find((p) => p.phase === 'StartService')!.reason, /CTRL → UI → W1/);
});
