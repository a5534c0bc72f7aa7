import { existsSync, promises as fs } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import { checkBsonFile, type BsonFileCheck } from './bson-file-verify';
import type { BsonCheckMode } from './bson-validate';
import { DUMP_LOG_FILE, parseDumpLog, type DumpLogFacts } from './dump-log';

/**
 * Proves a dump folder whole before it is archived: the expected databases
 * are there, every `.bson`/`.bson.gz` is a sequence of whole valid BSON
 * documents, and the counts agree with mongodump's own log and with counts
 * taken before the dump. The checks on the listing and the counts are pure
 * (`assessDump`); reading the files is the I/O shell around them.
 */

export interface CollectionResult {
  name: string;
  documents: number;
  /** Size on disk (compressed size for `.bson.gz`). */
  sizeBytes: number;
  /** Path relative to the dump folder, with forward slashes. */
  file: string;
}

export interface DatabaseResult {
  name: string;
  collections: CollectionResult[];
}

export interface DumpVerification {
  ok: boolean;
  databases: DatabaseResult[];
  collectionCount: number;
  totalDocuments: number;
  /** Every file in the dump folder, on disk. */
  sizeBytes: number;
  /** Uncompressed BSON bytes that were parsed. */
  bsonBytes: number;
  errors: string[];
  warnings: string[];
}

export interface DumpVerifyOptions {
  /** Database folders that must exist and hold at least one collection. */
  expectedDatabases: readonly string[];
  /** `db.collection` → documents counted before the dump (self-managed). */
  expectedCounts?: ReadonlyMap<string, number>;
  /**
   * When false (the application kept writing during the dump), differences
   * from `expectedCounts` are warnings, not errors. mongoDump.log
   * differences are always errors.
   */
  expectedCountsExact?: boolean;
  mode?: BsonCheckMode;
  /** Worker threads; 0 checks files on the main thread. Default: by data size and cores. */
  workers?: number;
  signal?: AbortSignal;
}

/** What the listing found, before any file is parsed. */
export interface DumpListing {
  collections: Array<{ db: string; name: string; file: string; sizeBytes: number }>;
  databaseFolders: string[];
  metadataFiles: string[];
  otherFiles: string[];
  sizeBytes: number;
  logText?: string;
}

/** Pure: given the listing, the per-file checks and the options, decide. */
export function assessDump(
  listing: DumpListing,
  checks: ReadonlyMap<string, BsonFileCheck>,
  metadataProblems: readonly string[],
  options: Pick<DumpVerifyOptions, 'expectedDatabases' | 'expectedCounts' | 'expectedCountsExact'>,
): DumpVerification {
  const errors: string[] = [];
  const warnings: string[] = [];
  const byDb = new Map<string, CollectionResult[]>();
  for (const db of listing.databaseFolders) byDb.set(db, []);
  let totalDocuments = 0;
  let bsonBytes = 0;
  const dumped = new Map<string, number>();

  for (const c of listing.collections) {
    const check = checks.get(c.file);
    if (!check) {
      errors.push(`${c.file}: not checked`);
      continue;
    }
    if (check.problem) errors.push(`${c.file}: ${check.problem}`);
    const list = byDb.get(c.db) ?? [];
    byDb.set(c.db, list);
    list.push({ name: c.name, documents: check.documents, sizeBytes: c.sizeBytes, file: c.file });
    totalDocuments += check.documents;
    bsonBytes += check.bsonBytes;
    dumped.set(`${c.db}.${c.name}`, check.documents);
  }
  errors.push(...metadataProblems);

  for (const db of options.expectedDatabases) {
    if (!listing.databaseFolders.includes(db)) {
      errors.push(`database folder ${db}/ is missing from the dump`);
    } else if ((byDb.get(db) ?? []).length === 0) {
      errors.push(`database folder ${db}/ holds no collection data (.bson)`);
    }
  }
  if (listing.collections.length === 0 && options.expectedDatabases.length === 0) {
    errors.push('the dump holds no collection data (.bson) at all');
  }
  for (const f of listing.otherFiles) warnings.push(`unexpected file in dump: ${f}`);

  if (listing.logText === undefined) {
    warnings.push(`${DUMP_LOG_FILE} not found: document counts could not be cross-checked with mongodump's log`);
  } else {
    compareWithLog(parseDumpLog(listing.logText), dumped, errors, warnings);
  }
  if (options.expectedCounts) {
    const exact = options.expectedCountsExact !== false;
    for (const [ns, expected] of options.expectedCounts) {
      const got = dumped.get(ns);
      if (got === undefined) {
        (exact ? errors : warnings).push(`${ns}: counted ${expected} documents before the dump, but the dump has no such collection`);
      } else if (got !== expected) {
        (exact ? errors : warnings).push(`${ns}: counted ${expected} documents before the dump, the dump holds ${got}`);
      }
    }
  }

  const databases: DatabaseResult[] = [...byDb.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, collections]) => ({ name, collections: collections.sort((a, b) => a.name.localeCompare(b.name)) }));
  return {
    ok: errors.length === 0,
    databases,
    collectionCount: listing.collections.length,
    totalDocuments,
    sizeBytes: listing.sizeBytes,
    bsonBytes,
    errors,
    warnings,
  };
}

function compareWithLog(log: DumpLogFacts, dumped: ReadonlyMap<string, number>, errors: string[], warnings: string[]): void {
  for (const f of log.failures) errors.push(`${DUMP_LOG_FILE} reports a failure: ${f}`);
  if (log.counts.size === 0) {
    warnings.push(`${DUMP_LOG_FILE} lists no 'done dumping' lines: counts not cross-checked`);
    return;
  }
  for (const [ns, logged] of log.counts) {
    const got = dumped.get(ns);
    if (got === undefined) errors.push(`${ns}: ${DUMP_LOG_FILE} says ${logged} documents were dumped, but the dump has no such collection`);
    else if (got !== logged) errors.push(`${ns}: ${DUMP_LOG_FILE} says ${logged} documents, the file holds ${got}`);
  }
  for (const ns of dumped.keys()) {
    if (!log.counts.has(ns)) warnings.push(`${ns}: in the dump but not in ${DUMP_LOG_FILE}`);
  }
}

/** Collection name as mongodump knows it; newer mongodump percent-escapes unsafe characters in file names. */
function collectionNameFromFile(base: string): string {
  if (!base.includes('%')) return base;
  try {
    return decodeURIComponent(base);
  } catch {
    return base;
  }
}

export async function listDump(dir: string): Promise<DumpListing> {
  const listing: DumpListing = { collections: [], databaseFolders: [], metadataFiles: [], otherFiles: [], sizeBytes: 0 };
  const top = await fs.readdir(dir, { withFileTypes: true });
  for (const entry of top) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      listing.databaseFolders.push(entry.name);
      for (const inner of await fs.readdir(full, { withFileTypes: true })) {
        const rel = `${entry.name}/${inner.name}`;
        if (!inner.isFile()) {
          listing.otherFiles.push(`${rel}${inner.isDirectory() ? '/' : ''}`);
          continue;
        }
        const size = (await fs.stat(path.join(full, inner.name))).size;
        listing.sizeBytes += size;
        const m = /^(.*)\.bson(\.gz)?$/.exec(inner.name);
        if (m && m[1] !== '') {
          listing.collections.push({ db: entry.name, name: collectionNameFromFile(m[1]), file: rel, sizeBytes: size });
        } else if (/\.metadata\.json(\.gz)?$/.test(inner.name)) {
          listing.metadataFiles.push(rel);
        } else {
          listing.otherFiles.push(rel);
        }
      }
    } else if (entry.isFile()) {
      const size = (await fs.stat(full)).size;
      listing.sizeBytes += size;
      if (entry.name === DUMP_LOG_FILE) {
        listing.logText = await fs.readFile(full, 'utf8');
      } else if (/^oplog\.bson(\.gz)?$/.test(entry.name)) {
        // --oplog output: verify it like a collection of the pseudo-database "".
        listing.collections.push({ db: '', name: 'oplog', file: entry.name, sizeBytes: size });
      } else if (entry.name !== 'prelude.json') {
        listing.otherFiles.push(entry.name);
      }
    }
  }
  return listing;
}

async function checkMetadata(dir: string, files: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const rel of files) {
    try {
      let bytes = await fs.readFile(path.join(dir, rel));
      if (rel.endsWith('.gz')) bytes = gunzipSync(bytes);
      JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      problems.push(`${rel}: metadata is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  return problems;
}

const WORKER_THRESHOLD_BYTES = 64 * 1024 * 1024;

/**
 * The main thread already keeps two cores busy on `.bson.gz` (gunzip runs
 * on libuv's pool beside the walk), and on the 2-core bench machine a
 * 2-worker pool measured slower than the main thread. So workers start at
 * 4 cores: half the cores, at most 4.
 */
export function defaultWorkerCount(cores = availableParallelism()): number {
  const n = Math.min(4, Math.floor(cores / 2));
  return n >= 2 ? n : 0;
}

export async function verifyDump(dir: string, options: DumpVerifyOptions): Promise<DumpVerification> {
  if (!existsSync(dir)) {
    return assessDump({ collections: [], databaseFolders: [], metadataFiles: [], otherFiles: [], sizeBytes: 0 }, new Map(), [`dump folder ${dir} does not exist`], options);
  }
  const listing = await listDump(dir);
  const mode = options.mode ?? 'walk';
  const files = [...listing.collections].sort((a, b) => b.sizeBytes - a.sizeBytes);
  const dataBytes = files.reduce((n, f) => n + f.sizeBytes, 0);
  let workers = options.workers;
  if (workers === undefined) workers = dataBytes >= WORKER_THRESHOLD_BYTES && files.length > 1 ? defaultWorkerCount() : 0;
  workers = Math.min(workers, files.length);
  const workerScript = path.join(__dirname, 'dump-verify-worker.js');
  if (workers > 0 && !existsSync(workerScript)) workers = 0;

  const checks = new Map<string, BsonFileCheck>();
  const jobs = files.map((f) => ({ rel: f.file, abs: path.join(dir, f.file) }));
  if (workers === 0) {
    for (const job of jobs) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      checks.set(job.rel, await checkBsonFile(job.abs, mode, options.signal));
    }
  } else {
    await runPool(workerScript, workers, jobs, mode, checks, options.signal);
  }
  const metadataProblems = await checkMetadata(dir, listing.metadataFiles);
  return assessDump(listing, checks, metadataProblems, options);
}

async function runPool(
  script: string,
  size: number,
  jobs: Array<{ rel: string; abs: string }>,
  mode: BsonCheckMode,
  checks: Map<string, BsonFileCheck>,
  signal?: AbortSignal,
): Promise<void> {
  const pool: Worker[] = [];
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let active = 0;
      let failed = false;
      const fail = (err: unknown) => {
        if (failed) return;
        failed = true;
        reject(err);
      };
      const onAbort = () => fail(signal?.reason ?? new Error('aborted'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const feed = (w: Worker) => {
        if (failed) return;
        if (next >= jobs.length) {
          if (active === 0) {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          }
          return;
        }
        const id = next++;
        active++;
        w.postMessage({ id, file: jobs[id].abs, mode });
      };
      for (let i = 0; i < size; i++) {
        const w = new Worker(script);
        pool.push(w);
        w.on('message', (msg: { id: number; result?: BsonFileCheck; error?: string }) => {
          active--;
          if (msg.error !== undefined) return fail(new Error(`${jobs[msg.id].rel}: ${msg.error}`));
          checks.set(jobs[msg.id].rel, msg.result as BsonFileCheck);
          feed(w);
        });
        w.on('error', fail);
        w.on('exit', (code) => {
          if (code !== 0) fail(new Error(`dump verification worker exited with code ${code}`));
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
