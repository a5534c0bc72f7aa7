import assert from 'node:assert/strict';
import { test } from 'node:test';
import { archiveProgressUpdate, ProgressThrottle } from '../../../src/cli/progress-throttle';
import { JsonLineWriter, type ProgressUpdate } from '../../../src/cli/protocol';
import { Redactor } from '../../../src/core/redact';

function harness(intervalMs = 250) {
  let t = 1_000_000;
  const sent: ProgressUpdate[] = [];
  const throttle = new ProgressThrottle((p) => sent.push(p), intervalMs, () => t);
  return { sent, throttle, advance: (ms: number) => (t += ms) };
}

const bytes = (done: number, total = 1000, activity = 'Archive'): ProgressUpdate => ({ activity, status: 'x.bson', percent: Math.floor((done / total) * 100), bytesDone: done, bytesTotal: total });

test('byte updates: at most one line per 250 ms per activity, the first and the last always', () => {
  const { sent, throttle, advance } = harness();
  // 2 s of updates every 5 ms (400 updates), the way a fast compressor reports.
  for (let i = 1; i <= 400; i++) {
    throttle.update(bytes(i * 2, 800));
    advance(5);
  }
  assert.ok(sent.length >= 8 && sent.length <= 10, `${sent.length} lines for 2 s`);
  assert.equal(sent[0].bytesDone, 2, 'the first update goes out at once');
  assert.equal(sent[sent.length - 1].bytesDone, 800, 'the last (all bytes done) goes out at once');
  for (let i = 1; i < sent.length - 1; i++) assert.ok(sent[i].bytesDone! > sent[i - 1].bytesDone!);
});

test('activities are limited separately', () => {
  const { sent, throttle } = harness();
  throttle.update(bytes(1, 1000, 'Copy to A'));
  throttle.update(bytes(2, 1000, 'Copy to A'));
  throttle.update(bytes(1, 1000, 'Copy to B'));
  assert.deepEqual(
    sent.map((p) => p.activity),
    ['Copy to A', 'Copy to B'],
  );
});

test('a held-back update is sent by flush, before anything newer; lines without bytes are never held back', () => {
  const { sent, throttle } = harness();
  throttle.update(bytes(100));
  throttle.update(bytes(200));
  throttle.update(bytes(300));
  assert.equal(sent.length, 1);
  throttle.update({ activity: 'Archive', status: 'Publishing', percent: 100 });
  throttle.update({ activity: 'Full backup', status: 'Distribute', percent: 80 });
  assert.deepEqual(
    sent.map((p) => p.bytesDone ?? p.status),
    [100, 300, 'Publishing', 'Distribute'],
  );
  throttle.update(bytes(400));
  throttle.flush();
  assert.equal(sent[sent.length - 1].bytesDone, 400);
  throttle.flush();
  assert.equal(sent.length, 5, 'nothing is sent twice');
});

test('completed goes out at once and drops a held-back update', () => {
  const { sent, throttle } = harness();
  throttle.update(bytes(100));
  throttle.update(bytes(200));
  throttle.update({ activity: 'Archive', status: 'done', percent: 100, completed: true });
  throttle.flush();
  assert.deepEqual(
    sent.map((p) => p.completed ?? false),
    [false, true],
  );
});

test('time estimate from the average rate, from 1 s on; the status shows the bytes', () => {
  const { sent, throttle, advance } = harness();
  throttle.update(bytes(0, 300e6));
  assert.equal(sent[0].secondsRemaining, -1);
  advance(500);
  throttle.update(bytes(50e6, 300e6));
  assert.equal(sent[1].secondsRemaining, -1, 'not before 1 s');
  advance(1500);
  throttle.update(bytes(100e6, 300e6));
  assert.equal(sent[2].secondsRemaining, 4, '100 MB in 2 s, 200 MB to go');
  assert.equal(sent[2].status, 'x.bson (100 of 300 MB)');
});

test('bytes going back start a new pass with its own estimate (compress, then verify)', () => {
  const { sent, throttle, advance } = harness();
  throttle.update(archiveProgressUpdate('Archive', { bytesDone: 10, bytesTotal: 100, currentEntry: 'a', phase: 'compress' }));
  advance(10);
  throttle.update(archiveProgressUpdate('Archive', { bytesDone: 100, bytesTotal: 100, currentEntry: 'a', phase: 'compress' }));
  advance(10);
  throttle.update(archiveProgressUpdate('Archive', { bytesDone: 100, bytesTotal: 100, currentEntry: 'a', phase: 'verify', verifyBytesDone: 5, verifyBytesTotal: 60 }));
  assert.deepEqual(
    sent.map((p) => [p.status.split(' (')[0], p.percent]),
    [
      ['Compressing a', 10],
      ['Compressing a', 100],
      ['Verifying a', 8],
    ],
  );
});

test('a held-back update goes out when its interval ends, without a flush', async () => {
  const sent: ProgressUpdate[] = [];
  const throttle = new ProgressThrottle((p) => sent.push(p), 30);
  throttle.update(bytes(1));
  throttle.update(bytes(2));
  assert.equal(sent.length, 1);
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(
    sent.map((p) => p.bytesDone),
    [1, 2],
  );
});

test('JsonLineWriter: 10,000 byte updates in a burst give one line per 250 ms, the last held-back one is written before the result', () => {
  const lines: Record<string, unknown>[] = [];
  const w = new JsonLineWriter(new Redactor(), (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
  const started = Date.now();
  for (let i = 1; i < 10_000; i++) w.progress(bytes(i, 10_000));
  const elapsed = Date.now() - started;
  // Real clock: on a loaded machine the burst can outlast one interval.
  assert.ok(lines.length >= 1 && lines.length <= 1 + Math.ceil(elapsed / 250), `${lines.length} lines in ${elapsed} ms`);
  assert.equal(lines[0].bytesDone, 1);
  w.result(0, { ok: true });
  assert.deepEqual(
    lines.slice(-2).map((l) => [l.type, l.bytesDone]),
    [
      ['progress', 9999],
      ['result', undefined],
    ],
  );
});
