import assert from 'node:assert/strict';
import { BSON } from 'bson';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { Catalog, generateDatabase } from '../../../src/sim/data-generator';
import { DumpFaults, documentOffsets, largestCollection, writeDump } from '../../../src/sim/dump-writer';

/** Counts whole documents; returns the problem for a file that is not whole documents. */
function scan(buf: Buffer): { docs: number; error?: string } {
  let pos = 0;
  let docs = 0;
  while (pos < buf.length) {
    if (pos + 4 > buf.length) return { docs, error: 'truncated prefix' };
    const len = buf.readInt32LE(pos);
    if (len < 5 || pos + len > buf.length) return { docs, error: 'truncated document' };
    if (buf[pos + len - 1] !== 0) return { docs, error: 'bad terminator' };
    BSON.deserialize(buf.subarray(pos, pos + len));
    pos += len;
    docs++;
  }
  return { docs };
}

describe('data generator and dump writer (no processes)', () => {
  let dir = '';
  let data = '';
  let catalog: Catalog;
  let n = 0;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dumpwriter-'));
    data = path.join(dir, 'data');
    catalog = await generateDatabase(data, 'unit', 0.4);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function dump(faults: DumpFaults, gzip = false) {
    const out = path.join(dir, `out${++n}`);
    const log: string[] = [];
    const result = await writeDump({ dataDir: data, outDir: out, gzip, faults: { target: largestCollection(catalog), ...faults }, log: (l) => log.push(l) });
    const read = (ns: string) => {
      const [db, ...rest] = ns.split('.');
      const f = path.join(out, db, `${rest.join('.')}.bson${gzip ? '.gz' : ''}`);
      const b = fs.readFileSync(f);
      return gzip ? gunzipSync(b) : b;
    };
    return { out, log, result, read };
  }

  it('generates whole documents whose counts match the catalog, about the requested size', () => {
    let total = 0;
    for (const [db, colls] of Object.entries(catalog.databases)) {
      for (const [name, e] of Object.entries(colls)) {
        const s = scan(fs.readFileSync(path.join(data, e.file)));
        assert.equal(s.error, undefined, `${db}.${name}`);
        assert.equal(s.docs, e.documents, `${db}.${name}`);
        assert.equal(documentOffsets(path.join(data, e.file)).length - 1, e.documents);
        total += e.bytes;
      }
    }
    assert.deepEqual(Object.keys(catalog.databases).sort(), ['AlteryxGallery', 'AlteryxGallery_Lucene', 'AlteryxService']);
    assert.ok(total > 0.3 * 1024 * 1024 && total < 0.7 * 1024 * 1024, `${total} bytes`);
    assert.equal(largestCollection(catalog), 'AlteryxService.AS_Applications');
  });

  it('writes every collection and logs mongodump lines', async () => {
    const { log, result, read } = await dump({});
    assert.equal(result.collections, Object.values(catalog.databases).reduce((a, c) => a + Object.keys(c).length, 0));
    assert.match(log[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000\twriting \S+ to \S/);
    assert.ok(log.some((l) => /\tdone dumping AlteryxService\.AS_Locks \(0 documents\)$/.test(l)));
    assert.equal(scan(read('AlteryxGallery.users')).docs, catalog.databases.AlteryxGallery.users.documents);
  });

  it('gzips when asked, with the same documents inside', async () => {
    const { read } = await dump({}, true);
    assert.equal(scan(read('AlteryxGallery.workflows')).docs, catalog.databases.AlteryxGallery.workflows.documents);
  });

  it('partial: cuts inside a document, and the log still claims them all', async () => {
    const { log, read } = await dump({ partial: 'AlteryxGallery.users' });
    assert.equal(scan(read('AlteryxGallery.users')).error, 'truncated document');
    assert.ok(log.some((l) => l.endsWith(`done dumping AlteryxGallery.users (${catalog.databases.AlteryxGallery.users.documents} documents)`)));
  });

  it('missingDocs: whole documents, N fewer', async () => {
    const { read } = await dump({ missingDocs: 1 });
    const s = scan(read('AlteryxService.AS_Applications'));
    assert.equal(s.error, undefined);
    assert.equal(s.docs, catalog.databases.AlteryxService.AS_Applications.documents - 1);
  });

  it('bitFlip: one bad terminator, in gzip too', async () => {
    assert.equal(scan((await dump({ bitFlip: true })).read('AlteryxService.AS_Applications')).error, 'bad terminator');
    assert.equal(scan((await dump({ bitFlip: true }, true)).read('AlteryxService.AS_Applications')).error, 'bad terminator');
  });

  it('empty and missingDb', async () => {
    const empty = await dump({ empty: true });
    for (const db of Object.keys(catalog.databases)) assert.deepEqual(fs.readdirSync(path.join(empty.out, db)), []);
    assert.deepEqual(empty.log, []);
    const missing = await dump({ missingDb: 'AlteryxService' });
    assert.deepEqual(fs.readdirSync(missing.out).sort(), ['AlteryxGallery', 'AlteryxGallery_Lucene']);
    assert.ok(!missing.log.some((l) => l.includes('AlteryxService.')));
  });
});
