import { CancelledError } from '../core/errors';

/** Throws the CancelledError for an aborted signal (the interrupt handler sets one as the reason). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  throw cancelledFrom(signal);
}

export function cancelledFrom(signal: AbortSignal): CancelledError {
  const reason: unknown = signal.reason;
  if (reason instanceof CancelledError) return reason;
  return new CancelledError('The operation was cancelled.', { cause: reason });
}

/** Sleeps `ms`, waking early with a CancelledError if `signal` aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelledFrom(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledFrom(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
