import { InvalidBackupModeError } from './errors';

export const BACKUP_MODES = ['Full', 'DatabaseOnly', 'ConfigOnly'] as const;
export type BackupMode = (typeof BACKUP_MODES)[number];

/** The suffix used in archive names. The spec's `{BackupMode}` would give `DatabaseOnly`; Alteryx admins expect `DB`. */
export const ARCHIVE_SUFFIX: Record<BackupMode, 'Full' | 'DB' | 'Config'> = {
  Full: 'Full',
  DatabaseOnly: 'DB',
  ConfigOnly: 'Config',
};

export function parseBackupMode(value: unknown, source = 'BackupMode'): BackupMode {
  if (typeof value === 'string') {
    const match = BACKUP_MODES.find((m) => m.toLowerCase() === value.toLowerCase());
    if (match) return match;
  }
  throw new InvalidBackupModeError(
    `${source}: '${String(value)}' is not a valid backup mode; expected one of ${BACKUP_MODES.join(', ')}.`,
  );
}

export function modeIncludesDatabase(mode: BackupMode): boolean {
  return mode !== 'ConfigOnly';
}

export function modeIncludesFiles(mode: BackupMode): boolean {
  return mode !== 'DatabaseOnly';
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `yyyyMMdd_HHmmss` in local time, as an admin reads it in Explorer. */
export function formatStamp(date: Date): string {
  return (
    `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}_` +
    `${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`
  );
}

export function archiveFileName(mode: BackupMode, date: Date): string {
  return `ServerBackup_${ARCHIVE_SUFFIX[mode]}_${formatStamp(date)}.zip`;
}

export const ARCHIVE_NAME_PATTERN = /^ServerBackup_(Full|DB|Config)_(\d{8})_(\d{6})\.zip$/;

export interface ParsedArchiveName {
  mode: BackupMode;
  timestamp: Date;
  fileName: string;
}

/** Parses one of our own archive names; anything else is `undefined` and must be left alone. */
export function parseArchiveName(fileName: string): ParsedArchiveName | undefined {
  const m = ARCHIVE_NAME_PATTERN.exec(fileName);
  if (!m) return undefined;
  const mode = (Object.keys(ARCHIVE_SUFFIX) as BackupMode[]).find((k) => ARCHIVE_SUFFIX[k] === m[1])!;
  const d = m[2];
  const t = m[3];
  const year = Number(d.slice(0, 4));
  const month = Number(d.slice(4, 6));
  const day = Number(d.slice(6, 8));
  const hh = Number(t.slice(0, 2));
  const mm = Number(t.slice(2, 4));
  const ss = Number(t.slice(4, 6));
  const timestamp = new Date(year, month - 1, day, hh, mm, ss);
  // Reject impossible dates such as 20261341: Date would silently roll them over.
  if (
    timestamp.getFullYear() !== year ||
    timestamp.getMonth() !== month - 1 ||
    timestamp.getDate() !== day ||
    timestamp.getHours() !== hh ||
    timestamp.getMinutes() !== mm ||
    timestamp.getSeconds() !== ss
  ) {
    return undefined;
  }
  return { mode, timestamp, fileName };
}

/** The name a log file gets: `BackupLog_{Mode}_yyyyMMdd_HHmmss.log`. */
export function logFileName(mode: BackupMode | 'Maintenance', date: Date): string {
  return `BackupLog_${mode}_${formatStamp(date)}.log`;
}
