import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultWorkerCount, verifyDump } from '../src/mongo/dump-verify';
import type { BenchContext, BenchSection } from './bench-section';
import { ensureDumpDataSet } from './dump-dataset';

/**
 * Dump-verification throughput next to `sha256sum` on the same files: the
 * `MongoDB/` folder of the shared seeded data set (small-document BSON,
 * GridFS-like 255 KiB chunks, and `.bson.gz` as mongodump --gzip writes).
 * MB/s are on-disk bytes, the way sha256sum sees them.
 */

export interface DumpVerifyBenchResult {
  sizeMB: number;
  dataMB: number;
  /** Uncompressed BSON MB that verification parsed (more than dataMB: the .gz files expand). */
  bsonMB: number;
  files: number;
  documents: number;
  rows: Array<{ name: string; seconds: number; mbPerSecond: number }>;
  sha256sumMBps: number;
  /** Best verification MB/s ÷ sha256sum MB/s (target ≥ 0.5). */
  ratio: number;
  /** Default settings (walk; worker pool only from 4 cores) ÷ sha256sum. */
  defaultRatio: number;
}

function bsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const db of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!db.isDirectory()) continue;
    for (const f of fs.readdirSync(path.join(dir, db.name))) if (/\.bson(\.gz)?$/.test(f)) out.push(path.join(dir, db.name, f));
  }
  return out.sort();
}

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Measures one dump folder. */
export async function measureDumpVerify(dir: string, sizeMB: number, log: (line: string) => void): Promise<DumpVerifyBenchResult> {
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
    [`verify: walk, default (${defaultWorkerCount() || 'no'} workers)`, { expectedDatabases: [], mode: 'walk' }],
    ['verify: walk, main thread', { expectedDatabases: [], workers: 0, mode: 'walk' }],
    ['verify: walk, 2 worker threads', { expectedDatabases: [], workers: 2, mode: 'walk' }],
    ['verify: BSON.deserialize, 2 worker threads', { expectedDatabases: [], workers: 2, mode: 'deserialize' }],
  ];
  let documents = -1;
  let bsonBytes = 0;
  for (const [name, opts] of variants) {
    let seconds = Infinity;
    // Best of two on small sets: the machine is shared, and the best run is the one least disturbed.
    for (let k = 0; k < (mb <= 1000 ? 2 : 1); k++) {
      seconds = Math.min(
        seconds,
        await time(async () => {
          const r = await verifyDump(dir, opts);
          const broken = r.errors.filter((e) => !e.startsWith('mongoDump.log'));
          if (broken.length > 0) throw new Error(`bench dump failed verification: ${broken[0]}`);
          if (documents >= 0 && r.totalDocuments !== documents) throw new Error(`${name}: counted ${r.totalDocuments} documents, earlier runs ${documents}`);
          documents = r.totalDocuments;
          bsonBytes = r.bsonBytes;
        }),
      );
    }
    rows.push({ name, seconds, mbPerSecond: mb / seconds });
  }
  const shaMBps = mb / shaSeconds;
  const best = Math.max(...rows.slice(1).map((r) => r.mbPerSecond));
  const result: DumpVerifyBenchResult = {
    sizeMB,
    dataMB: Math.round(mb),
    bsonMB: Math.round(bsonBytes / 1024 / 1024),
    files: files.length,
    documents,
    rows,
    sha256sumMBps: shaMBps,
    ratio: best / shaMBps,
    defaultRatio: rows[1].mbPerSecond / shaMBps,
  };
  log(`dump verification: ${result.dataMB} MB on disk (${result.bsonMB} MB of BSON), ${files.length} .bson/.bson.gz files, ${documents} documents`);
  for (const r of rows) log(`  ${r.name.padEnd(42)} ${r.seconds.toFixed(2).padStart(7)} s ${r.mbPerSecond.toFixed(0).padStart(6)} MB/s`);
  log(`  default verification = ${(result.defaultRatio * 100).toFixed(0)}% of sha256sum's speed (target >= 50%)`);
  return result;
}

export const dumpVerifyBench: BenchSection = {
  name: 'dump-verify',
  async run(ctx: BenchContext): Promise<void> {
    const results: DumpVerifyBenchResult[] = [];
    for (const sizeMB of ctx.sizesMB) {
      const ds = ensureDumpDataSet(ctx.root, sizeMB, ctx.log);
      results.push(await measureDumpVerify(path.join(ds.dir, 'MongoDB'), sizeMB, ctx.log));
    }
    fs.writeFileSync(path.join(ctx.root, 'dump-verify-results.json'), JSON.stringify(results, null, 2) + '\n');
  },
};

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..', '.bench');
  fs.mkdirSync(root, { recursive: true });
  const sizesMB = (process.argv[2] ?? '300').split(',').map(Number);
  dumpVerifyBench.run({ root, sizesMB, log: (l) => console.log(l) }).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
