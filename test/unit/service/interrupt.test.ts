import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { defaultInterruptSignals, installInterruptHandlers } from '../../../src/service/interrupt';

/** Sends the first signal once the child is ready, the rest one by one while it restores (the OS merges signals sent together). */
function runChild(signals: NodeJS.Signals[]): Promise<{ out: string; code: number | null; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'interrupt-child.js'), '1500'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const pending = [...signals];
  const sendNext = () => {
    const s = pending.shift();
    if (s) child.kill(s);
  };
  return new Promise((resolve) => {
    child.stdout.on('data', (b: Buffer) => {
      const before = out;
      out += b.toString();
      if (!before.includes('ready\n') && out.includes('ready\n')) sendNext();
      // Each further signal after the previous one was seen (its warning line).
      const warnings = (out.match(/^warn /gm) ?? []).length;
      const sent = signals.length - pending.length;
      if (out.includes('restoring\n') && warnings === sent && pending.length > 0) sendNext();
    });
    child.on('close', (code, signal) => resolve({ out, code, signal }));
  });
}

describe('installInterruptHandlers', () => {
  it('Ctrl+C aborts the work, and the process still finishes its restore before exiting', async () => {
    const r = await runChild(['SIGINT']);
    assert.equal(r.signal, null, 'not killed by the signal');
    assert.equal(r.code, 0);
    assert.match(r.out, /cancelled CancelledError CANCELLED/);
    assert.match(r.out, /restored after 1 signal/);
  });

  it('a second Ctrl+C (and a SIGTERM) do not skip the restore', async () => {
    const r = await runChild(['SIGINT', 'SIGINT', 'SIGTERM']);
    assert.equal(r.signal, null);
    assert.match(r.out, /restoring\n/);
    assert.match(r.out, /restored after 3 signal/);
    assert.match(r.out, /received again/);
    assert.ok(!r.out.includes('finished-work'));
  });

  it('the abort reason is a CancelledError naming the signal; dispose removes the handlers', () => {
    const before = process.listenerCount('SIGINT');
    const g = installInterruptHandlers();
    assert.equal(process.listenerCount('SIGINT'), before + 1);
    process.emit('SIGINT', 'SIGINT');
    assert.equal(g.signal.aborted, true);
    assert.equal(g.interruptedBy, 'SIGINT');
    assert.match(String((g.signal.reason as Error).message), /SIGINT/);
    g.dispose();
    g.dispose();
    assert.equal(process.listenerCount('SIGINT'), before);
  });

  it('listens for SIGBREAK only on Windows', () => {
    assert.ok(defaultInterruptSignals('win32').includes('SIGBREAK'));
    assert.ok(!defaultInterruptSignals('linux').includes('SIGBREAK'));
  });
});
