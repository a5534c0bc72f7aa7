import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAULT_KINDS, parseFaultAssignment } from '../../../src/sim/faults';

describe('parseFaultAssignment', () => {
  it('parses booleans, numbers, strings and states', () => {
    assert.deepEqual(parseFaultAssignment('dumpHang=true'), ['dumpHang', true]);
    assert.deepEqual(parseFaultAssignment('dumpHang=FALSE'), ['dumpHang', false]);
    assert.deepEqual(parseFaultAssignment('stopSeconds=1.5'), ['stopSeconds', 1.5]);
    assert.deepEqual(parseFaultAssignment('dumpMissingDb=AlteryxGallery'), ['dumpMissingDb', 'AlteryxGallery']);
    assert.deepEqual(parseFaultAssignment('dumpPartial=true'), ['dumpPartial', true]);
    assert.deepEqual(parseFaultAssignment('dumpPartial=AlteryxGallery.users'), ['dumpPartial', 'AlteryxGallery.users']);
    assert.deepEqual(parseFaultAssignment('initialState=paused'), ['initialState', 'Paused']);
  });

  it('rejects unknown names, missing values and wrong types', () => {
    assert.throws(() => parseFaultAssignment('dumpExplode=true'), /Unknown fault 'dumpExplode'/);
    assert.throws(() => parseFaultAssignment('dumpHang'), /name=value/);
    assert.throws(() => parseFaultAssignment('dumpHang=yes'), /true or false/);
    assert.throws(() => parseFaultAssignment('stopSeconds=-1'), /non-negative/);
    assert.throws(() => parseFaultAssignment('stopSeconds='), /non-negative/);
    assert.throws(() => parseFaultAssignment('dumpMissingDb='), /needs a value/);
    assert.throws(() => parseFaultAssignment('initialState=Sleeping'), /Running, Stopped, Paused, Disabled/);
  });

  it('documents every switch in test/README.md', () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const path = require('node:path') as typeof import('node:path');
    const readme = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'test', 'README.md'), 'utf8');
    for (const name of Object.keys(FAULT_KINDS)) assert.match(readme, new RegExp(`\\| \`${name}=`), `${name} is documented`);
  });
});
