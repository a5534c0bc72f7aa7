import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic, readJsonFile } from '../service/atomic-json';

/**
 * The safety copy: everything a restore is about to replace, kept so that a
 * failure anywhere can put the host back byte for byte.
 *
 *   <TempDirectory>/PreRestore_<yyyyMMdd_HHmmss>/
 *     safety.json          what was saved and where it goes back
 *     files/NNN_<name>     the files the restore replaces
 *     ControllerToken.txt  the token before the restore (0600; only if it may change)
 *     MongoDB/             self-managed only: a dump of the database before the restore
 *   <data folder>_PreRestore_<stamp>   embedded only: the data folder, moved aside (a rename)
 *
 * and a marker `<TempDirectory>/AlteryxBackup.restore.json` while the host
 * is not in a known-good state, so that Repair-AlteryxBackupState (or the
 * next run) rolls back a restore whose process was killed.
 */

export const RESTORE_MARKER_FILE = 'AlteryxBackup.restore.json';

export interface SavedFile {
  target: string;
  existed: boolean;
  /** Relative to the safety folder. */
  copy: string | null;
  sha256: string | null;
}

export interface SafetyManifest {
  version: 1;
  createdAt: string;
  host: string;
  files: SavedFile[];
  /** Embedded: the live data folder and where it was moved. */
  dataDir: string | null;
  dataAside: string | null;
  /** True once the data folder has been moved aside. */
  dataMoved: boolean;
  tokenSaved: boolean;
  /** Self-managed: a dump of the database taken before the restore. */
  selfManagedDump: string | null;
}

export interface RestoreMarker {
  version: 1;
  pid: number;
  host: string;
  runId?: string;
  startedAt: string;
  safetyCopyPath: string;
  /** The last phase started; a repair rolls back whatever it may have touched. */
  phase: string;
}

export function restoreMarkerPath(tempDirectory: string): string {
  return path.join(tempDirectory, RESTORE_MARKER_FILE);
}

export async function writeRestoreMarker(tempDirectory: string, marker: RestoreMarker): Promise<void> {
  await writeJsonAtomic(restoreMarkerPath(tempDirectory), marker);
}

export async function readRestoreMarker(tempDirectory: string): Promise<RestoreMarker | undefined> {
  return readJsonFile<RestoreMarker>(restoreMarkerPath(tempDirectory));
}

export async function clearRestoreMarker(tempDirectory: string): Promise<void> {
  await fs.promises.rm(restoreMarkerPath(tempDirectory), { force: true });
}

export async function sha256OfFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function safetyManifestPath(safetyDir: string): string {
  return path.join(safetyDir, 'safety.json');
}

export async function saveSafetyManifest(safetyDir: string, m: SafetyManifest): Promise<void> {
  await writeJsonAtomic(safetyManifestPath(safetyDir), m);
}

export async function readSafetyManifest(safetyDir: string): Promise<SafetyManifest> {
  const m = await readJsonFile<SafetyManifest>(safetyManifestPath(safetyDir));
  if (!m) throw new Error(`${safetyManifestPath(safetyDir)} is missing.`);
  return m;
}

/** Copies each target that exists into the safety folder, hashing both ends; records the ones that do not exist. */
export async function saveFiles(safetyDir: string, targets: string[]): Promise<SavedFile[]> {
  const filesDir = path.join(safetyDir, 'files');
  await fs.promises.mkdir(filesDir, { recursive: true });
  const out: SavedFile[] = [];
  let i = 0;
  for (const target of [...new Set(targets)]) {
    i++;
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        out.push({ target, existed: false, copy: null, sha256: null });
        continue;
      }
      throw err;
    }
    if (!st.isFile()) throw new Error(`${target} is not a file; the restore would replace it.`);
    const copy = path.join('files', `${String(i).padStart(3, '0')}_${path.basename(target)}`);
    await fs.promises.copyFile(target, path.join(safetyDir, copy), fs.constants.COPYFILE_EXCL);
    const [a, b] = await Promise.all([sha256OfFile(target), sha256OfFile(path.join(safetyDir, copy))]);
    if (a !== b) throw new Error(`The safety copy of ${target} does not match the original.`);
    out.push({ target, existed: true, copy, sha256: a });
  }
  return out;
}

/** Puts every saved file back (and removes those that did not exist); returns the problems, empty when all match. */
export async function restoreSavedFiles(safetyDir: string, files: SavedFile[]): Promise<string[]> {
  const problems: string[] = [];
  for (const f of files) {
    try {
      if (!f.existed) {
        await fs.promises.rm(f.target, { force: true });
        continue;
      }
      const tmp = `${f.target}.rollback-${process.pid}.tmp`;
      await fs.promises.mkdir(path.dirname(f.target), { recursive: true });
      await fs.promises.copyFile(path.join(safetyDir, f.copy!), tmp);
      await fs.promises.rename(tmp, f.target);
      const now = await sha256OfFile(f.target);
      if (now !== f.sha256) problems.push(`${f.target}: put back, but its SHA256 does not match the safety copy.`);
    } catch (err) {
      problems.push(`${f.target}: ${(err as Error).message}`);
    }
  }
  return problems;
}

/** Moves the restored data folder out of the way and the original back. */
export async function restoreDataFolder(m: SafetyManifest): Promise<string[]> {
  if (!m.dataMoved || !m.dataDir || !m.dataAside) return [];
  try {
    if (!fs.existsSync(m.dataAside)) {
      return fs.existsSync(m.dataDir) ? [] : [`the original data folder ${m.dataAside} is gone and ${m.dataDir} does not exist.`];
    }
    await fs.promises.rm(m.dataDir, { recursive: true, force: true });
    await fs.promises.rename(m.dataAside, m.dataDir);
    return [];
  } catch (err) {
    return [`data folder: ${(err as Error).message}`];
  }
}
