import * as path from 'node:path';
import type { BackupConfigFile, ResolvedConfig } from '../config/config-types';
import { normalizePrefix } from './cloud-target';

/**
 * Shared destinations. Several Alteryx servers often copy to one network
 * share or bucket; with a flat layout each would see (and its retention
 * could delete) the others' `ServerBackup_*` files, whose names carry no
 * host. So every network path and cloud prefix gets a `<HOSTNAME>`
 * subfolder (BackupConfiguration.HostSubfolder, on by default):
 *
 *   \\nas\AlteryxBackups\ALTERYX01\ServerBackup_Full_20261127_020000.zip
 *   s3://bucket/alteryx/ALTERYX01/ServerBackup_Full_20261127_020000.zip
 *
 * File names stay the data model's. The local folder is this host's own and
 * stays flat. Migration: files already in the flat layout are left where
 * they are and are never deleted by the new layout (retention only lists the
 * host subfolder); remove them by hand, or run Remove-OldBackups -Path on
 * the old folder once they are no longer needed. The catalog/restore looks
 * in both (COORDINATION.md).
 */

/** A name Windows and every object store accept as one path segment. */
export function hostFolderName(hostname: string): string {
  const h = hostname.trim().toUpperCase().replace(/[\\/:*?"<>|\s]+/g, '_');
  return h === '' || h === '.' || h === '..' ? 'UNKNOWN-HOST' : h;
}

export function hostSubfolderEnabled(file: Pick<BackupConfigFile, 'BackupConfiguration'>): boolean {
  return file.BackupConfiguration.HostSubfolder !== false;
}

/** `\\nas\share` → `\\nas\share\HOST` (path.win32 for UNC and drive paths, so it is right on any OS). */
export function hostNetworkPath(root: string, hostname: string): string {
  const p = /^[A-Za-z]:[\\/]|^\\\\/.test(root) ? path.win32 : path;
  return p.join(root, hostFolderName(hostname));
}

/** `alteryx/prod` → `alteryx/prod/HOST/`; '' → `HOST/`. */
export function hostCloudPrefix(prefix: string, hostname: string): string {
  return `${normalizePrefix(prefix)}${hostFolderName(hostname)}/`;
}

export interface HostScopedDestinations {
  networkPaths: string[];
  cloud: BackupConfigFile['CloudConfiguration'];
}

/** The network paths and cloud settings this host writes to and applies retention in. */
export function hostScopedDestinations(config: Pick<ResolvedConfig, 'NetworkBackupPaths' | 'file'>, hostname: string): HostScopedDestinations {
  const cloud = config.file.CloudConfiguration;
  if (!hostSubfolderEnabled(config.file)) return { networkPaths: [...config.NetworkBackupPaths], cloud };
  return {
    networkPaths: config.NetworkBackupPaths.map((p) => hostNetworkPath(p, hostname)),
    cloud: {
      ...cloud,
      AzureBlob: { ...cloud.AzureBlob, Prefix: hostCloudPrefix(cloud.AzureBlob.Prefix, hostname) },
      S3: { ...cloud.S3, Prefix: hostCloudPrefix(cloud.S3.Prefix, hostname) },
    },
  };
}
