import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPhase } from '../../../src/core/run-phase';

/** The one phase wrapper the backup (PhaseRunner) and the restore (Phases) share. */
describe('runPhase', () => {
  function clock(...ms: number[]): () => number {
    return () => ms.shift() ?? 0;
  }

  it('Running while the work runs, then Succeeded with its duration; returns the value', async () => {
    const rec = { Status: 'Pending', DurationSeconds: null as number | null };
    const seen: string[] = [];
    const v = await runPhase(
      rec,
      async () => {
        seen.push(`work ${rec.Status}`);
        return 42;
      },
      { now: clock(1_000, 3_460), onStart: (at) => void seen.push(`start ${rec.Status} ${at}`) },
    );
    assert.equal(v, 42);
    assert.deepEqual(seen, ['start Running 1000', 'work Running']);
    assert.equal(rec.Status, 'Succeeded');
    assert.equal(rec.DurationSeconds, 2.5);
  });

  it('a failing phase is Failed, keeps its duration and rethrows the same error', async () => {
    const rec = { Status: 'Pending', DurationSeconds: null as number | null };
    const boom = new Error('boom');
    await assert.rejects(
      runPhase(rec, async () => {
        throw boom;
      }, { now: clock(0, 120) }),
      (err) => err === boom,
    );
    assert.equal(rec.Status, 'Failed');
    assert.equal(rec.DurationSeconds, 0.1);
  });

  it('an onStart that throws runs no work and leaves the record Running without a duration', async () => {
    const rec = { Status: 'Pending', DurationSeconds: null as number | null };
    let ran = false;
    await assert.rejects(
      runPhase(rec, async () => {
        ran = true;
      }, { onStart: async () => { throw new Error('marker'); } }),
      /marker/,
    );
    assert.equal(ran, false);
    assert.equal(rec.Status, 'Running');
    assert.equal(rec.DurationSeconds, null);
  });
});
