import { Redactor } from '../core/redact';

/**
 * How distribution, retention and notification report what they do.
 * A plain function rather than a logger class: the orchestrator's logger
 * (console + BackupLog_*.log, redaction) adapts to it in one line, and tests
 * collect the lines in an array.
 */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'SUCCESS';
export type LogSink = (level: LogLevel, message: string) => void;

/** A sink that drops everything, for callers that do not care. */
export const silentLog: LogSink = () => undefined;

/** The shape of the run's logger (src/logging): accepted wherever a LogSink is, so callers pass it as is. */
export interface LevelLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  success(message: string): void;
}

export type LogTarget = LogSink | LevelLogger;

export function toLogSink(target: LogTarget | undefined): LogSink {
  if (target === undefined) return silentLog;
  if (typeof target === 'function') return target;
  return (level, message) => {
    switch (level) {
      case 'DEBUG':
        return target.debug(message);
      case 'INFO':
        return target.info(message);
      case 'WARNING':
        return target.warn(message);
      case 'ERROR':
        return target.error(message);
      case 'SUCCESS':
        return target.success(message);
    }
  };
}

/** The message of anything thrown, without a stack trace; HTTP errors with an empty body still say what happened. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; statusCode?: number; $metadata?: { httpStatusCode?: number } };
    // AWS SDK errors carry their code in `name` (NoSuchBucket, AccessDenied) next to `$metadata`.
    const code = typeof e.code === 'string' ? e.code : e.$metadata && e.name && e.name !== 'Error' ? e.name : undefined;
    const status = e.statusCode ?? e.$metadata?.httpStatusCode;
    let message = e.message.split('\n')[0].trim();
    if (!message) message = [status !== undefined ? `HTTP ${status}` : undefined, code ?? (e.name !== 'Error' ? e.name : undefined)].filter(Boolean).join(' ') || 'unknown error';
    return code && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(err);
}

/**
 * Replaces every known secret value in `text`, through the project's one
 * Redactor (so the masking matches the log's). Cloud SDK errors can echo a
 * request URL, and a SAS token is a query string, so its bare form (without
 * the leading '?') is registered too.
 */
export function redactSecrets(text: string, secrets: object | undefined): string {
  if (!secrets) return text;
  const redactor = new Redactor();
  for (const value of Object.values(secrets)) {
    if (typeof value !== 'string') continue;
    redactor.add(value);
    if (value.startsWith('?')) redactor.add(value.slice(1));
  }
  return redactor.text(text);
}
