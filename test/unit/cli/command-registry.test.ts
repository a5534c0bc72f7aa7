import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { COMMAND_NAMES, loadCommand } from '../../../src/cli/command-registry';
import { COMMANDS } from '../../../src/cli/commands';

describe('command registry (lazy loading by command)', () => {
  it('names exactly the commands commands.ts implements', () => {
    assert.deepEqual([...COMMAND_NAMES].sort(), Object.keys(COMMANDS).sort());
  });

  it('loads the same handler as the full table, and nothing for an unknown name', () => {
    for (const name of COMMAND_NAMES) assert.equal(loadCommand(name), COMMANDS[name], name);
    assert.equal(loadCommand('Get-Nothing'), undefined);
    assert.equal(loadCommand('toString'), undefined);
  });
});
