import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Catalog, CATALOG_FILE } from './data-generator';
import { documentOffsets, logLine } from './dump-writer';
import { appendEvent } from './events';
import { readFaults } from './faults';
import { readHostInfo, sleep } from './host-layout';
import { readServiceRecord } from './service-control';

/**
 * Loading a dump folder (`<db>/<coll>.bson[.gz]` + `.metadata.json[.gz]`)
 * into a data directory, logging in mongorestore's words
 * (`finished restoring db.coll (N documents, M failures)` and the summary
 * `N document(s) restored successfully. M document(s) failed to restore.`,
 * as printed by mongorestore 100.x: https://github.com/idank/explainshell/issues/263,
 * https://github.com/WildAid/o-fish-realm/issues/41). Shared by the
 * emongorestore and mongorestore stand-ins.
 */

export interface LoadFaults {
  /** 'db.coll' of which only the first half of the documents is restored; the rest count as failures. */
  partial?: string;
  /** Stop after the first collection, never finishing. */
  hangAfterFirst?: boolean;
  /** Stop after the first collection and return (a failed run). */
  stopAfterFirst?: boolean;
}

export interface LoadResult {
  restored: number;
  failed: number;
  collections: number;
}

function readBson(file: string): Buffer {
  const raw = fs.readFileSync(file);
  return file.endsWith('.gz') ? gunzipSync(raw) : raw;
}

function offsetsOf(buf: Buffer): number[] {
  const offsets: number[] = [];
  let pos = 0;
  while (pos + 4 <= buf.length) {
    const len = buf.readInt32LE(pos);
    if (len < 5 || pos + len > buf.length) break;
    offsets.push(pos);
    pos += len;
  }
  offsets.push(pos);
  return offsets;
}

/** Loads every collection of `source` into `target` (replacing a collection that is there: mongorestore --drop). */
export async function loadDump(
  source: string,
  target: string,
  faults: LoadFaults,
  log: (line: string) => void,
  seed: string,
): Promise<LoadResult> {
  fs.mkdirSync(target, { recursive: true });
  const catalogPath = path.join(target, CATALOG_FILE);
  const catalog: Catalog = fs.existsSync(catalogPath) ? (JSON.parse(fs.readFileSync(catalogPath, 'utf8')) as Catalog) : { seed, databases: {} };
  let restored = 0;
  let failed = 0;
  let collections = 0;
  const dbs = fs.readdirSync(source).filter((d) => fs.statSync(path.join(source, d)).isDirectory()).sort();
  for (const db of dbs) {
    const dbDir = path.join(source, db);
    fs.mkdirSync(path.join(target, db), { recursive: true });
    for (const f of fs.readdirSync(dbDir).sort()) {
      const m = /^(.*)\.bson(\.gz)?$/.exec(f);
      if (!m) continue;
      const coll = m[1];
      const ns = `${db}.${coll}`;
      if (collections > 0 && (faults.hangAfterFirst || faults.stopAfterFirst)) {
        if (faults.stopAfterFirst) return { restored, failed, collections };
        log(logLine(`restoring ${ns} from ${path.join(dbDir, f)}`));
        for (;;) await sleep(60_000);
      }
      const src = path.join(dbDir, f);
      log(logLine(`restoring ${ns} from ${src}`));
      const dest = path.join(target, db, `${coll}.bson`);
      let whole: number;
      let bad: number;
      let bytes: number;
      if (!m[2] && faults.partial !== ns) {
        const offsets = documentOffsets(src);
        whole = offsets.length - 1;
        bytes = offsets[offsets.length - 1];
        bad = bytes < fs.statSync(src).size ? 1 : 0;
        fs.copyFileSync(src, dest);
      } else {
        const buf = readBson(src);
        const offsets = offsetsOf(buf);
        const count = offsets.length - 1;
        const keep = faults.partial === ns ? Math.floor(count / 2) : count;
        bytes = offsets[keep];
        whole = keep;
        bad = count - keep + (offsets[count] < buf.length ? 1 : 0);
        fs.writeFileSync(dest, buf.subarray(0, bytes));
      }
      for (const metaName of [`${coll}.metadata.json`, `${coll}.metadata.json.gz`]) {
        const meta = path.join(dbDir, metaName);
        if (fs.existsSync(meta)) fs.writeFileSync(path.join(target, db, `${coll}.metadata.json`), metaName.endsWith('.gz') ? gunzipSync(fs.readFileSync(meta)) : fs.readFileSync(meta));
      }
      (catalog.databases[db] ??= {})[coll] = { documents: whole, bytes, file: path.join(db, `${coll}.bson`), metadataFile: path.join(db, `${coll}.metadata.json`) };
      if (bad > 0) log(logLine(`Failed: ${ns}: error restoring from ${src}: ${bad} document(s) could not be inserted`));
      log(logLine(`finished restoring ${ns} (${whole} document${whole === 1 ? '' : 's'}, ${bad} failure${bad === 1 ? '' : 's'})`));
      restored += whole;
      failed += bad;
      collections++;
      fs.writeFileSync(catalogPath, JSON.stringify(catalog, null, 2) + '\n');
    }
  }
  fs.writeFileSync(catalogPath, JSON.stringify(catalog, null, 2) + '\n');
  log(logLine(`${restored} document(s) restored successfully. ${failed} document(s) failed to restore.`));
  return { restored, failed, collections };
}

function largestBson(source: string): string | undefined {
  let best: string | undefined;
  let bestSize = -1;
  for (const db of fs.readdirSync(source)) {
    const dbDir = path.join(source, db);
    if (!fs.statSync(dbDir).isDirectory()) continue;
    for (const f of fs.readdirSync(dbDir)) {
      const m = /^(.*)\.bson(\.gz)?$/.exec(f);
      if (!m) continue;
      const size = fs.statSync(path.join(dbDir, f)).size;
      if (size > bestSize) {
        bestSize = size;
        best = `${db}.${m[1]}`;
      }
    }
  }
  return best;
}

export { largestBson };

/**
 * `AlteryxService emongorestore=<source>,<target>`: loads a dump folder into
 * a data directory and writes mongoRestore.log (in the target). Needs the
 * service Stopped. Faults: emongorestoreExitCode, emongorestorePartial,
 * emongorestoreHang.
 */
export async function emongoRestore(root: string, source: string, target: string): Promise<number> {
  const info = readHostInfo(root);
  const faults = readFaults(root);
  appendEvent(root, info.hostname, 'restore-started', { source, target });
  const state = readServiceRecord(root).state;
  if (state !== 'Stopped') {
    process.stdout.write(`EMongoRestore failed: AlteryxService is ${state}; stop it first.\r\n`);
    appendEvent(root, info.hostname, 'restore-finished', { ok: false, reason: 'service-not-stopped' });
    return 1;
  }
  if (!fs.existsSync(source) || !fs.statSync(source).isDirectory()) {
    process.stdout.write(`EMongoRestore failed: source ${source} is not a folder.\r\n`);
    appendEvent(root, info.hostname, 'restore-finished', { ok: false, reason: 'no-source' });
    return 1;
  }
  fs.mkdirSync(target, { recursive: true });
  const lines: string[] = [];
  const logFile = path.join(target, 'mongoRestore.log');
  const result = await loadDump(
    source,
    target,
    {
      partial: faults.emongorestorePartial ? largestBson(source) : undefined,
      hangAfterFirst: faults.emongorestoreHang,
      stopAfterFirst: faults.emongorestoreExitCode !== undefined && faults.emongorestoreExitCode !== 0,
    },
    (line) => {
      lines.push(line);
      fs.writeFileSync(logFile, lines.join('\n') + '\n');
    },
    info.seed,
  );
  if (faults.emongorestoreExitCode) {
    process.stdout.write(`EMongoRestore failed: mongorestore exited with an error; see ${logFile}\r\n`);
    appendEvent(root, info.hostname, 'restore-finished', { ok: false, exitCode: faults.emongorestoreExitCode, fault: 'emongorestoreExitCode' });
    return faults.emongorestoreExitCode;
  }
  appendEvent(root, info.hostname, 'restore-finished', { ok: result.failed === 0, restored: result.restored, failed: result.failed });
  // The emongorestorePartial fault: the failures are in mongoRestore.log only; the command says it completed.
  if (result.failed > 0 && !faults.emongorestorePartial) {
    process.stdout.write(`EMongoRestore failed: ${result.failed} document(s) failed to restore.\r\n`);
    return 1;
  }
  process.stdout.write(`Embedded MongoDB restore complete: ${result.restored} documents.\r\n`);
  return 0;
}
