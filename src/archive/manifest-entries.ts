/**
 * What the manifest says the archive should hold. The generic top-level
 * `ArchiveEntries` list is preferred because it names every entry; the data
 * model's `BackedUpFiles` and `MongoDBInformation.Files` are the fallback.
 */
export interface ExpectedEntry {
  /** '/'-separated; directories end with '/'. */
  path: string;
  sha256: string | null;
  sizeBytes: number | null;
  isDirectory: boolean;
}

export interface ExpectedEntries {
  source: 'ArchiveEntries' | 'BackedUpFiles';
  /** True when the list names every entry, so anything else in the archive is extra. */
  complete: boolean;
  entries: ExpectedEntry[];
  problems: string[];
}

export function normalizeArchivePath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '');
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function readItem(raw: unknown, pathKey: string, where: string, problems: string[]): ExpectedEntry | undefined {
  const r = asRecord(raw);
  if (!r || typeof r[pathKey] !== 'string' || r[pathKey] === '') {
    problems.push(`${where}: entry has no ${pathKey}`);
    return undefined;
  }
  let path = normalizeArchivePath(r[pathKey] as string);
  const isDirectory = r.Type === 'Directory' || path.endsWith('/');
  if (isDirectory && !path.endsWith('/')) path += '/';
  const sha = typeof r.SHA256 === 'string' ? r.SHA256.toLowerCase() : null;
  const size = typeof r.SizeBytes === 'number' ? r.SizeBytes : null;
  if (!isDirectory && sha === null) problems.push(`${where}: ${path} has no SHA256`);
  return { path, sha256: sha, sizeBytes: size, isDirectory };
}

export function expectedEntriesFromManifest(manifest: unknown): ExpectedEntries {
  const problems: string[] = [];
  const m = asRecord(manifest);
  if (!m) return { source: 'ArchiveEntries', complete: false, entries: [], problems: ['manifest is not a JSON object'] };
  if (Array.isArray(m.ArchiveEntries)) {
    const entries = m.ArchiveEntries.map((e, i) => readItem(e, 'Path', `ArchiveEntries[${i}]`, problems)).filter(
      (e): e is ExpectedEntry => e !== undefined,
    );
    return { source: 'ArchiveEntries', complete: true, entries, problems };
  }
  const entries: ExpectedEntry[] = [];
  if (Array.isArray(m.BackedUpFiles)) {
    m.BackedUpFiles.forEach((e, i) => {
      const item = readItem(e, 'RelativePathInArchive', `BackedUpFiles[${i}]`, problems);
      if (item) entries.push(item);
    });
  } else {
    problems.push('manifest lists no files (neither ArchiveEntries nor BackedUpFiles)');
  }
  const mongo = asRecord(m.MongoDBInformation);
  if (mongo && Array.isArray(mongo.Files)) {
    mongo.Files.forEach((e, i) => {
      const item = readItem(e, 'RelativePathInArchive', `MongoDBInformation.Files[${i}]`, problems);
      if (item) entries.push(item);
    });
  }
  return { source: 'BackedUpFiles', complete: false, entries, problems };
}
