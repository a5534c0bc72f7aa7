import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError } from '../core/errors';

export interface SourceItem {
  /** '/'-separated; directories end with '/'. */
  archivePath: string;
  sourcePath: string;
  isDirectory: boolean;
  sizeBytes: number;
  mtime: Date;
}

/** Code-unit order, so the archive layout does not depend on the locale. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Lists every file, and every folder that has no children, under `root` in a
 * fixed depth-first order. Symbolic links to files are followed; a link to a
 * folder is refused, because following it could loop or leave the staging area.
 */
export async function listSourceTree(root: string): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  // Synchronous on purpose: one thread-pool round trip per file made 70,000 files take seconds.
  function walk(dir: string, prefix: string): void {
    const dirents = readdirSync(dir, { withFileTypes: true });
    dirents.sort((a, b) => byName(a.name, b.name));
    if (dirents.length === 0 && prefix !== '') {
      const st = statSync(dir);
      out.push({ archivePath: prefix, sourcePath: dir, isDirectory: true, sizeBytes: 0, mtime: st.mtime });
      return;
    }
    for (const d of dirents) {
      const full = join(dir, d.name);
      const rel = prefix + d.name;
      if (d.isDirectory()) {
        walk(full, rel + '/');
      } else if (d.isFile() || d.isSymbolicLink()) {
        const st = statSync(full);
        if (st.isDirectory()) {
          throw new StorageError(`Staging folder contains a link to a folder, which is not archived: ${full}`, 'ARCHIVE_SOURCE_UNSUPPORTED');
        }
        if (!st.isFile()) {
          throw new StorageError(`Staging folder contains something that is not a file: ${full}`, 'ARCHIVE_SOURCE_UNSUPPORTED');
        }
        out.push({ archivePath: rel, sourcePath: full, isDirectory: false, sizeBytes: st.size, mtime: st.mtime });
      } else {
        throw new StorageError(`Staging folder contains something that is not a file: ${full}`, 'ARCHIVE_SOURCE_UNSUPPORTED');
      }
    }
  }
  walk(root, '');
  return out;
}
