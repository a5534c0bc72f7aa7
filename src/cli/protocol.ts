import type { Redactor } from '../core/redact';

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
  constructor(
    private readonly redactor: Redactor,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}

  private emit(obj: Record<string, unknown>): void {
    this.write(JSON.stringify(this.redactor.value(obj)) + '\n');
  }

  log(level: LogLevel, message: string, timestamp: string, final?: boolean): void {
    this.emit(final ? { type: 'log', level, message, timestamp, final: true } : { type: 'log', level, message, timestamp });
  }
  progress(p: ProgressUpdate): void {
    this.emit({ type: 'progress', ...p, completed: p.completed ?? false });
  }
  warning(message: string): void {
    this.emit({ type: 'warning', message });
  }
  service(event: 'stopped' | 'started', host: string | undefined): void {
    this.emit({ type: 'service', event, host: host ?? '' });
  }
  result(exitCode: number, data: unknown, error?: ResultError): void {
    if (this.resultWritten) return;
    this.resultWritten = true;
    this.emit(error ? { type: 'result', exitCode, data: data ?? null, error } : { type: 'result', exitCode, data: data ?? null });
  }
}
