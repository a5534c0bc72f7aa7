import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Winston from 'winston';
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
 * winston behind our Log interface. Console output is the JSON-lines
 * protocol (stdout belongs to the bridge); the file is plain text. Both are
 * redacted before anything is written.
 */
export class BackupLogger implements Log {
  /** Created with the log file: commands that write no file never load winston (about 0.1 s of CPU per node start). */
  private logger: Winston.Logger | undefined;
  private fileTransport: Winston.transports.FileTransportInstance | undefined;
  private filePath: string | undefined;
  private readonly recent: RecentLine[] = [];
  readonly warnings: string[] = [];
  readonly errors: string[] = [];

  constructor(
    private readonly redactor: Redactor,
    private readonly sink?: ProtocolSink,
    private readonly minLevel: LogLevel = 'DEBUG',
  ) {}

  /** Starts the run's log file `LogDirectory/BackupLog_{Mode}_yyyyMMdd_HHmmss.log`. */
  attachFile(logDirectory: string, mode: BackupMode | 'Maintenance', startedAt: Date, fileName = logFileName(mode, startedAt)): string {
    fs.mkdirSync(logDirectory, { recursive: true });
    let file = path.join(logDirectory, fileName);
    // Two runs in the same second must not share (or clobber) a log.
    for (let i = 1; fs.existsSync(file); i++) file = path.join(logDirectory, fileName.replace(/\.log$/, `_${i}.log`));
    return this.openFile(file);
  }

  /** Adds the file transport (creating the winston logger on first use) and writes the lines logged so far. */
  private openFile(file: string): string {
    const winston = require('winston') as typeof Winston;
    const logger =
      this.logger ??
      winston.createLogger({
        levels: LEVELS,
        level: this.minLevel,
        format: winston.format.printf((info) => `${String(info.at)} [${info.level}] ${String(info.message)}`),
        transports: [],
        exitOnError: false,
      });
    this.logger = logger;
    this.fileTransport = new winston.transports.File({ filename: file });
    logger.add(this.fileTransport);
    this.filePath = file;
    // Lines logged before the file existed are written first, in order.
    for (const line of this.recent) logger.log({ level: line.level, message: line.message, at: line.timestamp });
    return file;
  }

  get logFilePath(): string | undefined {
    return this.filePath;
  }

  /** The last lines, redacted, for the notification email. */
  tail(n: number): string[] {
    return this.recent.slice(-n).map((l) => `${l.timestamp} [${l.level}] ${l.message}`);
  }

  private write(level: LogLevel, message: string, final = false): void {
    if (LEVELS[level] > LEVELS[this.minLevel]) return;
    const clean = this.redactor.text(message);
    const timestamp = formatLogTimestamp(new Date());
    const entry: RecentLine = { level, message: clean, timestamp };
    this.recent.push(entry);
    if (this.recent.length > TAIL_LINES) this.recent.shift();
    if (this.fileTransport) this.logger?.log({ level, message: clean, at: timestamp });
    if (level === 'WARNING') {
      this.warnings.push(clean);
      this.sink?.warning(clean);
    } else {
      if (level === 'ERROR') this.errors.push(clean);
      this.sink?.log(level, clean, timestamp, final);
    }
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

  /** Flushes the log file to disk. Call before the process exits. */
  async close(): Promise<void> {
    const transport = this.fileTransport;
    const logger = this.logger;
    await new Promise<void>((resolve) => {
      if (!transport || !logger) {
        logger?.end();
        resolve();
        return;
      }
      transport.once('finish', () => resolve());
      logger.end();
    });
    if (this.filePath) {
      try {
        const fd = fs.openSync(this.filePath, 'r+');
        fs.fsyncSync(fd);
        fs.closeSync(fd);
      } catch {
        /* the file may not exist if nothing was logged */
      }
    }
  }
}

interface RecentLine {
  level: LogLevel;
  message: string;
  timestamp: string;
}
