import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsvLine, parseTasklistCsv } from '../../../../src/platform/windows/tasklist-parser';
import { fixture } from './fixture-path';

describe('parseTasklistCsv on recorded tasklist output', () => {
  it('reads two workflows, with quoted commas in the memory column', () => {
    const rows = parseTasklistCsv(fixture('tasklist-two-workflows.csv'));
    assert.deepEqual(
      rows.map((r) => [r.name, r.pid, r.sessionName, r.sessionNumber, r.memoryKb]),
      [
        ['AlteryxEngineCmd', 4312, 'Services', 0, 152344],
        ['AlteryxEngineCmd', 7788, 'Services', 0, 1098120],
      ],
    );
  });
  it('reads German number formatting', () => {
    const rows = parseTasklistCsv(fixture('tasklist-one-workflow.de-DE.csv'));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].pid, 4312);
    assert.equal(rows[0].memoryKb, 152344);
  });
  it('reads a workflow in the console session', () => {
    assert.deepEqual(parseTasklistCsv(fixture('tasklist-console-session.csv')).map((r) => r.pid), [9020]);
  });
  for (const f of ['tasklist-no-match.txt', 'tasklist-no-match.de-DE.txt', 'tasklist-rpc-unavailable.txt', 'tasklist-access-denied.txt', '']) {
    it(`finds no process in ${f || 'empty output'}`, () => {
      assert.deepEqual(parseTasklistCsv(f ? fixture(f) : ''), []);
    });
  }
});

describe('parseCsvLine', () => {
  it('handles quoted commas and doubled quotes', () => {
    assert.deepEqual(parseCsvLine('"a,b","say ""hi""",plain,""'), ['a,b', 'say "hi"', 'plain', '']);
  });
});
