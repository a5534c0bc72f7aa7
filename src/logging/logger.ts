import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeFsError, pathError } from '../core/path-errors';
import type { Redactor } from '../core/redact';
import type { LogLevel, ProtocolSink } from '../cli/protocol';
import { logFileName, type BackupMode } from '../core/backup-mode';

/** The small logging interface every module takes. */
export interface Log {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  /** `final`: this line restates the command's failure (the result's error); it goes to the file, not twice to the console. */
  error(message: string, options?: { final?: boolean }): void;
  success(message: string): void;
}

const LEVELS: Record<LogLevel, number> = { ERROR: 0, WARNING: 1, SUCCESS: 2, INFO: 3, DEBUG: 4 };
const TAIL_LINES = 500;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `yyyy-MM-dd HH:mm:ss`, local time. */
export function formatLogTimestamp(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * Our Log interface over two outputs: the JSON-lines protocol on stdout (which
 * belongs to the bridge) and the run's plain-text log file. Both are redacted
 * before anything is written.
 *
 * The file is written with synchronous appends, so a failure is known at the
 * line that failed (RELIABILITY.md promise 12, no silent runs):
 * - attachFile creates the file and writes its first line, or throws (exit 3
 *   for a LogDirectory of the wrong shape, 4 for one that cannot be written),
 *   before the run touches anything;
 * - a later write that fails becomes a warning on the console and in the
 *   summary (so the run's Status is Warning, and the scheduled-task wrapper's
 *   event log entry says so), and the file is not written again;
 * - logFilePath names the file only while it exists.
 */
export class BackupLogger implements Log {
  private fd: number | undefined;
  private filePath: string | undefined;
  private fileFailed = false;
  private readonly recent: RecentLine[] = [];
  readonly warnings: string[] = [];
  readonly errors: string[] = [];

  constructor(
    private readonly redactor: Redactor,
    private readonly sink?: ProtocolSink,
    private readonly minLevel: LogLevel = 'DEBUG',
  ) {}

  /** Starts the run's log file `LogDirectory/BackupLog_{Mode}_yyyyMMdd_HHmmss.log`; throws a BackupError (exit 3 or 4) naming the path and the reason if it cannot. */
  attachFile(logDirectory: string, mode: BackupMode | 'Maintenance', startedAt: Date, fileName = logFileName(mode, startedAt)): string {
    try {
      fs.mkdirSync(logDirectory, { recursive: true });
    } catch (err) {
      throw pathError('LogDirectory', logDirectory, err, 'LOG_UNWRITABLE', 'the log file cannot be created there');
    }
    if (!fs.statSync(logDirectory).isDirectory()) throw pathError('LogDirectory', logDirectory, Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }), 'LOG_UNWRITABLE', '');
    let fd: number | undefined;
    let file = path.join(logDirectory, fileName);
    // Two runs in the same second must not share (or clobber) a log.
    for (let i = 1; fd === undefined; i++) {
      try {
        fd = fs.openSync(file, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST' && i < 1000) {
          file = path.join(logDirectory, fileName.replace(/\.log$/, `_${i}.log`));
          continue;
        }
        throw pathError('LogDirectory', logDirectory, err, 'LOG_UNWRITABLE', `the log file ${file} cannot be created`);
      }
    }
    // The first line proves the file can be written; lines logged before it follow, in order.
    const first = `${formatLogTimestamp(new Date())} [INFO] Log file ${file} started.\n`;
    const earlier = this.recent.map((l) => `${l.timestamp} [${l.level}] ${l.message}\n`).join('');
    try {
      fs.writeSync(fd, first + earlier);
    } catch (err) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already failing */
      }
      fs.rmSync(file, { force: true });
      throw pathError('LogDirectory', logDirectory, err, 'LOG_UNWRITABLE', `the log file ${file} cannot be written`);
    }
    this.fd = fd;
    this.filePath = file;
    return file;
  }

  /**
   * Appends to an existing run's log (a contract script's session log, named
   * by Initialize-BackupEnvironment's LogFilePath). Creates it if missing.
   */
  appendTo(file: string): string {
    if (this.fd !== undefined) return this.filePath as string;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const fd = fs.openSync(file, 'a');
      const earlier = this.recent.map((l) => `${l.timestamp} [${l.level}] ${l.message}\n`).join('');
      if (earlier) fs.writeSync(fd, earlier);
      this.fd = fd;
    } catch (err) {
      throw pathError('LogFilePath', file, err, 'LOG_UNWRITABLE', 'the session log cannot be written');
    }
    this.filePath = file;
    return file;
  }

  /** The log file, while it exists: a summary never names a file that is not there. */
  get logFilePath(): string | undefined {
    return this.filePath !== undefined && fs.existsSync(this.filePath) ? this.filePath : undefined;
  }

  /** True once a write to the log file failed. */
  get logFileFailed(): boolean {
    return this.fileFailed;
  }

  /** The last lines, redacted, for the notification email. */
  tail(n: number): string[] {
    return this.recent.slice(-n).map((l) => `${l.timestamp} [${l.level}] ${l.message}`);
  }

  private appendToFile(line: string): void {
    if (this.fd === undefined) return;
    try {
      fs.writeSync(this.fd, line);
    } catch (err) {
      const fd = this.fd;
      this.fd = undefined;
      this.fileFailed = true;
      try {
        fs.closeSync(fd);
      } catch {
        /* already failing */
      }
      const e = err as NodeJS.ErrnoException;
      // Console and summary only: the file is what failed.
      this.emit('WARNING', this.redactor.text(`The log file ${this.filePath} could not be written (${e.code ?? e.message}: ${describeFsError(e)}); the rest of this run is not in it.`));
    }
  }

  private emit(level: LogLevel, clean: string, final = false): void {
    const timestamp = formatLogTimestamp(new Date());
    this.recent.push({ level, message: clean, timestamp });
    if (this.recent.length > TAIL_LINES) this.recent.shift();
    if (level === 'WARNING') {
      this.warnings.push(clean);
      this.sink?.warning(clean);
    } else {
      if (level === 'ERROR') this.errors.push(clean);
      this.sink?.log(level, clean, timestamp, final);
    }
  }

  private write(level: LogLevel, message: string, final = false): void {
    if (LEVELS[level] > LEVELS[this.minLevel]) return;
    const clean = this.redactor.text(message);
    this.appendToFile(`${formatLogTimestamp(new Date())} [${level}] ${clean}\n`);
    this.emit(level, clean, final);
  }

  debug(message: string): void {
    this.write('DEBUG', message);
  }
  info(message: string): void {
    this.write('INFO', message);
  }
  warn(message: string): void {
    this.write('WARNING', message);
  }
  error(message: string, options?: { final?: boolean }): void {
    this.write('ERROR', message, options?.final === true);
  }
  success(message: string): void {
    this.write('SUCCESS', message);
  }

  /** Flushes the log file to disk and closes it. Call before the process exits. */
  async close(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return;
    try {
      fs.fsyncSync(fd);
    } catch {
      /* nothing more can be done: the lines were written */
    }
    try {
      fs.closeSync(fd);
    } catch {
      /* closed already */
    }
  }
}

interface RecentLine {
  level: LogLevel;
  message: string;
  timestamp: string;
}
