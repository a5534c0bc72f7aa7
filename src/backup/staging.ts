import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatStamp } from '../core/backup-mode';
import type { Log } from '../logging/logger';

/** Our staging folders, and nothing else, match this. */
const STAGING_PATTERN = /^AlteryxBackup_\d{8}_\d{6}_\d+$/;

export function stagingDirFor(tempDirectory: string, startedAt: Date): string {
  return path.join(tempDirectory, `AlteryxBackup_${formatStamp(startedAt)}_${process.pid}`);
}

function isOurStaging(tempDirectory: string, dir: string): boolean {
  const resolved = path.resolve(dir);
  return path.dirname(resolved) === path.resolve(tempDirectory) && STAGING_PATTERN.test(path.basename(resolved));
}

/**
 * Removes one staging folder. It refuses anything that is not a direct
 * child of TempDirectory with our own name: a bad config must never turn
 * cleanup into `rm -rf` of something else.
 */
export async function removeStagingDir(tempDirectory: string, dir: string, log: Log): Promise<void> {
  if (!isOurStaging(tempDirectory, dir)) {
    throw new Error(`Refusing to delete '${dir}': it is not an AlteryxBackup staging folder inside '${tempDirectory}'.`);
  }
  await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 200 });
  log.debug(`Removed staging folder ${dir}.`);
}

/**
 * Staging folders left by a run that was killed. Called only while holding
 * the run lock, so no other run can be using them.
 */
export async function removeStaleStaging(tempDirectory: string, log: Log): Promise<void> {
  let names: string[];
  try {
    names = await fs.promises.readdir(tempDirectory);
  } catch {
    return;
  }
  for (const name of names) {
    if (!STAGING_PATTERN.test(name)) continue;
    const dir = path.join(tempDirectory, name);
    try {
      await removeStagingDir(tempDirectory, dir, log);
      log.warn(`Removed a staging folder left by an earlier, interrupted run: ${dir}`);
    } catch (err) {
      log.warn(`Could not remove stale staging folder ${dir}: ${(err as Error).message}`);
    }
  }
}
