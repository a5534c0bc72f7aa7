import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { GeneralBackupError, ValidationError } from '../../core/errors';
import type { CommandResult, Platform, ProcessInfo, ProcessList, RunOptions, ServiceManager, ServiceStatus } from '../platform';
import { runCommand } from '../run-command';
import { parseScFailure, parseScQc, parseScQuery, ScParseError } from './sc-query-parser';
import { parseTasklistCsv } from './tasklist-parser';

/**
 * The real thing, on Windows: `sc.exe` (local, or `\\host` for other nodes —
 * Windows' own remote service control, no agent), `tasklist` and `taskkill`.
 * Deliberately thin: all the judgement lives in src/service, all the parsing
 * in the pure parsers next to this file.
 */

export type CommandRunner = (file: string, args: readonly string[], options?: RunOptions) => Promise<CommandResult>;

export interface WindowsPlatformOptions {
  /** Alteryx's install folder (AlteryxConfiguration.InstallPath). */
  installPath: string;
  /** Injected in unit tests to replay recorded outputs. */
  run?: CommandRunner;
  /** Default %SystemRoot%\System32. Full paths, so PATH cannot substitute another sc.exe. */
  system32?: string;
  /** Per command; a remote sc.exe or tasklist against a dead host can hang for a long time. Default 120 s. */
  commandTimeoutMs?: number;
}

/** Win32 errors that mean "the remote machine did not answer", worth retrying while waiting. */
const TRANSIENT_WIN32 = new Set([53, 1722, 1726, 1727, 1753, 1115, 121]);

/** A failed sc.exe/tasklist/taskkill call. `transient` tells a waiting loop it may query again. */
export class WindowsCommandError extends GeneralBackupError {
  constructor(
    message: string,
    code: string,
    readonly win32Code: number | undefined,
    readonly transient: boolean,
  ) {
    super(message, code, { category: transient ? 'ConnectionError' : 'NotSpecified' });
  }
}

function target(host: string | undefined): string {
  return host ? `\\\\${host}` : 'this machine';
}

function combined(r: CommandResult): string {
  return `${r.stdout}\n${r.stderr}`;
}

/** sc.exe's exit code is the Win32 error; the `[SC] ... FAILED n:` line says the same in any language. */
function scErrorCode(r: CommandResult): number | undefined {
  if (r.exitCode === 0) return undefined;
  const f = parseScFailure(combined(r));
  if (f) return f.code;
  return r.exitCode ?? undefined;
}

export function scError(what: string, host: string | undefined, r: CommandResult): Error {
  if (r.timedOut) {
    return new WindowsCommandError(`${what} on ${target(host)} did not answer in time.`, 'SC_TIMEOUT', undefined, true);
  }
  const f = parseScFailure(combined(r));
  const code = scErrorCode(r);
  const text = f?.message || combined(r).trim() || `exit code ${String(r.exitCode)}`;
  if (code === 5) {
    return new ValidationError(
      `${what} on ${target(host)}: access denied (${text}). Run as a local administrator${host ? ' who is also an administrator on that node' : ''}.`,
      'SERVICE_ACCESS_DENIED',
      { category: 'PermissionDenied' },
    );
  }
  if (code === 1058) {
    return new ValidationError(`${what} on ${target(host)}: the service is disabled (${text}).`, 'SERVICE_NOT_USABLE', {
      category: 'InvalidOperation',
    });
  }
  const transient = code !== undefined && TRANSIENT_WIN32.has(code);
  return new WindowsCommandError(`${what} on ${target(host)} failed with error ${String(code)}: ${text}`, `SC_FAILED_${String(code)}`, code, transient);
}

export class WindowsServiceManager implements ServiceManager {
  constructor(
    private readonly run: CommandRunner,
    private readonly sc: string,
    private readonly timeoutMs: number,
  ) {}

  private args(host: string | undefined, ...rest: string[]): string[] {
    return host ? [`\\\\${host}`, ...rest] : rest;
  }

  private exec(host: string | undefined, ...rest: string[]): Promise<CommandResult> {
    return this.run(this.sc, this.args(host, ...rest), { timeoutMs: this.timeoutMs });
  }

  async query(serviceName: string, host?: string): Promise<ServiceStatus> {
    const q = await this.exec(host, 'query', serviceName);
    const qCode = scErrorCode(q);
    if (qCode === 1060) return { state: 'NotFound', startType: 'Unknown' };
    if (qCode !== undefined || q.timedOut) throw scError(`sc.exe query ${serviceName}`, host, q);
    const state = parseOrThrow(() => parseScQuery(q.stdout).state);
    const c = await this.exec(host, 'qc', serviceName);
    const cCode = scErrorCode(c);
    if (cCode === 1060) return { state: 'NotFound', startType: 'Unknown' };
    if (cCode !== undefined || c.timedOut) throw scError(`sc.exe qc ${serviceName}`, host, c);
    const startType = parseOrThrow(() => parseScQc(c.stdout).startType);
    return { state, startType };
  }

  async start(serviceName: string, host?: string): Promise<void> {
    const r = await this.exec(host, 'start', serviceName);
    const code = scErrorCode(r);
    // 1056: already running — what we wanted.
    if ((code === undefined || code === 1056) && !r.timedOut) return;
    throw scError(`sc.exe start ${serviceName}`, host, r);
  }

  async stop(serviceName: string, host?: string): Promise<void> {
    const r = await this.exec(host, 'stop', serviceName);
    const code = scErrorCode(r);
    // 1062: not started — already what we wanted.
    if ((code === undefined || code === 1062) && !r.timedOut) return;
    throw scError(`sc.exe stop ${serviceName}`, host, r);
  }

  /**
   * The service's PID from `sc queryex <name>` (its `PID : n` line:
   * https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/sc-queryex),
   * then `taskkill [/S host] /PID n /T /F`, which ends it and its children
   * (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/taskkill).
   */
  async endServiceProcessTree(serviceName: string, host?: string): Promise<void> {
    const q = await this.exec(host, 'queryex', serviceName);
    const code = scErrorCode(q);
    if (code !== undefined || q.timedOut) throw scError(`sc.exe queryex ${serviceName}`, host, q);
    const pid = parseScQueryexPid(q.stdout);
    if (pid === undefined || pid === 0) return; // already gone
    const taskkill = path.win32.join(path.win32.dirname(this.sc), 'taskkill.exe');
    const r = await this.run(taskkill, [...(host ? ['/S', host] : []), '/PID', String(pid), '/T', '/F'], { timeoutMs: this.timeoutMs });
    // 128: the process is already gone (see test/fixtures/windows/taskkill-not-found.txt).
    if (r.exitCode !== 0 && r.exitCode !== 128) {
      throw new WindowsCommandError(`taskkill /PID ${pid} /T /F on ${target(host)} failed: ${combined(r).trim() || `exit code ${String(r.exitCode)}`}`, 'TASKKILL_FAILED', r.exitCode ?? undefined, false);
    }
  }

  async logOnAccount(serviceName: string, host?: string): Promise<string | undefined> {
    const c = await this.exec(host, 'qc', serviceName);
    const code = scErrorCode(c);
    if (code === 1060) return undefined;
    if (code !== undefined || c.timedOut) throw scError(`sc.exe qc ${serviceName}`, host, c);
    return parseOrThrow(() => parseScQc(c.stdout).startName);
  }
}

/** The `PID : 1234` line of `sc queryex`; undefined when there is none. */
export function parseScQueryexPid(stdout: string): number | undefined {
  const m = /^\s*PID\s*:\s*(\d+)\s*$/m.exec(stdout);
  return m ? Number(m[1]) : undefined;
}

function parseOrThrow<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ScParseError) {
      throw new WindowsCommandError(`Could not read sc.exe output: ${err.message} Output: ${err.output.trim().slice(0, 400)}`, 'SC_UNREADABLE', undefined, false);
    }
    throw err;
  }
}

export class WindowsProcessList implements ProcessList {
  constructor(
    private readonly run: CommandRunner,
    private readonly system32: string,
    private readonly timeoutMs: number,
  ) {}

  async find(imageName: string, host?: string): Promise<ProcessInfo[]> {
    const exe = /\.exe$/i.test(imageName) ? imageName : `${imageName}.exe`;
    const args = [...(host ? ['/S', host] : []), '/FO', 'CSV', '/NH', '/FI', `IMAGENAME eq ${exe}`];
    const r = await this.run(path.win32.join(this.system32, 'tasklist.exe'), args, { timeoutMs: this.timeoutMs });
    if (r.exitCode !== 0 || r.timedOut) {
      const text = combined(r).trim();
      throw new WindowsCommandError(
        `tasklist on ${target(host)} failed${r.timedOut ? ' (no answer in time)' : ''}: ${text || `exit code ${String(r.exitCode)}`}`,
        'TASKLIST_FAILED',
        undefined,
        r.timedOut || /RPC/i.test(text),
      );
    }
    const wanted = exe.replace(/\.exe$/i, '').toLowerCase();
    return parseTasklistCsv(r.stdout)
      .filter((p) => p.name.toLowerCase() === wanted)
      .map((p) => ({ pid: p.pid, name: p.name }));
  }

  async kill(pid: number, host?: string): Promise<void> {
    if (!Number.isInteger(pid) || pid <= 0) throw new GeneralBackupError(`Refusing to kill PID ${pid}.`, 'KILL_INVALID_PID');
    const args = [...(host ? ['/S', host] : []), '/PID', String(pid), '/F'];
    const r = await this.run(path.win32.join(this.system32, 'taskkill.exe'), args, { timeoutMs: this.timeoutMs });
    // 128: no such process — it finished on its own, which is fine.
    if ((r.exitCode === 0 || r.exitCode === 128) && !r.timedOut) return;
    throw new WindowsCommandError(
      `taskkill /PID ${pid} on ${target(host)} failed: ${combined(r).trim() || `exit code ${String(r.exitCode)}`}`,
      'TASKKILL_FAILED',
      undefined,
      r.timedOut,
    );
  }
}

export class WindowsPlatform implements Platform {
  readonly kind = 'Windows' as const;
  readonly services: WindowsServiceManager;
  readonly processes: WindowsProcessList;
  private readonly installPath: string;
  private readonly run: CommandRunner;
  private readonly system32: string;
  private readonly timeout: number;

  constructor(options: WindowsPlatformOptions) {
    const run = options.run ?? runCommand;
    const system32 = options.system32 ?? path.win32.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32');
    const timeout = options.commandTimeoutMs ?? 120_000;
    this.run = run;
    this.system32 = system32;
    this.timeout = timeout;
    this.installPath = options.installPath;
    this.services = new WindowsServiceManager(run, path.win32.join(system32, 'sc.exe'), timeout);
    this.processes = new WindowsProcessList(run, system32, timeout);
  }

  alteryxServiceExecutable(): string {
    return path.win32.join(this.installPath, 'bin', 'AlteryxService.exe');
  }

  alteryxServiceImage(): string {
    return this.alteryxServiceExecutable();
  }

  hostname(): string {
    return os.hostname();
  }

  osVersion(): string {
    // e.g. "Windows Server 2019 Standard 10.0.17763"
    return `${os.version()} ${os.release()}`.trim();
  }

  currentUser(): string {
    const name = os.userInfo().username;
    // A scheduled task as SYSTEM reports the machine account (HOST$) or SYSTEM.
    if (name.toUpperCase() === 'SYSTEM' || name.endsWith('$')) return 'NT AUTHORITY\\SYSTEM';
    const domain = process.env.USERDOMAIN;
    return domain ? `${domain}\\${name}` : name;
  }

  async freeBytes(p: string): Promise<number> {
    const s = await fs.statfs(p);
    return s.bavail * s.bsize;
  }

  /** `netsh http show sslcert` (https://learn.microsoft.com/en-us/windows-server/networking/technologies/netsh/netsh-http). */
  async httpSslBindings(): Promise<string> {
    const r = await this.run(path.win32.join(this.system32, 'netsh.exe'), ['http', 'show', 'sslcert'], { timeoutMs: this.timeout });
    if (r.exitCode !== 0 || r.timedOut) throw new Error(`netsh http show sslcert failed: ${(r.stderr || r.stdout).trim().slice(0, 300) || `exit code ${String(r.exitCode)}`}`);
    return r.stdout;
  }
}
