import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { SeededRandom } from '../../../src/sim/seeded-random';

describe('SeededRandom', () => {
  it('repeats for the same seed and label, and differs otherwise', () => {
    const seq = (seed: string, label: string) => {
      const r = new SeededRandom(seed, label);
      return [r.next(), r.int(1, 100), r.hex(8), r.bytes(32).toString('hex')];
    };
    assert.deepEqual(seq('s', 'a'), seq('s', 'a'));
    assert.notDeepEqual(seq('s', 'a'), seq('s', 'b'));
    assert.notDeepEqual(seq('s', 'a'), seq('t', 'a'));
  });

  it('stays in range', () => {
    const r = new SeededRandom('range', 'x');
    for (let i = 0; i < 10_000; i++) {
      const v = r.next();
      assert.ok(v >= 0 && v < 1);
      const n = r.int(-3, 3);
      assert.ok(n >= -3 && n <= 3 && Number.isInteger(n));
    }
  });

  it('produces bulk bytes that do not compress', () => {
    const b = new SeededRandom('blob', 'x').bytes(256 * 1024);
    assert.ok(gzipSync(b).length > b.length * 0.99);
  });
});
