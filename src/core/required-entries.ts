import type { BackupMode } from './backup-mode';

export interface RequiredEntry {
  /** What the error and ContentValidation.MissingFiles call it. */
  name: string;
  pattern: RegExp;
}

/**
 * What every complete archive of a mode holds, whatever the server's size:
 * the manifest; RuntimeSettings.xml and the controller token for the modes
 * with files (ControllerToken.txt, or its CMS-encrypted .p7m; both Full and
 * ConfigOnly always export it, or the run fails); and at least one dumped
 * collection for the modes with the database. A byte floor cannot tell a
 * healthy ConfigOnly archive (tens of KB) from a partial one; these entries
 * can (issue 11 point 11).
 */
export function requiredEntries(mode: BackupMode): RequiredEntry[] {
  const out: RequiredEntry[] = [{ name: 'BackupManifest.json', pattern: /^BackupManifest\.json$/ }];
  if (mode !== 'DatabaseOnly') {
    out.push(
      { name: 'Config/RuntimeSettings.xml', pattern: /^Config\/RuntimeSettings\.xml$/ },
      { name: 'Config/ControllerToken.txt (or .txt.p7m)', pattern: /^Config\/ControllerToken\.txt(\.p7m)?$/ },
    );
  }
  if (mode !== 'ConfigOnly') out.push({ name: 'MongoDB/<database>/<collection>.bson (a dumped collection)', pattern: /^MongoDB\/.+\.bson(\.gz)?$/ });
  return out;
}

/**
 * Default minimum archive sizes (MB), a second, coarse guard behind the
 * required entries. Full and DatabaseOnly: 1 MB, the data model's value
 * (even a new server's three databases are larger). ConfigOnly: 0.005 MB
 * (5 KB) instead of the data model's 0.1 MB: RuntimeSettings.xml, the Keys,
 * two small XML files, alteryx.config and two text files compress to tens
 * of KB (a simulated host's ConfigOnly archive measured in
 * test/integration/backup/config-only-floor.test.ts), while an archive
 * holding only the manifest is a few KB.
 */
export const DEFAULT_MINIMUM_BACKUP_SIZE_MB: Record<BackupMode, number> = { Full: 1, DatabaseOnly: 1, ConfigOnly: 0.005 };
