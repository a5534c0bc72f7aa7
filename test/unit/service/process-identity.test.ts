import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import {
  identityFromWmiList,
  parseCimDateTime,
  parseProcStatStartTime,
  parseWmiList,
  readProcessIdentity,
  sameIdentity,
} from '../../../src/service/process-identity';

test('parseProcStatStartTime takes field 22 (starttime), also when the command name holds spaces and parentheses', () => {
  // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime ...
  // https://man7.org/linux/man-pages/man5/proc.5.html
  const stat = '4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 120 0 0 0 3 1 0 0 20 0 1 0 987654 1234567 345 18446744073709551615';
  assert.equal(parseProcStatStartTime(stat), '987654');
  assert.equal(parseProcStatStartTime('garbage'), undefined);
});

test('parseCimDateTime reads yyyymmddHHMMSS.mmmmmmsUUU with the UTC offset in minutes', () => {
  // https://learn.microsoft.com/en-us/windows/win32/wmisdk/cim-datetime
  assert.equal(parseCimDateTime('20261127140512.123456+060')!.toISOString(), '2026-11-27T13:05:12.123Z');
  assert.equal(parseCimDateTime('20261127140512.123456-300')!.toISOString(), '2026-11-27T19:05:12.123Z');
  assert.equal(parseCimDateTime('20261127140512.123456+000')!.toISOString(), '2026-11-27T14:05:12.123Z');
  assert.equal(parseCimDateTime('2026-11-27 14:05:12'), undefined);
  assert.equal(parseCimDateTime(''), undefined);
});

test('identityFromWmiList reads `wmic process get CreationDate,Name /format:list` output (CRLF, blank lines)', () => {
  // wmic /format:list prints one Property=Value per line between blank lines
  // (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/wmic);
  // CreationDate is a CIM DATETIME (https://learn.microsoft.com/en-us/windows/win32/wmisdk/cim-datetime).
  const out = '\r\r\n\r\r\nCreationDate=20261127140512.123456+060\r\r\nName=AlteryxService.exe\r\r\n\r\r\n\r\r\n';
  assert.deepEqual(parseWmiList(out), { CreationDate: '20261127140512.123456+060', Name: 'AlteryxService.exe' });
  assert.deepEqual(identityFromWmiList(4242, out), { pid: 4242, startTime: 'windows:2026-11-27T13:05:12.123Z', image: 'AlteryxService.exe' });
  assert.equal(identityFromWmiList(4242, 'No Instance(s) Available.\r\n'), undefined);
  assert.equal(identityFromWmiList(4242, 'Name=x.exe\r\nCreationDate=\r\n'), undefined);
});

test('sameIdentity needs PID, start time and image to match (image case-insensitive, as on Windows)', () => {
  const a = { pid: 10, startTime: 'windows:2026-11-27T13:05:12.123Z', image: 'AlteryxService.exe' };
  assert.equal(sameIdentity(a, { ...a, image: 'alteryxservice.EXE' }), true);
  assert.equal(sameIdentity(a, { ...a, startTime: 'windows:2026-11-27T13:05:12.124Z' }), false);
  assert.equal(sameIdentity(a, { ...a, image: 'notepad.exe' }), false);
  assert.equal(sameIdentity(a, { ...a, pid: 11 }), false);
});

test('readProcessIdentity on Linux: stable for one process, different for another, undefined for a dead one', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const me1 = await readProcessIdentity(process.pid);
  const me2 = await readProcessIdentity(process.pid);
  assert.ok(me1);
  assert.deepEqual(me1, me2);
  assert.match(me1!.startTime, /^linux:[0-9a-f-]{36}:\d+$/);
  assert.equal(me1!.image, 'node');
  const child = spawn('sleep', ['5']);
  try {
    await new Promise((r) => setTimeout(r, 100));
    const other = await readProcessIdentity(child.pid!);
    assert.ok(other);
    assert.equal(other!.image, 'sleep');
    assert.equal(sameIdentity(me1!, { ...other!, pid: me1!.pid }), false, 'another process has another identity');
  } finally {
    child.kill('SIGKILL');
  }
  await new Promise((r) => child.once('exit', r));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await readProcessIdentity(child.pid!), undefined);
  assert.equal(await readProcessIdentity(-1), undefined);
});
