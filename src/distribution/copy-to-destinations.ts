import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { BackupConfigFile, Secrets } from '../config/config-types';
import { CancelledError, StorageError, ValidationError } from '../core/errors';
import { azureLocationLabel, createAzureBlobTarget } from './azure-blob';
import type { CloudTarget } from './cloud-target';
import { copyArchiveToFolder } from './folder-copy';
import { errorMessage, redactSecrets, toLogSink, type LogSink, type LogTarget } from './log-sink';
import { RetriesExhausted, withRetry, type RetryPolicy, type SleepFn } from './retry';
import { createS3Target, s3LocationLabel } from './s3';
import { isSha256Hex } from './sidecar';

export type DestinationKind = 'Local' | 'Network' | 'AzureBlob' | 'S3';

/** One destination in the data model's DistributionResultObject. */
export interface DestinationResult {
  /** The configured path, or the cloud location (`s3://bucket/prefix/`), never with a credential. */
  Destination: string;
  Kind: DestinationKind;
  Success: boolean;
  Attempts: number;
  FinalPath?: string;
  Error?: string;
  /** Stable code of the last error (e.g. ENOSPC, DESTINATION_TARGET_EXISTS). */
  ErrorCode?: string;
  DurationSeconds: number;
  /** True only when the destination's bytes were re-read and matched the archive's SHA256. */
  SHA256Verified: boolean;
  /** The identical archive (same SHA256) was already there; nothing was overwritten. */
  AlreadyPresent: boolean;
}

export interface DistributionResult {
  Success: boolean;
  Destinations: DestinationResult[];
}

export interface CopyProgress {
  Destination: string;
  Kind: DestinationKind;
  BytesCopied: number;
  TotalBytes: number;
}

export interface CopyBackupOptions {
  /** The archive, already published and verified in LocalBackupPath. Never modified or removed here. */
  archivePath: string;
  /** Its SHA256 (64 hex digits). */
  sha256: string;
  /** Network (UNC or mapped-drive) folders. The caller adds the Local entry for LocalBackupPath. */
  destinations: string[];
  cloud?: BackupConfigFile['CloudConfiguration'];
  /** Cloud credentials; only from the secure channel. */
  secrets?: Secrets;
  /** CopyRetryCount / CopyRetryDelaySeconds, with optional backoff (default ×2). */
  retry: RetryPolicy;
  log?: LogTarget;
  signal?: AbortSignal;
  onProgress?: (progress: CopyProgress) => void;
  /** Injectable wait between retries; tests pass one that returns at once. */
  sleep?: SleepFn;
}

/**
 * Copy-BackupToDestinations: copies the archive and its sidecar to every
 * network folder and enabled cloud, in parallel, each verified by SHA256
 * after writing. One destination failing never stops the others, and the
 * local archive is never touched. Failures are in the result (use
 * `distributionFailure` to get the exit-4 error once everything else is
 * done); only cancellation and caller mistakes throw.
 */
export async function copyBackupToDestinations(options: CopyBackupOptions): Promise<DistributionResult> {
  const log = toLogSink(options.log);
  const secrets = options.secrets ?? {};
  if (!isSha256Hex(options.sha256)) {
    throw new ValidationError(`copyBackupToDestinations: sha256 must be 64 hex digits.`, 'INVALID_ARGUMENT');
  }
  let total: number;
  try {
    const st = await fs.stat(options.archivePath);
    if (!st.isFile()) throw new Error('not a file');
    total = st.size;
  } catch (err) {
    throw new StorageError(`The archive to distribute '${options.archivePath}' cannot be read: ${errorMessage(err)}`, 'SOURCE_MISSING', {
      cause: err,
    });
  }

  const jobs: Array<Promise<DestinationResult>> = [];
  const seen = new Set<string>();
  for (const dest of options.destinations) {
    const key = normalizeForCompare(dest);
    if (seen.has(key)) {
      log('WARNING', `Destination '${dest}' is listed more than once; it is copied once.`);
      continue;
    }
    seen.add(key);
    jobs.push(
      runDestination(options, log, secrets, dest, 'Network', total, async (signal, onProgress) => {
        if (!path.isAbsolute(dest)) {
          throw new StorageError(`Destination '${dest}' is not an absolute path.`, 'DESTINATION_NOT_ABSOLUTE');
        }
        return copyArchiveToFolder({ archivePath: options.archivePath, sha256: options.sha256, destinationDir: dest, signal, onProgress });
      }),
    );
  }

  for (const job of options.cloud ? cloudJobs(options.cloud, secrets) : []) {
    let target: CloudTarget | undefined;
    jobs.push(
      runDestination(options, log, secrets, job.label, job.kind, total, async (signal, onProgress) => {
        // Built inside the attempt so that a missing credential is this destination's failure, not a crash.
        target ??= job.create();
        return target.uploadVerified({ archivePath: options.archivePath, sha256: options.sha256, signal, onProgress, log });
      }).finally(() => target?.close()),
    );
  }

  const destinations = await Promise.all(jobs);
  if (options.signal?.aborted) throw new CancelledError('Distribution was cancelled; no partial copy was left under a final name.');
  return { Success: destinations.every((d) => d.Success), Destinations: destinations };
}

type Attempt = (signal: AbortSignal | undefined, onProgress: (bytes: number, total: number) => void) => Promise<{
  finalPath: string;
  alreadyPresent: boolean;
}>;

async function runDestination(
  options: CopyBackupOptions,
  log: LogSink,
  secrets: Secrets,
  destination: string,
  kind: DestinationKind,
  totalBytes: number,
  attempt: Attempt,
): Promise<DestinationResult> {
  const started = process.hrtime.bigint();
  const seconds = () => Math.round(Number(process.hrtime.bigint() - started) / 1e7) / 100;
  const clean = (text: string) => redactSecrets(text, secrets);
  log('INFO', `Copying ${path.basename(options.archivePath)} to ${kind} destination '${destination}'.`);
  // At most one report per percent (and the last byte): a 500 GB copy must not send 500,000 progress lines to PowerShell.
  let lastPercent = -1;
  const onProgress = (bytes: number, total: number) => {
    const of = total || totalBytes;
    const percent = of > 0 ? Math.floor((bytes / of) * 100) : 100;
    if (percent === lastPercent && bytes < of) return;
    lastPercent = percent;
    options.onProgress?.({ Destination: destination, Kind: kind, BytesCopied: bytes, TotalBytes: of });
  };
  try {
    const { value, attempts } = await withRetry((n) => {
      if (n > 1) log('INFO', `Attempt ${n} for '${destination}'.`);
      return attempt(options.signal, onProgress);
    }, {
      policy: options.retry,
      sleep: options.sleep,
      signal: options.signal,
      onRetry: ({ attempt: n, error, delayMs }) =>
        log('WARNING', clean(`Copy to '${destination}' failed on attempt ${n}: ${errorMessage(error)}; retrying in ${Math.round(delayMs / 1000)} s.`)),
    });
    log(
      'SUCCESS',
      value.alreadyPresent
        ? `'${value.finalPath}' was already present with the same SHA256; nothing was overwritten.`
        : `Copied and verified (SHA256) '${value.finalPath}'.`,
    );
    return {
      Destination: destination,
      Kind: kind,
      Success: true,
      Attempts: attempts,
      FinalPath: value.finalPath,
      DurationSeconds: seconds(),
      SHA256Verified: true,
      AlreadyPresent: value.alreadyPresent,
    };
  } catch (err) {
    const failure = err instanceof RetriesExhausted ? err : new RetriesExhausted(err, 1, true);
    const last = failure.lastError;
    const message = clean(errorMessage(last));
    const code = errorCode(last);
    log(
      'ERROR',
      `Copy to '${destination}' failed after ${failure.attempts} attempt(s)${failure.permanent ? ' (permanent error, not retried)' : ''}: ${message}`,
    );
    return {
      Destination: destination,
      Kind: kind,
      Success: false,
      Attempts: failure.attempts,
      Error: message,
      ErrorCode: code,
      DurationSeconds: seconds(),
      SHA256Verified: false,
      AlreadyPresent: false,
    };
  }
}

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; name?: string; $metadata?: unknown } | undefined;
  if (typeof e?.code === 'string') return e.code;
  if (e?.$metadata && typeof e.name === 'string') return e.name;
  return undefined;
}

function normalizeForCompare(p: string): string {
  const resolved = path.resolve(p).replace(/[\\/]+$/, '');
  return process.platform === 'win32' ? resolved.toLowerCase() : resolved;
}

export interface CloudJob {
  kind: 'AzureBlob' | 'S3';
  /** Known before the target (and its credential check) is built. */
  label: string;
  create: () => CloudTarget;
}

/** The enabled cloud destinations of a CloudConfiguration. */
export function cloudJobs(cloud: BackupConfigFile['CloudConfiguration'], secrets: Secrets): CloudJob[] {
  const out: CloudJob[] = [];
  const a = cloud.AzureBlob;
  if (a?.Enabled) {
    out.push({
      kind: 'AzureBlob',
      label: azureLocationLabel(a),
      create: () => createAzureBlobTarget(a, secrets),
    });
  }
  const s3 = cloud.S3;
  if (s3?.Enabled) {
    out.push({ kind: 'S3', label: s3LocationLabel(s3), create: () => createS3Target(s3, secrets) });
  }
  return out;
}

/**
 * Adds the Local entry (LocalBackupPath, where the archive module published
 * and verified the archive) in front of the copies, so that the result lists
 * every destination, as the data model's DistributionResultObject does.
 */
export function withLocalDestination(
  result: DistributionResult,
  local: { archivePath: string; verified: boolean; error?: string; durationSeconds?: number },
): DistributionResult {
  const entry: DestinationResult = {
    Destination: path.dirname(local.archivePath),
    Kind: 'Local',
    Success: local.verified && local.error === undefined,
    Attempts: 1,
    FinalPath: local.verified ? local.archivePath : undefined,
    Error: local.error ?? (local.verified ? undefined : 'The local archive was not verified.'),
    DurationSeconds: local.durationSeconds ?? 0,
    SHA256Verified: local.verified,
    AlreadyPresent: false,
  };
  const destinations = [entry, ...result.Destinations.filter((d) => d.Kind !== 'Local')];
  return { Success: destinations.every((d) => d.Success), Destinations: destinations };
}

/** The exit-4 error for a distribution in which any destination failed; undefined when all succeeded. */
export function distributionFailure(result: DistributionResult): StorageError | undefined {
  const failed = result.Destinations.filter((d) => !d.Success);
  if (failed.length === 0) return undefined;
  return new StorageError(
    `Copy failed for ${failed.length} of ${result.Destinations.length} destination(s): ${failed.map((d) => d.Destination).join(', ')}. The local archive is intact.`,
    'DISTRIBUTION_FAILED',
    { details: failed.map((d) => `${d.Kind} '${d.Destination}': ${d.Error ?? 'failed'}`) },
  );
}
