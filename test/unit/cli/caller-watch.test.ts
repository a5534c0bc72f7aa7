import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { linuxParentPid, watchCaller } from '../../../src/cli/caller-watch';
import { JsonLineWriter } from '../../../src/cli/protocol';
import { Redactor } from '../../../src/core/redact';

test('linuxParentPid reads field 4 of /proc/<pid>/stat, even when the command name holds spaces and parentheses', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stat-'));
  const f = path.join(dir, 'stat');
  // Format: proc(5), /proc/[pid]/stat: "pid (comm) state ppid pgrp ..." (https://man7.org/linux/man-pages/man5/proc.5.html)
  fs.writeFileSync(f, '4242 (node (x) y) S 17 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456 0 0\n');
  assert.equal(linuxParentPid(f), 17);
  assert.equal(linuxParentPid(path.join(dir, 'missing')), undefined);
  if (process.platform === 'linux') assert.equal(linuxParentPid(), process.ppid);
});

test('watchCaller: an error on an output stream reports the caller gone, once', () => {
  const out = new EventEmitter();
  const reasons: string[] = [];
  const w = watchCaller({ onGone: (r) => reasons.push(r), outputs: [out], pollMs: 0 });
  assert.equal(w.gone, false);
  out.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  out.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  assert.equal(w.gone, true);
  assert.deepEqual(reasons, ["a write to the caller's pipe failed (EPIPE)"]);
  w.dispose();
});

test('watchCaller: a changed parent PID reports the caller gone', async () => {
  let parent = 100;
  const reasons: string[] = [];
  const w = watchCaller({ onGone: (r) => reasons.push(r), outputs: [], pollMs: 10, parentPid: 100, currentParentPid: () => parent });
  await new Promise((r) => setTimeout(r, 40));
  assert.deepEqual(reasons, []);
  parent = 1; // re-parented to init
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(reasons, ['the calling process (PID 100) ended']);
  w.dispose();
});

test('JsonLineWriter: a throwing write stops the writer and reports once; later lines are dropped, not thrown', () => {
  const failures: unknown[] = [];
  let calls = 0;
  const w = new JsonLineWriter(new Redactor(), () => {
    calls++;
    throw Object.assign(new Error('EPIPE'), { code: 'EPIPE' });
  }, (e) => failures.push(e));
  w.log('INFO', 'a', 't');
  w.service('started', undefined);
  w.result(1, null);
  assert.equal(calls, 1);
  assert.equal(failures.length, 1);
  assert.equal(w.isStopped, true);
});

test('JsonLineWriter.keepAlive repeats the last progress line only after the idle time, and not after completed or stop()', () => {
  const lines: string[] = [];
  const w = new JsonLineWriter(new Redactor(), (l) => lines.push(l));
  assert.equal(w.keepAlive(0, Date.now() + 10_000), false, 'no progress yet');
  w.progress({ activity: 'Full backup', status: 'BackupMongoDB', percent: 30 });
  assert.equal(w.keepAlive(2000, Date.now()), false, 'not idle yet');
  assert.equal(w.keepAlive(2000, Date.now() + 2500), true);
  assert.deepEqual(JSON.parse(lines[1]), { ...JSON.parse(lines[0]), repeat: true });
  w.progress({ activity: 'Full backup', status: 'x', percent: 100, completed: true });
  assert.equal(w.keepAlive(2000, Date.now() + 5000), false, 'a completed activity is not repeated');
  w.progress({ activity: 'Full backup', status: 'y', percent: 50 });
  w.stop();
  assert.equal(w.keepAlive(0, Date.now() + 5000), false);
});
