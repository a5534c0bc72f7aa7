import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseDumpLog, splitNamespace } from '../../../src/mongo/dump-log';
import { defaultWorkerCount, verifyDump, type DumpVerifyOptions } from '../../../src/mongo/dump-verify';
import { documentOffsets, EMBEDDED_SAMPLE, writeSampleDump } from './dump-samples';

const EMBEDDED_DBS = ['AlteryxService', 'AlteryxGallery', 'AlteryxGallery_Lucene'];

describe('parseDumpLog', () => {
  it('reads counts (singular and plural, dotted collection names, CRLF) and failures', () => {
    const facts = parseDumpLog(
      [
        '2026-11-26T02:00:15.123+0000\twriting AlteryxGallery.apps.versions to D:\\Temp\\MongoDB\\AlteryxGallery\\apps.versions.bson',
        '2026-11-26T02:00:15.456+0000\tdone dumping AlteryxGallery.apps.versions (1 document)',
        '2026-11-26T02:00:15.456+0000\t[####################]  AlteryxService.AS_Queue  40/40  (100.0%)',
        '2026-11-26T02:00:15.456+0000\tdone dumping AlteryxService.AS_Queue (40 documents)\r',
        '2026-11-26T02:00:16.000+0000\tFailed: error writing data for collection `AlteryxGallery.users` to disk: short write',
        '2026-11-26T02:00:16.100+0000\twriting AlteryxService.error to D:\\Temp\\MongoDB\\AlteryxService\\error.bson',
        '2026-11-26T02:00:16.200+0000\tdone dumping AlteryxService.error (0 documents)',
        '2026-11-26T02:00:16.300+0000\tcompleted with 0 error(s)',
        '',
      ].join('\n'),
    );
    assert.deepEqual([...facts.counts], [
      ['AlteryxGallery.apps.versions', 1],
      ['AlteryxService.AS_Queue', 40],
      ['AlteryxService.error', 0],
    ]);
    assert.equal(facts.failures.length, 1);
    assert.match(facts.failures[0], /Failed: error writing/);
    assert.deepEqual(splitNamespace('AlteryxGallery.apps.versions'), { db: 'AlteryxGallery', collection: 'apps.versions' });
  });
});

describe('verifyDump', () => {
  let root: string;
  let n = 0;
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'dump-verify-'));
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });
  const fresh = async (opts: { gzip?: boolean; log?: boolean } = {}) => {
    const dir = path.join(root, `d${n++}`);
    await writeSampleDump(dir, EMBEDDED_SAMPLE, opts);
    return dir;
  };
  const options = (extra: Partial<DumpVerifyOptions> = {}): DumpVerifyOptions => ({ expectedDatabases: EMBEDDED_DBS, workers: 0, ...extra });

  for (const gzip of [false, true]) {
    it(`a good ${gzip ? '.bson.gz' : '.bson'} dump verifies with per-collection counts`, async () => {
      const dir = await fresh({ gzip });
      const r = await verifyDump(dir, options());
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.warnings, []);
      assert.equal(r.ok, true);
      assert.equal(r.collectionCount, 6);
      assert.equal(r.totalDocuments, 87);
      const gallery = r.databases.find((d) => d.name === 'AlteryxGallery');
      assert.deepEqual(
        gallery?.collections.map((c) => [c.name, c.documents, c.file]),
        [
          ['apps.versions', 7, `AlteryxGallery/apps.versions.bson${gzip ? '.gz' : ''}`],
          ['emptyCollection', 0, `AlteryxGallery/emptyCollection.bson${gzip ? '.gz' : ''}`],
          ['users', 12, `AlteryxGallery/users.bson${gzip ? '.gz' : ''}`],
        ],
      );
      assert.ok(r.sizeBytes > 0);
    });
  }

  it('worker threads only from 4 cores (the main thread already uses two with gunzip)', () => {
    assert.deepEqual([1, 2, 3, 4, 8, 16].map((c) => defaultWorkerCount(c)), [0, 0, 0, 2, 4, 4]);
  });

  it('the worker pool gives the same answer as the main thread', async () => {
    const dir = await fresh();
    const inline = await verifyDump(dir, options());
    const pooled = await verifyDump(dir, options({ workers: 2 }));
    assert.deepEqual(pooled, inline);
    const deser = await verifyDump(dir, options({ workers: 2, mode: 'deserialize' }));
    assert.deepEqual(deser, inline);
  });

  it('a truncated .bson fails, naming file and document', async () => {
    const dir = await fresh();
    const file = path.join(dir, 'AlteryxService', 'AS_Queue.bson');
    const data = await fs.readFile(file);
    await fs.writeFile(file, data.subarray(0, data.length - 100));
    const r = await verifyDump(dir, options());
    assert.equal(r.ok, false);
    assert.ok(r.errors.some((e) => /^AlteryxService\/AS_Queue\.bson: document #\d+ at byte offset \d+: .*truncated/.test(e)), r.errors.join('\n'));
  });

  it('a truncated .bson.gz fails', async () => {
    const dir = await fresh({ gzip: true });
    const file = path.join(dir, 'AlteryxGallery', 'users.bson.gz');
    const data = await fs.readFile(file);
    await fs.writeFile(file, data.subarray(0, Math.floor(data.length / 2)));
    const r = await verifyDump(dir, options());
    assert.equal(r.ok, false);
    assert.ok(r.errors.some((e) => e.startsWith('AlteryxGallery/users.bson.gz: ') && /gzip|truncated/.test(e)), r.errors.join('\n'));
  });

  it('a .bson.gz whose content is damaged BSON fails', async () => {
    const dir = await fresh({ gzip: true });
    const file = path.join(dir, 'AlteryxGallery', 'users.bson.gz');
    await fs.writeFile(file, gzipSync(Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3])));
    const r = await verifyDump(dir, options());
    assert.ok(r.errors.some((e) => /users\.bson\.gz: document #1 at byte offset 0: document length prefix/.test(e)), r.errors.join('\n'));
  });

  it('a bit flipped in a terminator, in a type byte, or in a length prefix fails', async () => {
    const file = (dir: string) => path.join(dir, 'AlteryxService', 'AS_Results.bson');
    const data = await fs.readFile(file(await fresh()));
    const at = documentOffsets(data);
    // A terminator, a first element's type byte, a length prefix's second byte, the last byte.
    for (const offset of [at[1] - 1, at[4] + 4, at[10] + 1, data.length - 1]) {
      const dir = await fresh();
      const copy = Buffer.from(data);
      copy[offset] ^= 0x80;
      await fs.writeFile(file(dir), copy);
      const r = await verifyDump(dir, options());
      assert.equal(r.ok, false, `offset ${offset}`);
      assert.ok(r.errors.some((e) => e.startsWith('AlteryxService/AS_Results.bson: document #')), r.errors.join('\n'));
    }
  });

  it('whole documents missing at the end are caught by the mongoDump.log count', async () => {
    const dir = await fresh();
    const file = path.join(dir, 'AlteryxService', 'AS_Queue.bson');
    const data = await fs.readFile(file);
    await fs.writeFile(file, data.subarray(0, documentOffsets(data)[37]));
    const r = await verifyDump(dir, options());
    assert.equal(r.ok, false);
    assert.deepEqual(r.errors, ['AlteryxService.AS_Queue: mongoDump.log says 40 documents, the file holds 37']);
  });

  it('an emptied .bson is caught by the count; an empty collection is fine', async () => {
    const dir = await fresh();
    await fs.writeFile(path.join(dir, 'AlteryxGallery', 'users.bson'), Buffer.alloc(0));
    const r = await verifyDump(dir, options());
    assert.deepEqual(r.errors, ['AlteryxGallery.users: mongoDump.log says 12 documents, the file holds 0']);
  });

  it('a missing database folder, an empty database folder, and an empty dump fail', async () => {
    const dir = await fresh();
    await fs.rm(path.join(dir, 'AlteryxGallery_Lucene'), { recursive: true });
    await fs.rm(path.join(dir, 'AlteryxService', 'AS_Queue.bson'));
    await fs.rm(path.join(dir, 'AlteryxService', 'AS_Results.bson'));
    const r = await verifyDump(dir, options());
    assert.ok(r.errors.includes('database folder AlteryxGallery_Lucene/ is missing from the dump'), r.errors.join('\n'));
    assert.ok(r.errors.includes('database folder AlteryxService/ holds no collection data (.bson)'), r.errors.join('\n'));
    assert.ok(r.errors.some((e) => /AlteryxService\.AS_Queue: mongoDump\.log says 40 documents were dumped, but the dump has no such collection/.test(e)));

    const empty = path.join(root, `empty${n++}`);
    await fs.mkdir(empty);
    const e = await verifyDump(empty, options({ expectedDatabases: [] }));
    assert.deepEqual(e.errors, ['the dump holds no collection data (.bson) at all']);
    const gone = await verifyDump(path.join(root, 'nope'), options());
    assert.equal(gone.ok, false);
  });

  it('without mongoDump.log it warns; with expected counts it compares (errors when exact, warnings when not)', async () => {
    const dir = await fresh({ log: false });
    const expected = new Map([
      ['AlteryxGallery.users', 12],
      ['AlteryxService.AS_Queue', 41],
      ['AlteryxGallery.gone', 1],
    ]);
    const exact = await verifyDump(dir, options({ expectedCounts: expected }));
    assert.ok(exact.warnings.some((w) => /mongoDump\.log not found/.test(w)));
    assert.deepEqual(exact.errors, [
      'AlteryxService.AS_Queue: counted 41 documents before the dump, the dump holds 40',
      'AlteryxGallery.gone: counted 1 documents before the dump, but the dump has no such collection',
    ]);
    const loose = await verifyDump(dir, options({ expectedCounts: expected, expectedCountsExact: false }));
    assert.equal(loose.ok, true);
    assert.equal(loose.warnings.length, 3);
  });

  it('a failure line in mongoDump.log and corrupt metadata fail', async () => {
    const dir = await fresh();
    await fs.appendFile(path.join(dir, 'mongoDump.log'), '2026-11-26T02:00:16.000+0000\tFailed: error reading collection: connection reset\n');
    await fs.writeFile(path.join(dir, 'AlteryxGallery', 'users.metadata.json'), '{"indexes": [');
    const r = await verifyDump(dir, options());
    assert.equal(r.errors.length, 2, r.errors.join('\n'));
    assert.match(r.errors[0], /AlteryxGallery\/users\.metadata\.json: metadata is not valid JSON/);
    assert.match(r.errors[1], /mongoDump\.log reports a failure: .*connection reset/);
  });

  it('abort stops verification', async () => {
    const dir = await fresh();
    const ac = new AbortController();
    ac.abort(new Error('cancelled by test'));
    await assert.rejects(verifyDump(dir, options({ signal: ac.signal })), /cancelled by test/);
    await assert.rejects(verifyDump(dir, options({ signal: ac.signal, workers: 2 })), /cancelled by test/);
  });
});
