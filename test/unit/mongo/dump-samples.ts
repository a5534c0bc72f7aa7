import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Binary, BSON, BSONRegExp, Code, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, UUID } from 'bson';

/** Deterministic pseudo-random numbers for reproducible test data. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A document using every BSON type mongodump can emit, so corruption can land anywhere. */
export function richDocument(i: number): Record<string, unknown> {
  return {
    _id: ObjectId.createFromHexString((0x5f000000 + i).toString(16).padStart(24, '0')),
    name: `workflow ${i} — résumé データ`,
    owner: 'alteryx_user',
    runs: new Int32(i),
    score: new Double(i / 7),
    big: Long.fromNumber(i * 1000003),
    created: new Date(1700000000000 + i * 1000),
    active: i % 2 === 0,
    nothing: null,
    tags: ['a', 'b', { deep: [1, 2, { deeper: 'x' }] }],
    blob: new Binary(Buffer.from(`payload-${i}`), 0),
    oldBlob: new Binary(Buffer.from('legacy'), 2),
    uuid: new UUID('0123456789abcdef0123456789abcdef'),
    re: new BSONRegExp('^wf-\\d+$', 'i'),
    code: new Code('function () { return 1; }'),
    scoped: new Code('function () { return x; }', { x: 1 }),
    ts: new Timestamp({ t: 1700000000, i }),
    dec: Decimal128.fromString('1234.5678'),
    min: new MinKey(),
    max: new MaxKey(),
    ref: new DBRef('users', new ObjectId('5f0000000000000000000001')),
  };
}

export function bsonStream(count: number, make: (i: number) => Record<string, unknown> = richDocument): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) parts.push(Buffer.from(BSON.serialize(make(i))));
  return Buffer.concat(parts);
}

export interface SampleCollection {
  db: string;
  name: string;
  documents: number;
}

/** Writes an emongodump-shaped folder: <db>/<coll>.bson + .metadata.json, and mongoDump.log. */
export async function writeSampleDump(dir: string, collections: SampleCollection[], opts: { gzip?: boolean; log?: boolean } = {}): Promise<void> {
  const logLines: string[] = [];
  for (const c of collections) {
    const dbDir = path.join(dir, c.db);
    await fs.mkdir(dbDir, { recursive: true });
    const data = bsonStream(c.documents);
    const meta = Buffer.from(JSON.stringify({ indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }], uuid: '0123', collectionName: c.name, type: 'collection' }));
    if (opts.gzip) {
      await fs.writeFile(path.join(dbDir, `${c.name}.bson.gz`), gzipSync(data));
      await fs.writeFile(path.join(dbDir, `${c.name}.metadata.json.gz`), gzipSync(meta));
    } else {
      await fs.writeFile(path.join(dbDir, `${c.name}.bson`), data);
      await fs.writeFile(path.join(dbDir, `${c.name}.metadata.json`), meta);
    }
    logLines.push(`2026-11-26T02:00:15.123+0000\twriting ${c.db}.${c.name} to ${path.join(dbDir, c.name)}.bson`);
    logLines.push(`2026-11-26T02:00:15.456+0000\tdone dumping ${c.db}.${c.name} (${c.documents} document${c.documents === 1 ? '' : 's'})`);
  }
  if (opts.log !== false) await fs.writeFile(path.join(dir, 'mongoDump.log'), logLines.join('\r\n') + '\r\n');
}

export const EMBEDDED_SAMPLE: SampleCollection[] = [
  { db: 'AlteryxService', name: 'AS_Queue', documents: 40 },
  { db: 'AlteryxService', name: 'AS_Results', documents: 25 },
  { db: 'AlteryxGallery', name: 'users', documents: 12 },
  { db: 'AlteryxGallery', name: 'apps.versions', documents: 7 },
  { db: 'AlteryxGallery', name: 'emptyCollection', documents: 0 },
  { db: 'AlteryxGallery_Lucene', name: 'LuceneDocs', documents: 3 },
];

/** Start offsets of every document in a well-formed stream, plus its end. */
export function documentOffsets(data: Buffer): number[] {
  const offsets = [0];
  for (let pos = 0; pos < data.length; ) {
    pos += data.readInt32LE(pos);
    offsets.push(pos);
  }
  return offsets;
}
