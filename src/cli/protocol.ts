import type { Redactor } from '../core/redact';
import { ProgressThrottle } from './progress-throttle';

/**
 * The JSON-lines protocol spoken to the PowerShell bridge on stdout
 * (docs/bridge-protocol.md). Every message is redacted on the way out.
 */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'SUCCESS';

export interface ProgressUpdate {
  activity: string;
  status: string;
  percent: number;
  completed?: boolean;
  /** Bytes moved so far and in all, for activities that move bytes: such lines are rate-limited (progress-throttle.ts). */
  bytesDone?: number;
  bytesTotal?: number;
  /** Estimated seconds left, -1 when unknown; the throttle fills it in for byte progress. */
  secondsRemaining?: number;
}

export interface ResultError {
  code: string;
  message: string;
  category: string;
  details: string[];
}

export interface ProtocolSink {
  /** `final`: the line restates the failure that the result's error reports; the bridge keeps it out of the console (issue 16). */
  log(level: LogLevel, message: string, timestamp: string, final?: boolean): void;
  progress(p: ProgressUpdate): void;
  warning(message: string): void;
  service(event: 'stopped' | 'started', host: string | undefined): void;
  result(exitCode: number, data: unknown, error?: ResultError): void;
}

export class JsonLineWriter implements ProtocolSink {
  private resultWritten = false;
  private stopped = false;
  private lastProgress: Record<string, unknown> | undefined;
  private lastWriteAt = Date.now();
  /** At most ~4 byte-progress lines a second per activity; state changes go out at once. */
  private readonly progressLimit = new ProgressThrottle((p) => this.progressLine(p));
  constructor(
    private readonly redactor: Redactor,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
    /** Called (once) when a write throws: the caller is gone. */
    private readonly onWriteFailure?: (err: unknown) => void,
  ) {}

  /** The caller is gone: nothing more is written to the pipe (the log file goes on). */
  stop(): void {
    this.stopped = true;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Repeats the last progress line if nothing was written for `idleMs`. A pipe
   * whose reader is gone only says so when written to (EPIPE); this write,
   * harmless to the bridge (the same Write-Progress again), finds out during
   * a long quiet phase such as the dump. Returns true if it wrote.
   */
  keepAlive(idleMs: number, now = Date.now()): boolean {
    if (this.stopped || this.resultWritten || !this.lastProgress || now - this.lastWriteAt < idleMs) return false;
    this.emit({ ...this.lastProgress, repeat: true });
    return true;
  }

  private emit(obj: Record<string, unknown>): void {
    if (this.stopped) return;
    this.lastWriteAt = Date.now();
    try {
      this.write(JSON.stringify(this.redactor.value(obj)) + '\n');
    } catch (err) {
      // A synchronous EPIPE (or a destroyed stream): never let it unwind through a restore.
      this.stopped = true;
      this.onWriteFailure?.(err);
    }
  }

  log(level: LogLevel, message: string, timestamp: string, final?: boolean): void {
    this.emit(final ? { type: 'log', level, message, timestamp, final: true } : { type: 'log', level, message, timestamp });
  }
  progress(p: ProgressUpdate): void {
    this.progressLimit.update(p);
  }
  private progressLine(p: ProgressUpdate): void {
    const line = { type: 'progress', ...p, completed: p.completed ?? false };
    this.lastProgress = p.completed ? undefined : line;
    this.emit(line);
  }
  warning(message: string): void {
    this.emit({ type: 'warning', message });
  }
  service(event: 'stopped' | 'started', host: string | undefined): void {
    this.emit({ type: 'service', event, host: host ?? '' });
  }
  result(exitCode: number, data: unknown, error?: ResultError): void {
    if (this.resultWritten) return;
    this.progressLimit.flush();
    this.resultWritten = true;
    this.emit(error ? { type: 'result', exitCode, data: data ?? null, error } : { type: 'result', exitCode, data: data ?? null });
  }
}
