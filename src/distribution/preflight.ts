import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { BackupConfigFile, Secrets } from '../config/config-types';
import { cloudJobs } from './copy-to-destinations';
import { errorMessage, redactSecrets } from './log-sink';

export interface PreflightProblem {
  Destination: string;
  /** Stable: NOT_FOUND, NOT_A_DIRECTORY, NOT_WRITABLE, READ_BACK_MISMATCH, PROBE_NOT_REMOVED, INSUFFICIENT_SPACE, NOT_ABSOLUTE. */
  Code: string;
  Message: string;
}

export interface PreflightOptions {
  /** When given, a destination with less free space than this is a problem. */
  requiredBytes?: number;
}

/**
 * Checks every destination folder before the service is touched: it exists,
 * is a folder, and a probe file can be written, read back and deleted.
 * Returns the problems found (empty when all is well); never throws for a
 * destination's sake, so the caller sees every problem at once.
 *
 * The probe's name starts with a dot and never matches our archive pattern.
 */
export async function preflightDestinations(paths: string[], options: PreflightOptions = {}): Promise<PreflightProblem[]> {
  const results = await Promise.all(paths.map((p) => preflightOne(p, options)));
  return results.flat();
}

async function preflightOne(destination: string, options: PreflightOptions): Promise<PreflightProblem[]> {
  const problem = (Code: string, Message: string): PreflightProblem[] => [{ Destination: destination, Code, Message }];
  if (!path.isAbsolute(destination)) {
    return problem('NOT_ABSOLUTE', `Destination '${destination}' is not an absolute path.`);
  }
  let st;
  try {
    st = await fs.stat(destination);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return problem(
        'NOT_FOUND',
        `Destination '${destination}' does not exist or is not reachable (a mapped drive letter is not visible to SYSTEM; use the UNC path).`,
      );
    }
    return problem('NOT_FOUND', `Destination '${destination}' cannot be reached: ${errorMessage(err)}`);
  }
  if (!st.isDirectory()) return problem('NOT_A_DIRECTORY', `Destination '${destination}' is not a folder.`);

  const probePath = path.join(destination, `.alteryxbackup-probe-${randomBytes(6).toString('hex')}.tmp`);
  const content = randomBytes(64);
  let created = false;
  try {
    const handle = await fs.open(probePath, 'wx');
    created = true;
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (created) await fs.rm(probePath, { force: true }).catch(() => undefined);
    return problem('NOT_WRITABLE', `Cannot write to destination '${destination}': ${errorMessage(err)}`);
  }
  const problems: PreflightProblem[] = [];
  try {
    const back = await fs.readFile(probePath);
    if (!back.equals(content)) {
      problems.push(...problem('READ_BACK_MISMATCH', `A probe file written to '${destination}' read back different bytes.`));
    }
  } catch (err) {
    problems.push(...problem('READ_BACK_MISMATCH', `A probe file written to '${destination}' could not be read back: ${errorMessage(err)}`));
  }
  try {
    await fs.rm(probePath);
  } catch (err) {
    problems.push(...problem('PROBE_NOT_REMOVED', `The probe file '${probePath}' could not be deleted: ${errorMessage(err)}`));
  }
  if (options.requiredBytes !== undefined) {
    try {
      const s = await fs.statfs(destination);
      const free = Number(s.bavail) * Number(s.bsize);
      if (free < options.requiredBytes) {
        problems.push(
          ...problem(
            'INSUFFICIENT_SPACE',
            `Destination '${destination}' has ${(free / 1048576).toFixed(1)} MB free; ${(options.requiredBytes / 1048576).toFixed(1)} MB are needed.`,
          ),
        );
      }
    } catch {
      // Free space cannot be read on every share; the copy itself will fail cleanly with ENOSPC.
    }
  }
  return problems;
}

/**
 * Pre-flight for the enabled clouds: the credential is present, and a probe
 * object can be written, read back and deleted under the prefix. Problems
 * use the codes CLOUD_NOT_CONFIGURED and CLOUD_UNREACHABLE; messages never
 * hold a secret.
 */
export async function preflightCloud(cloud: BackupConfigFile['CloudConfiguration'], secrets: Secrets): Promise<PreflightProblem[]> {
  const results = await Promise.all(
    cloudJobs(cloud, secrets).map(async (job): Promise<PreflightProblem[]> => {
      try {
        const target = job.create();
        try {
          await target.probe();
        } finally {
          target.close();
        }
        return [];
      } catch (err) {
        const code = (err as { code?: unknown }).code === 'CLOUD_NOT_CONFIGURED' ? 'CLOUD_NOT_CONFIGURED' : 'CLOUD_UNREACHABLE';
        return [{ Destination: job.label, Code: code, Message: redactSecrets(`${job.kind} '${job.label}': ${errorMessage(err)}`, secrets) }];
      }
    }),
  );
  return results.flat();
}
