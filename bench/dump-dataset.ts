import { createCipheriv } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { BSON, Binary, ObjectId } from 'bson';

/**
 * A dump-like data set with a fixed seed, shaped like an Alteryx Server
 * backup staging folder: BSON of small text documents, BSON of large
 * incompressible binaries (the workflow packages, which are zips), gzip
 * files (as `mongodump --gzip` writes), and a few config files.
 * The same size always gives the same bytes; a finished set is reused.
 */
const VERSION = 1;

/** Deterministic pseudo-random bytes: AES-128-CTR over zeros with a fixed key. */
class SeededBytes {
  private readonly cipher;
  constructor(seed: string) {
    const key = Buffer.alloc(16);
    key.write(seed.padEnd(16, '.').slice(0, 16));
    this.cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  }
  bytes(n: number): Buffer {
    return this.cipher.update(Buffer.alloc(n));
  }
}

/** Small deterministic PRNG for choices (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'workflow schedule gallery collection user admin analytic app macro run queue result engine worker controller ' +
  'completed failed queued running canceled input output join filter formula summarize sort sample select union ' +
  'credentials owner shared private district region sales forecast model score customer account invoice product ' +
  'priority default interval daily weekly monthly timezone utc server node version package validation history'
).split(' ');

/** A pool of distinct BSON documents of queue/result/audit shape; rows are drawn from it with fresh ids. */
function textDocPool(rand: () => number, ids: SeededBytes, count: number): Buffer[] {
  const pool: Buffer[] = [];
  const w = (): string => WORDS[Math.floor(rand() * WORDS.length)];
  for (let i = 0; i < count; i++) {
    const doc: Record<string, unknown> = {
      _id: new ObjectId(ids.bytes(12)),
      AS_WorkflowName: `${w()} ${w()} ${w()}.yxmd`,
      AS_Owner: `user${Math.floor(rand() * 500)}@corp.example`,
      AS_Status: ['Completed', 'Error', 'Queued', 'Running'][Math.floor(rand() * 4)],
      AS_Priority: Math.floor(rand() * 4),
      AS_CreationTime: new Date(Date.UTC(2025, 0, 1) + Math.floor(rand() * 3e10)),
      AS_Message: Array.from({ length: 3 + Math.floor(rand() * 20) }, w).join(' '),
      AS_Tags: Array.from({ length: Math.floor(rand() * 5) }, w),
      AS_Duration: rand() * 1000,
      AS_Node: `ALTERYX-NODE-${Math.floor(rand() * 8)}`,
    };
    pool.push(Buffer.from(BSON.serialize(doc)));
  }
  return pool;
}

/** Writes `bytes` of BSON documents drawn from the pool, each with a new ObjectId. */
function writeTextBson(path: string, bytes: number, pool: Buffer[], rand: () => number, ids: SeededBytes): void {
  const fd = openSync(path, 'w');
  try {
    let written = 0;
    const chunk: Buffer[] = [];
    let chunkLen = 0;
    while (written < bytes) {
      const d = Buffer.from(pool[Math.floor(rand() * pool.length)]);
      // _id is the first element: int32 len, type 0x07, "_id\0", 12 bytes.
      ids.bytes(12).copy(d, 4 + 1 + 4);
      chunk.push(d);
      chunkLen += d.length;
      written += d.length;
      if (chunkLen >= 1 << 20) {
        writeSync(fd, Buffer.concat(chunk));
        chunk.length = 0;
        chunkLen = 0;
      }
    }
    if (chunk.length) writeSync(fd, Buffer.concat(chunk));
  } finally {
    closeSync(fd);
  }
}

/** GridFS-like chunks: documents holding 255 KiB of incompressible package bytes. */
function writeBinaryBson(path: string, bytes: number, data: SeededBytes, ids: SeededBytes): void {
  const fd = openSync(path, 'w');
  try {
    let n = 0;
    let written = 0;
    while (written < bytes) {
      const doc = BSON.serialize({ _id: new ObjectId(ids.bytes(12)), files_id: new ObjectId(ids.bytes(12)), n: n++, data: new Binary(data.bytes(255 * 1024)) });
      writeSync(fd, doc);
      written += doc.length;
    }
  } finally {
    closeSync(fd);
  }
}

export interface DataSet {
  dir: string;
  totalBytes: number;
  files: number;
}

export function ensureDumpDataSet(root: string, sizeMB: number, log: (l: string) => void): DataSet {
  const dir = join(root, `data-${sizeMB}mb`);
  const marker = join(dir, '.complete.json');
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8')) as { version: number; totalBytes: number; files: number };
    if (m.version === VERSION) return { dir: join(dir, 'staging'), totalBytes: m.totalBytes, files: m.files };
  }
  log(`generating the ${sizeMB} MB data set in ${dir} (seeded; reused next time)`);
  rmSync(dir, { recursive: true, force: true });
  const staging = join(dir, 'staging');
  const target = sizeMB * 1e6;
  const rand = prng(20261126 + sizeMB);
  const ids = new SeededBytes(`ids-${sizeMB}`);
  const blobs = new SeededBytes(`blobs-${sizeMB}`);
  const pool = textDocPool(rand, ids, 20000);
  let total = 0;
  let files = 0;
  const mk = (rel: string): string => {
    const p = join(staging, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    files++;
    return p;
  };
  // ~35% small-document BSON, in a few collections of different sizes.
  const textShare = target * 0.35;
  const textColls: Array<[string, number]> = [
    ['MongoDB/AlteryxService/AS_Queue.bson', 0.4],
    ['MongoDB/AlteryxService/AS_Results.bson', 0.35],
    ['MongoDB/AlteryxGallery/auditEvents.bson', 0.2],
    ['MongoDB/AlteryxGallery/users.bson', 0.05],
  ];
  for (const [rel, share] of textColls) {
    writeTextBson(mk(rel), textShare * share, pool, rand, ids);
    total += textShare * share;
  }
  // ~50% GridFS-like package chunks: incompressible.
  const binShare = target * 0.5;
  for (const [rel, share] of [['MongoDB/AlteryxGallery/fs.chunks.bson', 0.8], ['MongoDB/AlteryxService/AS_ResultsData.chunks.bson', 0.2]] as Array<[string, number]>) {
    writeBinaryBson(mk(rel), binShare * share, blobs, ids);
    total += binShare * share;
  }
  // ~13% gzip files, as mongodump --gzip writes them.
  const gzShare = target * 0.13;
  const gzFiles = 12;
  for (let i = 0; i < gzFiles; i++) {
    const tmp = join(dir, 'gz.tmp');
    mkdirSync(dir, { recursive: true });
    writeTextBson(tmp, (gzShare / gzFiles) * 4.5, pool, rand, ids);
    const gz = zlib.gzipSync(readFileSync(tmp), { level: 6 });
    writeFileSync(mk(`MongoDB/AlteryxGallery_Lucene/collection${String(i).padStart(2, '0')}.bson.gz`), gz);
    rmSync(tmp);
    total += gz.length;
  }
  // Metadata and config files.
  for (let i = 0; i < 150; i++) {
    writeFileSync(mk(`MongoDB/AlteryxGallery/coll${i}.metadata.json`), JSON.stringify({ options: {}, indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }], uuid: ids.bytes(16).toString('hex'), collectionName: `coll${i}` }));
  }
  writeFileSync(mk('Config/RuntimeSettings.xml'), `<?xml version="1.0" encoding="UTF-8"?>\n<SystemSettings><Controller><EmbeddedMongoDBEnabled>True</EmbeddedMongoDBEnabled></Controller>${'<Setting>value</Setting>'.repeat(200)}</SystemSettings>\n`);
  for (let i = 0; i < 7; i++) writeFileSync(mk(`Config/Keys/key${i}.bin`), blobs.bytes(256));
  writeFileSync(mk('Config/Engine/SystemAlias.xml'), '<AliasList/>\n');
  writeFileSync(mk('Config/ControllerToken.txt'), ids.bytes(32).toString('hex'));
  writeFileSync(mk('MongoDB/mongoDump.log'), 'done dumping\n'.repeat(500));
  mkdirSync(join(staging, 'Config/Empty Folder'), { recursive: true });
  total = Math.round(total);
  writeFileSync(marker, JSON.stringify({ version: VERSION, totalBytes: total, files }));
  return { dir: staging, totalBytes: total, files };
}
