/**
 * mongodump's own account of what it wrote. Alteryx's emongodump saves it as
 * `mongoDump.log`; for self-managed dumps we save mongodump's stderr under
 * the same name. Lines look like
 *   2024-01-10T02:00:15.456-0500\tdone dumping AlteryxGallery.users (1234 documents)
 * Pure: text in, facts out.
 */

export const DUMP_LOG_FILE = 'mongoDump.log';

export interface DumpLogFacts {
  /** `db.collection` → documents mongodump says it wrote. */
  counts: Map<string, number>;
  /** Lines that report a failure (`Failed: ...`, `EMongoDump failed`), trimmed. */
  failures: string[];
}

const DONE = /done dumping (.+?) \((\d+) documents?\)\s*$/;
/** mongodump ends every fatal error with a `Failed: ...` line; Alteryx adds its own wording. Plain "error" is too common to trust. */
const FAILURE = /(^|\s)Failed:|EMongoDump failed|Mongodump failed/i;

export function parseDumpLog(text: string): DumpLogFacts {
  const counts = new Map<string, number>();
  const failures: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line === '') continue;
    const done = DONE.exec(line);
    if (done) {
      // The same namespace twice (a retried dump) keeps the last count.
      counts.set(done[1], Number(done[2]));
      continue;
    }
    if (FAILURE.test(line)) failures.push(line.trim());
  }
  return { counts, failures };
}

/** Splits `db.collection` at the first dot: database names cannot contain dots, collection names can. */
export function splitNamespace(ns: string): { db: string; collection: string } {
  const dot = ns.indexOf('.');
  return dot < 0 ? { db: ns, collection: '' } : { db: ns.slice(0, dot), collection: ns.slice(dot + 1) };
}
