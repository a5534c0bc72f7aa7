import * as path from 'node:path';
import { modeIncludesDatabase, modeIncludesFiles, type BackupMode } from './backup-mode';

/** The data model's CriticalFileDefinition, with paths resolved for one host. */
export interface CriticalFileDefinition {
  sourcePath: string;
  /** Path inside the archive, always with '/'. Directories end with '/'. */
  archivePath: string;
  type: 'File' | 'Directory';
  required: boolean;
  /** Missing is allowed but an administrator must hear about it loudly. */
  warnIfMissing: boolean;
  condition?: 'CheckIfModified';
  description: string;
}

export interface FileMatrixOptions {
  programDataPath: string;
  installPath: string;
  includeKeys: boolean;
  includeConfigFile: boolean;
  /** FilesConfiguration.BackupConnectorTools; undefined means the default, true. */
  includeConnectorTools?: boolean;
  /** `path` flavour for the host's paths; win32 on Windows. */
  pathApi?: path.PlatformPath;
}

/** What a mode includes (the data model's §4.2 matrix). */
export interface ModeContents {
  mongoDump: boolean;
  files: boolean;
  controllerSettings: boolean;
  serviceStop: boolean;
}

export function modeContents(mode: BackupMode): ModeContents {
  return {
    mongoDump: modeIncludesDatabase(mode),
    files: modeIncludesFiles(mode),
    controllerSettings: modeIncludesFiles(mode),
    serviceStop: modeIncludesDatabase(mode),
  };
}

/**
 * The files to copy. alteryx.config moved to bin\server\config in 2020.1;
 * both candidates are listed and the first that exists wins.
 */
export function criticalFiles(mode: BackupMode, o: FileMatrixOptions): CriticalFileDefinition[] {
  if (!modeIncludesFiles(mode)) return [];
  const p = o.pathApi ?? path;
  const files: CriticalFileDefinition[] = [
    {
      sourcePath: p.join(o.programDataPath, 'RuntimeSettings.xml'),
      archivePath: 'Config/RuntimeSettings.xml',
      type: 'File',
      required: true,
      warnIfMissing: false,
      description: 'Primary Alteryx Server configuration',
    },
  ];
  if (o.includeKeys) {
    files.push({
      sourcePath: p.join(o.programDataPath, 'Keys'),
      archivePath: 'Config/Keys/',
      type: 'Directory',
      required: false,
      warnIfMissing: true,
      description: 'Encryption keys for DCM and Shared Gallery Connections',
    });
  }
  files.push(
    {
      sourcePath: p.join(o.programDataPath, 'Engine', 'SystemAlias.xml'),
      archivePath: 'Config/SystemAlias.xml',
      type: 'File',
      required: false,
      warnIfMissing: false,
      description: 'Shared DB Connections',
    },
    {
      sourcePath: p.join(o.programDataPath, 'Engine', 'SystemConnections.xml'),
      archivePath: 'Config/SystemConnections.xml',
      type: 'File',
      required: false,
      warnIfMissing: false,
      description: 'In-DB Connections',
    },
  );
  if (o.includeConnectorTools !== false) {
    // "Connector Tools found in %ProgramData%\Alteryx\Tools" are on Alteryx's list of what to keep
    // (https://help.alteryx.com/current/en/server/install/server-host-recovery-guide/disaster-recovery-preparation.html).
    // Only servers with connectors installed have the folder: missing is normal.
    files.push({
      sourcePath: p.join(o.programDataPath, 'Tools'),
      archivePath: 'Config/Tools/',
      type: 'Directory',
      required: false,
      warnIfMissing: false,
      description: 'Connector tools (%ProgramData%\\Alteryx\\Tools)',
    });
  }
  if (o.includeConfigFile) {
    for (const rel of [['bin', 'server', 'config'], ['bin', 'config']]) {
      files.push({
        sourcePath: p.join(o.installPath, ...rel, 'alteryx.config'),
        archivePath: 'Config/alteryx.config',
        type: 'File',
        required: false,
        warnIfMissing: false,
        condition: 'CheckIfModified',
        description: rel.length === 3 ? 'Alteryx configuration file (2020.1+)' : 'Alteryx configuration file (before 2020.1)',
      });
    }
  }
  return files;
}

/**
 * alteryx.config ships with the install; only an edited one is worth
 * keeping. "Edited" means modified at least a minute after the service
 * executable was installed.
 */
export function isModifiedAfterInstall(configMtime: Date, installMtime: Date | undefined): boolean {
  if (!installMtime) return true;
  return configMtime.getTime() - installMtime.getTime() > 60_000;
}
