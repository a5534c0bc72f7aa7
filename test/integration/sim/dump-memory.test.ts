import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readEvents } from '../../../src/platform/simulated/simulated-platform';
import { alteryxService, createHost, destroyHost, parseDumpLog, stopService } from './sim-harness';
import * as fs from 'node:fs';

/** The stand-ins stream: their peak memory must not follow the size of the database. */
describe('emongodump memory does not grow with the database', () => {
  const roots: string[] = [];
  before(async () => {
    for (const mb of ['1', '80']) {
      const { root } = await createHost(['--db-mb', mb, '--no-start']);
      roots.push(root);
    }
  });
  after(() => roots.forEach(destroyHost));

  it('dumps 1 MB and 80 MB with about the same peak RSS', async (t) => {
    const peaks: number[] = [];
    for (const root of roots) {
      await stopService(root);
      const out = path.join(root, 'temp', 'dump');
      const r = await alteryxService(root, `emongodump=${out}`);
      assert.equal(r.code, 0, r.stdout);
      assert.ok(parseDumpLog(fs.readFileSync(path.join(out, 'mongoDump.log'), 'utf8')).size > 0);
      const finished = readEvents(root).filter((e) => e.event === 'dump-finished').pop()!;
      peaks.push(finished.maxRssKb as number);
      t.diagnostic(`peak RSS ${finished.maxRssKb} KB`);
    }
    assert.ok(peaks[1] < peaks[0] + 20 * 1024, `peak RSS ${peaks[0]} KB for 1 MB, ${peaks[1]} KB for 80 MB`);
  });
});
