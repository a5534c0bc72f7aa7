import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Binary, BSON, Long, ObjectId } from 'bson';
import { verifyDump } from '../src/mongo/dump-verify';

/**
 * Dump-verification throughput next to `sha256sum` on the same files.
 * Generates ~300 MB of dump-like BSON once (fixed seed) under .bench/, in
 * the proportions of an Alteryx Gallery database: many small queue/result
 * documents, medium nested documents, and GridFS chunks of 255 KiB.
 */

export interface DumpVerifyBenchResult {
  dataMB: number;
  files: number;
  documents: number;
  rows: Array<{ name: string; seconds: number; mbPerSecond: number }>;
  sha256sumMBps: number;
  /** Best verification MB/s ÷ sha256sum MB/s (target ≥ 0.5). */
  ratio: number;
  /** Default mode (walk, worker pool) ÷ sha256sum. */
  defaultRatio: number;
}

const SEED = 20261126;
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['workflow', 'gallery', 'schedule', 'queue', 'Alteryx', 'collection', 'résumé', 'データ', 'input', 'output', 'macro', 'district', 'sales'];

function writeCollection(file: string, targetBytes: number, make: (i: number) => Record<string, unknown>): number {
  const fd = fs.openSync(file, 'w');
  let written = 0;
  let n = 0;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  while (written < targetBytes) {
    const doc = Buffer.from(BSON.serialize(make(n++)));
    batch.push(doc);
    batchBytes += doc.length;
    written += doc.length;
    if (batchBytes > 4 * 1024 * 1024) {
      fs.writeSync(fd, Buffer.concat(batch));
      batch = [];
      batchBytes = 0;
    }
  }
  if (batch.length) fs.writeSync(fd, Buffer.concat(batch));
  fs.closeSync(fd);
  return n;
}

/** Creates (or reuses) the dump; returns its folder and the document count. */
export function generateBenchDump(root: string, totalMB = 300): { dir: string; documents: number } {
  const dir = path.join(root, `dump-verify-${SEED}-${totalMB}MB`);
  const marker = path.join(dir, 'complete.json');
  if (fs.existsSync(marker)) return { dir, documents: (JSON.parse(fs.readFileSync(marker, 'utf8')) as { documents: number }).documents };
  fs.rmSync(dir, { recursive: true, force: true });
  const r = rng(SEED);
  const w = () => WORDS[Math.floor(r() * WORDS.length)];
  const oid = () => ObjectId.createFromTime(1700000000 + Math.floor(r() * 1e7));
  const bytes = totalMB * 1024 * 1024;
  const log: string[] = [];
  let documents = 0;
  const plan: Array<[string, string, number, (i: number) => Record<string, unknown>]> = [
    ['AlteryxService', 'AS_Queue', 0.2, (i) => ({ _id: oid(), AS_Status: 'Complete', AS_Priority: i % 5, AS_Owner: w(), AS_Created: new Date(1.7e12 + i * 1000), AS_AppName: `${w()}_${w()}.yxzp`, AS_Tags: [w(), w()] })],
    ['AlteryxService', 'AS_Results', 0.2, (i) => ({ _id: oid(), AS_QueueId: oid(), AS_Status: i % 9 === 0 ? 'Error' : 'Success', AS_Messages: Array.from({ length: 1 + (i % 6) }, (_v, k) => ({ tool: k, type: w(), text: `${w()} ${w()} ${w()} record ${i}` })), AS_Duration: r() * 100, AS_Rows: Long.fromNumber(i * 97) })],
    ['AlteryxGallery', 'apps', 0.15, (i) => ({ _id: oid(), name: `${w()} ${w()} ${i}`, description: `${w()} `.repeat(20 + (i % 50)), ownerId: oid(), versions: Array.from({ length: 1 + (i % 4) }, (_v, k) => ({ version: k, uploaded: new Date(1.7e12 + k), size: Math.floor(r() * 1e6), meta: { runs: i, isPublic: k % 2 === 0, collections: [w(), w()] } })) })],
    ['AlteryxGallery', 'fs.chunks', 0.3, (i) => ({ _id: oid(), files_id: oid(), n: i % 16, data: new Binary(Buffer.alloc(255 * 1024, i & 0xff), 0) })],
    ['AlteryxGallery_Lucene', 'LuceneDocs', 0.15, (i) => ({ _id: oid(), field: w(), term: `${w()}${i}`, postings: Array.from({ length: 8 }, () => Math.floor(r() * 1e6)), blob: new Binary(Buffer.alloc(512, i & 0xff), 0) })],
  ];
  for (const [db, coll, share, make] of plan) {
    fs.mkdirSync(path.join(dir, db), { recursive: true });
    const n = writeCollection(path.join(dir, db, `${coll}.bson`), Math.floor(bytes * share), make);
    fs.writeFileSync(path.join(dir, db, `${coll}.metadata.json`), JSON.stringify({ indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }], collectionName: coll }));
    log.push(`2026-11-26T02:00:00.000+0000\tdone dumping ${db}.${coll} (${n} documents)`);
    documents += n;
  }
  fs.writeFileSync(path.join(dir, 'mongoDump.log'), log.join('\n') + '\n');
  fs.writeFileSync(marker, JSON.stringify({ documents }));
  return { dir, documents };
}

function bsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const db of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!db.isDirectory()) continue;
    for (const f of fs.readdirSync(path.join(dir, db.name))) if (f.endsWith('.bson')) out.push(path.join(dir, db.name, f));
  }
  return out.sort();
}

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

export async function runDumpVerifyBench(options: { root?: string; totalMB?: number; log?: (line: string) => void } = {}): Promise<DumpVerifyBenchResult> {
  const log = options.log ?? ((l: string) => console.log(l));
  const root = options.root ?? path.join(PACKAGE_ROOT, '.bench');
  fs.mkdirSync(root, { recursive: true });
  const { dir, documents } = generateBenchDump(root, options.totalMB ?? 300);
  const files = bsonFiles(dir);
  const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  const mb = bytes / 1024 / 1024;

  const sha = () => {
    const r = spawnSync('sha256sum', files, { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`sha256sum failed (${r.error?.message ?? r.status})`);
  };
  sha(); // warm the page cache so both sides read from memory
  const shaSeconds = Math.min(await time(sha), await time(sha));
  const rows: DumpVerifyBenchResult['rows'] = [{ name: 'sha256sum (one process, all files)', seconds: shaSeconds, mbPerSecond: mb / shaSeconds }];
  const variants: Array<[string, Parameters<typeof verifyDump>[1]]> = [
    ['verify: walk, worker pool (default)', { expectedDatabases: [], workers: undefined, mode: 'walk' }],
    ['verify: walk, main thread', { expectedDatabases: [], workers: 0, mode: 'walk' }],
    ['verify: BSON.deserialize, worker pool', { expectedDatabases: [], workers: undefined, mode: 'deserialize' }],
    ['verify: BSON.deserialize, main thread', { expectedDatabases: [], workers: 0, mode: 'deserialize' }],
  ];
  for (const [name, opts] of variants) {
    let checked = 0;
    const seconds = await time(async () => {
      const r = await verifyDump(dir, opts);
      if (!r.ok) throw new Error(`bench dump failed verification: ${r.errors[0]}`);
      checked = r.totalDocuments;
    });
    if (checked !== documents) throw new Error(`${name}: counted ${checked} documents, generated ${documents}`);
    rows.push({ name, seconds, mbPerSecond: mb / seconds });
  }
  const shaMBps = mb / shaSeconds;
  const best = Math.max(...rows.slice(1).map((r) => r.mbPerSecond));
  const result: DumpVerifyBenchResult = {
    dataMB: Math.round(mb),
    files: files.length,
    documents,
    rows,
    sha256sumMBps: shaMBps,
    ratio: best / shaMBps,
    defaultRatio: rows[1].mbPerSecond / shaMBps,
  };
  log(`dump verification: ${result.dataMB} MB, ${files.length} .bson files, ${documents} documents (${dir})`);
  for (const r of rows) log(`  ${r.name.padEnd(42)} ${r.seconds.toFixed(2).padStart(7)} s ${r.mbPerSecond.toFixed(0).padStart(6)} MB/s`);
  log(`  default verification = ${(result.defaultRatio * 100).toFixed(0)}% of sha256sum's speed (target ≥ 50%)`);
  return result;
}

if (require.main === module) {
  runDumpVerifyBench({ totalMB: process.argv[2] ? Number(process.argv[2]) : undefined }).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
