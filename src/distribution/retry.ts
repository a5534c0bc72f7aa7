import { CancelledError, isPermanentIoError, StorageError } from '../core/errors';

export interface RetryPolicy {
  /** Retries after the first attempt (CopyRetryCount); 0 means one attempt only. */
  count: number;
  /** Wait before the first retry (CopyRetryDelaySeconds). */
  delaySeconds: number;
  /** Each further wait is multiplied by this; default 2 (30 s, 60 s, 120 s). 1 means a fixed delay. */
  backoffFactor?: number;
}

/** Injectable so tests never wait for real: `sleep(ms, signal)`. */
export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

/** No single wait is longer than this, whatever the backoff says. */
export const MAX_RETRY_DELAY_MS = 10 * 60 * 1000;

export const realSleep: SleepFn = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError('Cancelled while waiting to retry.'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError('Cancelled while waiting to retry.'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** The wait before retry number `retry` (1-based). */
export function retryDelayMs(policy: RetryPolicy, retry: number): number {
  const factor = policy.backoffFactor ?? 2;
  const ms = policy.delaySeconds * 1000 * Math.pow(factor, retry - 1);
  return Math.min(Math.max(0, ms), MAX_RETRY_DELAY_MS);
}

/** StorageError codes whose retry cannot help. */
const PERMANENT_CODES = new Set([
  'DESTINATION_TARGET_EXISTS',
  'SOURCE_CHANGED',
  'DESTINATION_NOT_A_DIRECTORY',
  'DESTINATION_NOT_ABSOLUTE',
  'CLOUD_NOT_CONFIGURED',
  'CLOUD_AUTH_FAILED',
]);

/**
 * Disk full, quota, access denied, read-only, a name that already exists,
 * a source that no longer matches its checksum, cancellation: retrying any of
 * these only delays the failure. Everything else (a share that vanished for a
 * moment, a reset connection, a copy that did not verify) is worth a retry.
 */
export function isPermanentCopyError(err: unknown): boolean {
  if (err instanceof CancelledError) return true;
  if (err instanceof StorageError && PERMANENT_CODES.has(err.code)) return true;
  if (isPermanentIoError(err)) return true;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOTDIR') return true;
  const status = (err as { statusCode?: number; $metadata?: { httpStatusCode?: number } } | undefined);
  const http = status?.statusCode ?? status?.$metadata?.httpStatusCode;
  // 401/403: bad credentials or no permission; 404 on the container or bucket: misconfigured.
  if (http === 401 || http === 403) return true;
  return false;
}

export class RetriesExhausted extends Error {
  constructor(
    readonly lastError: unknown,
    readonly attempts: number,
    readonly permanent: boolean,
  ) {
    super(lastError instanceof Error ? lastError.message : String(lastError));
  }
}

export interface RetryOptions {
  policy: RetryPolicy;
  sleep?: SleepFn;
  signal?: AbortSignal;
  isPermanent?: (err: unknown) => boolean;
  onRetry?: (info: { attempt: number; error: unknown; delayMs: number }) => void;
}

/** Runs `op` until it succeeds, a permanent error occurs, or the retries run out. */
export async function withRetry<T>(
  op: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<{ value: T; attempts: number }> {
  const sleep = options.sleep ?? realSleep;
  const isPermanent = options.isPermanent ?? isPermanentCopyError;
  const maxAttempts = Math.max(0, Math.floor(options.policy.count)) + 1;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw new RetriesExhausted(new CancelledError('Cancelled.'), attempt - 1, true);
    try {
      return { value: await op(attempt), attempts: attempt };
    } catch (error) {
      const permanent = isPermanent(error) || options.signal?.aborted === true;
      if (permanent || attempt >= maxAttempts) throw new RetriesExhausted(error, attempt, permanent);
      const delayMs = retryDelayMs(options.policy, attempt);
      options.onRetry?.({ attempt, error, delayMs });
      try {
        await sleep(delayMs, options.signal);
      } catch (sleepError) {
        throw new RetriesExhausted(sleepError, attempt, true);
      }
    }
  }
}
