import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { Catalog, CollectionEntry, readCatalog } from './data-generator';
import { sleep } from './host-layout';

/**
 * Writes a dump in mongodump's layout: `<out>/<db>/<coll>.bson[.gz]` and
 * `<coll>.metadata.json[.gz]`, logging mongodump's own lines. Shared by the
 * emongodump and mongodump stand-ins. Every file is streamed from the live
 * data, so memory does not grow with the database. Faults corrupt the output
 * on the way through.
 */

export interface DumpFaults {
  /** 'db.coll' to truncate in the middle of a document. */
  partial?: string;
  /** Drop this many whole documents from the end of `target`. */
  missingDocs?: number;
  /** Flip the high bit of one document's terminating byte in `target`. */
  bitFlip?: boolean;
  empty?: boolean;
  missingDb?: string;
  hangAfterFirst?: boolean;
  extraSeconds?: number;
  /** 'db.coll' that missingDocs/bitFlip apply to. */
  target?: string;
}

export interface DumpOptions {
  dataDir: string;
  outDir: string;
  gzip: boolean;
  /** Only this database (mongodump --db). */
  db?: string;
  /** Only this collection (mongodump --collection). */
  collection?: string;
  faults: DumpFaults;
  /** Receives each finished log line (without newline). */
  log: (line: string) => void;
}

export interface DumpResult {
  collections: number;
  documents: number;
  bytes: number;
  perCollection: { ns: string; documents: number }[];
}

/** mongodump's timestamp: 2026-11-26T08:00:00.123+0000 */
export function mongoLogTimestamp(d = new Date()): string {
  return d.toISOString().replace('Z', '+0000');
}

export function logLine(text: string): string {
  return `${mongoLogTimestamp()}\t${text}`;
}

export function largestCollection(catalog: Catalog, db?: string): string {
  let best = '';
  let bestBytes = -1;
  for (const [dbName, colls] of Object.entries(catalog.databases)) {
    if (db && db !== dbName) continue;
    for (const [name, e] of Object.entries(colls)) {
      if (e.bytes > bestBytes) {
        best = `${dbName}.${name}`;
        bestBytes = e.bytes;
      }
    }
  }
  return best;
}

/** Offsets of the documents in a .bson file, found by hopping over length prefixes (no full read). */
export function documentOffsets(file: string): number[] {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const offsets: number[] = [];
    const prefix = Buffer.alloc(4);
    let pos = 0;
    while (pos + 4 <= size) {
      fs.readSync(fd, prefix, 0, 4, pos);
      const len = prefix.readInt32LE(0);
      if (len < 5 || pos + len > size) break;
      offsets.push(pos);
      pos += len;
    }
    offsets.push(pos);
    return offsets;
  } finally {
    fs.closeSync(fd);
  }
}

/** XORs one byte at an absolute offset of the stream. */
class BytePatch extends Transform {
  private seen = 0;
  constructor(private readonly offset: number, private readonly xor: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const start = this.seen;
    this.seen += chunk.length;
    if (this.offset >= start && this.offset < this.seen) {
      chunk = Buffer.from(chunk);
      chunk[this.offset - start] ^= this.xor;
    }
    cb(null, chunk);
  }
}

async function copyFile(src: string, dest: string, gzip: boolean, endExclusive: number | undefined, patchOffset: number | undefined): Promise<void> {
  if (!gzip && endExclusive === undefined && patchOffset === undefined) {
    // A straight copy: the kernel copies it, no buffers in this process.
    await fs.promises.copyFile(src, dest);
    return;
  }
  const stages: (NodeJS.ReadableStream | NodeJS.WritableStream | Transform)[] = [];
  stages.push(
    endExclusive === 0 ? Readable.from([]) : fs.createReadStream(src, endExclusive === undefined ? {} : { start: 0, end: endExclusive - 1 }),
  );
  if (patchOffset !== undefined) stages.push(new BytePatch(patchOffset, 0x80));
  if (gzip) stages.push(createGzip());
  stages.push(fs.createWriteStream(dest));
  await (pipeline as (...s: unknown[]) => Promise<void>)(...stages);
}

export async function writeDump(opts: DumpOptions): Promise<DumpResult> {
  const catalog = readCatalog(opts.dataDir);
  const f = opts.faults;
  const ext = opts.gzip ? '.gz' : '';
  fs.mkdirSync(opts.outDir, { recursive: true });
  const result: DumpResult = { collections: 0, documents: 0, bytes: 0, perCollection: [] };
  const work: { db: string; name: string; entry: CollectionEntry }[] = [];
  for (const [db, colls] of Object.entries(catalog.databases)) {
    if (opts.db && opts.db !== db) continue;
    if (f.missingDb === db) continue;
    for (const [name, entry] of Object.entries(colls)) {
      if (opts.collection && opts.collection !== name) continue;
      work.push({ db, name, entry });
    }
  }
  const dbs = [...new Set(work.map((w) => w.db))];
  for (const db of dbs) fs.mkdirSync(path.join(opts.outDir, db), { recursive: true });
  if (f.empty) return result;

  const perCollectionDelay = work.length > 0 ? ((f.extraSeconds ?? 0) * 1000) / work.length : 0;
  let first = true;
  for (const { db, name, entry } of work) {
    const ns = `${db}.${name}`;
    const src = path.join(opts.dataDir, entry.file);
    const dest = path.join(opts.outDir, db, `${name}.bson${ext}`);
    opts.log(logLine(`writing ${ns} to ${dest}`));
    const metadata = fs.readFileSync(path.join(opts.dataDir, entry.metadataFile));
    fs.writeFileSync(path.join(opts.outDir, db, `${name}.metadata.json${ext}`), opts.gzip ? gzipSync(metadata) : metadata);

    let end: number | undefined;
    let patch: number | undefined;
    let written = entry.documents;
    if (f.partial === ns || (f.target === ns && (f.missingDocs || f.bitFlip))) {
      const offsets = documentOffsets(src);
      const docs = offsets.length - 1;
      if (f.partial === ns && docs > 0) {
        // Cut in the middle of the document that holds the file's midpoint.
        const mid = offsets[offsets.length - 1] / 2;
        let k = 0;
        while (k + 1 < docs && offsets[k + 1] <= mid) k++;
        end = offsets[k] + Math.max(1, Math.floor((offsets[k + 1] - offsets[k]) / 2));
        written = k;
      } else if (f.missingDocs && docs > 0) {
        const keep = Math.max(0, docs - f.missingDocs);
        end = offsets[keep];
        written = keep;
      }
      if (f.bitFlip && docs > 0) {
        const k = Math.floor(docs / 2);
        patch = offsets[k + 1] - 1;
      }
    }
    await copyFile(src, dest, opts.gzip, end, patch);
    // The log reports what the server said it sent, which is why it can disagree with the file.
    opts.log(logLine(`done dumping ${ns} (${entry.documents} document${entry.documents === 1 ? '' : 's'})`));
    result.collections++;
    result.documents += written;
    result.bytes += end ?? entry.bytes;
    result.perCollection.push({ ns, documents: entry.documents });
    if (perCollectionDelay > 0) await sleep(perCollectionDelay);
    if (first && f.hangAfterFirst) {
      setInterval(() => undefined, 60_000);
      await new Promise<never>(() => undefined);
    }
    first = false;
  }
  return result;
}
