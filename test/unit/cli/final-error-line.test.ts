import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { JsonLineWriter } from '../../../src/cli/protocol';
import { Redactor } from '../../../src/core/redact';
import { BackupLogger } from '../../../src/logging/logger';

// Issue 16: the ERROR line that restates the command's failure is marked `final`,
// so the bridge can keep it off the console (the ErrorRecord prints it once).
test('log.error(..., { final: true }) marks the protocol line; other ERROR lines are unmarked', async () => {
  const lines: string[] = [];
  const redactor = new Redactor();
  const log = new BackupLogger(redactor, new JsonLineWriter(redactor, (l) => lines.push(l)));
  log.error('Also failed: WORKER2');
  log.error('Configuration file is invalid', { final: true });
  await log.close();
  const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(events.length, 2);
  assert.equal(events[0].level, 'ERROR');
  assert.equal('final' in events[0], false);
  assert.equal(events[1].final, true);
  assert.equal(events[1].message, 'Configuration file is invalid');
  // Both stay in the logger's own record (the summary's Errors and the log file).
  assert.deepEqual(log.errors, ['Also failed: WORKER2', 'Configuration file is invalid']);
});
