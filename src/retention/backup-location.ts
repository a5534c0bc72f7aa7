import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { sha256File } from '../archive/sha256-file';

/**
 * Somewhere backups live: a folder (local or network) or a cloud prefix.
 * Retention needs nothing more than these three operations, so one policy
 * and one apply loop serve every destination.
 */
export interface BackupLocation {
  /** For results and logs, e.g. `D:\Backups` or `s3://bucket/prefix/`. Never holds a secret. */
  readonly description: string;
  /** Names of the files directly in the location (not in sub-folders). */
  list(): Promise<string[]>;
  /** A small text file's content; `undefined` when it does not exist or is bigger than `maxBytes`. */
  readSmallText(name: string, maxBytes: number): Promise<string | undefined>;
  /** Deletes one file; deleting a name that is already gone succeeds (like S3's DeleteObject). */
  remove(name: string): Promise<void>;
  /**
   * Our own temp files (`.ServerBackup_…zip[.sha256].<hex>.partial`, probe
   * files) last modified before `olderThan`: what a killed copy left behind.
   * Optional: object stores have none, since an interrupted upload never
   * becomes an object.
   */
  staleTemporaries?(olderThan: Date): Promise<string[]>;
  /**
   * The SHA256 of a file, re-read now. Retention re-checks the backup that
   * justifies a removal with it. Optional: a cloud object would have to be
   * downloaded whole, so cloud locations do not offer it.
   */
  sha256?(name: string): Promise<string>;
}

/** Names our copies and probes use while writing; nothing else is ever treated as a leftover. */
export const TEMPORARY_NAME_PATTERN =
  /^(?:\.ServerBackup_(?:Full|DB|Config)_\d{8}_\d{6}\.zip(?:\.sha256)?\.[0-9a-f]{12}\.partial|\.alteryxbackup-probe-[0-9a-f]{12}\.tmp)$/;

export function folderLocation(dir: string): BackupLocation {
  return {
    description: dir,
    async list() {
      const entries = await fs.readdir(dir, { withFileTypes: true });
      return entries.filter((e) => e.isFile()).map((e) => e.name);
    },
    async readSmallText(name, maxBytes) {
      const file = path.join(dir, name);
      try {
        const st = await fs.stat(file);
        if (!st.isFile() || st.size > maxBytes) return undefined;
        return await fs.readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async staleTemporaries(olderThan) {
      const entries = await fs.readdir(dir, { withFileTypes: true });
      const stale: string[] = [];
      for (const e of entries) {
        if (!e.isFile() || !TEMPORARY_NAME_PATTERN.test(e.name)) continue;
        try {
          if ((await fs.stat(path.join(dir, e.name))).mtime < olderThan) stale.push(e.name);
        } catch {
          // Gone already: nothing to clean.
        }
      }
      return stale;
    },
    async sha256(name) {
      if (name !== path.basename(name)) throw new Error(`Refusing to read '${name}': not a plain file name.`);
      return sha256File(path.join(dir, name));
    },
    async remove(name) {
      // Names come from list() and are plain file names; refuse anything that could escape the folder.
      if (name !== path.basename(name) || name === '..' || name === '.') throw new Error(`Refusing to delete '${name}': not a plain file name.`);
      try {
        await fs.unlink(path.join(dir, name));
      } catch (err) {
        // Already gone (another cleanup got there first) is what we wanted.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    },
  };
}
