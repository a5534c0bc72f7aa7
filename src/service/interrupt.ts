import { CancelledError } from '../core/errors';
import type { ServiceLog } from './service-types';

/**
 * Ctrl+C, SIGTERM and (on Windows) Ctrl+Break become an aborted
 * AbortController instead of an exit. The executor passes `signal` to every
 * wait, lets the resulting CancelledError unwind to its `finally`, and there
 * restores the service (`session.restore()` is not abortable), cleans temp,
 * releases the lock and returns; the CLI then exits.
 *
 *     const interrupt = installInterruptHandlers({ log });
 *     try { await runBackup({ signal: interrupt.signal, ... }); }
 *     finally { interrupt.dispose(); }
 *
 * SIGHUP (terminal or remote session closed) is handled like SIGTERM; on
 * Windows, libuv raises SIGHUP for the console's close event and SIGBREAK
 * for Ctrl+Break. `cancel(reason)` does the same for a caller that went
 * away without a signal (src/cli/caller-watch.ts).
 *
 * Because a handler is installed, Node does not exit on these signals; a
 * second (or tenth) Ctrl+C only logs that the restore is still running. Only
 * a hard kill skips the restore, and then the PowerShell bridge runs
 * `Repair-AlteryxBackupState` from the state marker.
 */
export interface InterruptGuard {
  readonly signal: AbortSignal;
  readonly controller: AbortController;
  /** The first signal received, if any. */
  readonly interruptedBy: NodeJS.Signals | undefined;
  /** How many signals arrived. */
  readonly count: number;
  /** Cancels the run as a signal would, for another reason (e.g. the caller is gone). Only the first cancel counts. */
  cancel(reason: string): void;
  /** Removes the handlers. Safe to call more than once. */
  dispose(): void;
}

export interface InterruptOptions {
  log?: ServiceLog;
  /** Use this controller instead of a new one. */
  controller?: AbortController;
  /** Default SIGINT, SIGTERM, SIGHUP, plus SIGBREAK on Windows. */
  signals?: NodeJS.Signals[];
}

export function defaultInterruptSignals(platform: NodeJS.Platform = process.platform): NodeJS.Signals[] {
  const s: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  if (platform === 'win32') s.push('SIGBREAK');
  return s;
}

export function installInterruptHandlers(options: InterruptOptions = {}): InterruptGuard {
  const controller = options.controller ?? new AbortController();
  const signals = options.signals ?? defaultInterruptSignals();
  let interruptedBy: NodeJS.Signals | undefined;
  let count = 0;
  let disposed = false;

  const handler = (sig: NodeJS.Signals) => {
    count++;
    if (interruptedBy === undefined) {
      interruptedBy = sig;
      options.log?.warn(`${sig} received: stopping after restoring the service and cleaning up. Please wait.`);
      controller.abort(new CancelledError(`The backup was interrupted (${sig}).`, { category: 'OperationStopped' }));
    } else {
      options.log?.warn(`${sig} received again: still restoring the service and cleaning up; this cannot be skipped.`);
    }
  };
  for (const s of signals) process.on(s, handler);
  const cancel = (reason: string) => {
    count++;
    if (controller.signal.aborted) return;
    options.log?.warn(`${reason}: stopping after restoring the service and cleaning up.`);
    controller.abort(new CancelledError(`The backup was cancelled: ${reason}.`, { category: 'OperationStopped' }));
  };

  return {
    signal: controller.signal,
    controller,
    get interruptedBy() {
      return interruptedBy;
    },
    get count() {
      return count;
    },
    cancel,
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const s of signals) process.removeListener(s, handler);
    },
  };
}
