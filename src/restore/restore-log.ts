/**
 * mongorestore's own account of a restore (mongoRestore.log, or its stderr).
 * mongorestore 100.x prints, per collection,
 *   `finished restoring db.coll (N documents, M failures)`
 * and at the end
 *   `N document(s) restored successfully. M document(s) failed to restore.`
 * (seen in https://github.com/idank/explainshell/issues/263 and
 * https://github.com/WildAid/o-fish-realm/issues/41). It can exit 0 with
 * failures, so success is read from these lines, never from the exit code alone.
 */

export interface RestoreLogFacts {
  /** `db.coll` → documents restored. */
  collections: Map<string, { documents: number; failures: number }>;
  summary: { restored: number; failed: number } | null;
  /** `Failed: ...` lines, as printed. */
  failedLines: string[];
}

const FINISHED = /finished restoring (\S+) \((\d+) documents?(?:, (\d+) failures?)?\)/;
const SUMMARY = /(\d+) document\(s\) restored successfully\. (\d+) document\(s\) failed to restore\./;

export function parseRestoreLog(text: string): RestoreLogFacts {
  const facts: RestoreLogFacts = { collections: new Map(), summary: null, failedLines: [] };
  for (const line of text.split(/\r?\n/)) {
    const f = FINISHED.exec(line);
    if (f) {
      facts.collections.set(f[1], { documents: Number(f[2]), failures: Number(f[3] ?? 0) });
      continue;
    }
    const s = SUMMARY.exec(line);
    if (s) {
      facts.summary = { restored: Number(s[1]), failed: Number(s[2]) };
      continue;
    }
    if (/\bFailed: /.test(line)) facts.failedLines.push(line.trim());
  }
  return facts;
}

export interface ExpectedCollection {
  ns: string;
  documents: number;
}

export interface RestoreCountCheck {
  ok: boolean;
  problems: string[];
  restoredDocuments: number;
  expectedDocuments: number;
  collections: { Namespace: string; Expected: number; Restored: number | null; Failures: number }[];
}

/** Success = a summary line with 0 failures, no `Failed:` line, and every collection's count equal to the manifest's. */
export function checkRestoreLog(facts: RestoreLogFacts, expected: ExpectedCollection[]): RestoreCountCheck {
  const problems: string[] = [];
  if (!facts.summary) problems.push('mongoRestore.log has no summary line ("N document(s) restored successfully. M document(s) failed to restore."): the restore did not finish.');
  else if (facts.summary.failed > 0) problems.push(`mongoRestore.log: ${facts.summary.failed} document(s) failed to restore.`);
  for (const l of facts.failedLines.slice(0, 5)) problems.push(`mongoRestore.log: ${l}`);
  const collections = expected.map((e) => {
    const got = facts.collections.get(e.ns);
    if (!got) problems.push(`${e.ns}: not restored (the manifest lists ${e.documents} document(s)).`);
    else if (got.documents !== e.documents) problems.push(`${e.ns}: ${got.documents} document(s) restored, the manifest lists ${e.documents}.`);
    return { Namespace: e.ns, Expected: e.documents, Restored: got ? got.documents : null, Failures: got ? got.failures : 0 };
  });
  return {
    ok: problems.length === 0,
    problems,
    restoredDocuments: facts.summary?.restored ?? collections.reduce((a, c) => a + (c.Restored ?? 0), 0),
    expectedDocuments: expected.reduce((a, e) => a + e.documents, 0),
    collections,
  };
}

/** The manifest's per-collection counts (MongoDBInformation.Databases[].Collections[]). */
export function expectedCollections(manifest: Record<string, any>): ExpectedCollection[] {
  const dbs = manifest?.MongoDBInformation?.Databases;
  if (!Array.isArray(dbs)) return [];
  const out: ExpectedCollection[] = [];
  for (const db of dbs) {
    for (const c of Array.isArray(db?.Collections) ? db.Collections : []) {
      if (typeof db.Name === 'string' && typeof c?.Name === 'string' && typeof c.Documents === 'number') out.push({ ns: `${db.Name}.${c.Name}`, documents: c.Documents });
    }
  }
  return out;
}
