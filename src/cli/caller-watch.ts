import * as fs from 'node:fs';
import { isPidAlive } from '../service/process-alive';

/**
 * Notices that the caller (the PowerShell host that started node) is gone,
 * so a run that stopped AlteryxService cancels itself and restores the
 * service instead of crashing on its next write (RELIABILITY.md promise 4).
 *
 * The caller is gone when:
 * - a write to stdout or stderr fails (EPIPE, ERR_STREAM_DESTROYED, ...):
 *   nobody reads the pipe any more;
 * - reading stdin fails (the request never arrives whole);
 * - the parent process is gone. On Linux the parent PID of an orphan changes
 *   (it is re-parented), read from /proc/self/stat, because Node's
 *   `process.ppid` is a value fixed at start-up; elsewhere the original
 *   parent PID stops answering signal 0. This catches a caller that died
 *   while node had nothing to write (a long dump).
 *
 * `onGone` is called once, with a reason for the log.
 */
export interface CallerWatch {
  /** Set once the caller is gone; the protocol writer stops writing then. */
  readonly gone: boolean;
  readonly reason: string | undefined;
  /** Reports the caller gone (e.g. from a failed write). Only the first call counts. */
  report(reason: string): void;
  dispose(): void;
}

export interface CallerWatchOptions {
  onGone: (reason: string) => void;
  /** How often the parent is checked; default 1000 ms. 0 disables the check. */
  pollMs?: number;
  /** The streams to watch; default process.stdout and process.stderr. */
  outputs?: NodeJS.EventEmitter[];
  /** The parent PID at start; default process.ppid. */
  parentPid?: number;
  /** The current parent PID, or undefined when it cannot be read; default from /proc/self/stat on Linux. */
  currentParentPid?: () => number | undefined;
}

/** The parent PID from /proc/self/stat (field 4), or undefined where there is no /proc. */
export function linuxParentPid(statPath = '/proc/self/stat'): number | undefined {
  try {
    const text = fs.readFileSync(statPath, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces or ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(rest[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

export function watchCaller(options: CallerWatchOptions): CallerWatch {
  let gone = false;
  let reason: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const report = (why: string) => {
    if (gone) return;
    gone = true;
    reason = why;
    if (timer) clearInterval(timer);
    options.onGone(why);
  };

  const outputs: NonNullable<CallerWatchOptions['outputs']> = options.outputs ?? [process.stdout as NodeJS.EventEmitter, process.stderr as NodeJS.EventEmitter];
  const onError = (err: NodeJS.ErrnoException) => report(`a write to the caller's pipe failed (${err.code ?? err.message})`);
  for (const s of outputs) s.on('error', onError);

  const parentPid = options.parentPid ?? process.ppid;
  const pollMs = options.pollMs ?? 1000;
  const current = options.currentParentPid ?? (process.platform === 'linux' ? () => linuxParentPid() : undefined);
  // PID 0/1: started by init or a container runtime; there is no caller to outlive.
  if (pollMs > 0 && parentPid > 1) {
    timer = setInterval(() => {
      if (current) {
        const now = current();
        if (now !== undefined && now !== parentPid) report(`the calling process (PID ${parentPid}) ended`);
      } else if (!isPidAlive(parentPid)) {
        report(`the calling process (PID ${parentPid}) ended`);
      }
    }, pollMs);
    timer.unref();
  }

  return {
    get gone() {
      return gone;
    },
    get reason() {
      return reason;
    },
    report,
    dispose() {
      if (timer) clearInterval(timer);
      timer = undefined;
      // The error listeners stay: a late write after dispose must not crash node either.
    },
  };
}
