/**
 * The outside world, behind small interfaces. There is a Windows
 * implementation (sc.exe, tasklist, CIM) and a simulated-host implementation
 * used by the tests and the demo. Nothing above this layer knows which.
 */

export type ServiceState =
  | 'Running'
  | 'Stopped'
  | 'StopPending'
  | 'StartPending'
  | 'Paused'
  | 'PausePending'
  | 'ContinuePending'
  | 'NotFound';

export type ServiceStartType = 'Automatic' | 'Manual' | 'Disabled' | 'Unknown';

export interface ServiceStatus {
  state: ServiceState;
  startType: ServiceStartType;
}

/** `host` undefined means this machine. Remote hosts are other Alteryx nodes. */
export interface ServiceManager {
  query(serviceName: string, host?: string): Promise<ServiceStatus>;
  /** Sends the start control; does not wait for Running. */
  start(serviceName: string, host?: string): Promise<void>;
  /** Sends the stop control; does not wait for Stopped. */
  stop(serviceName: string, host?: string): Promise<void>;
  /** The service's Log On account (Win32_Service.StartName), never a password. */
  logOnAccount(serviceName: string, host?: string): Promise<string | undefined>;
  /**
   * Ends the service's own process and its children, for a service hung in
   * StopPending. Returns once the kill was sent.
   */
  endServiceProcessTree?(serviceName: string, host?: string): Promise<void>;
}

export interface ProcessInfo {
  pid: number;
  name: string;
}

export interface ProcessList {
  /** Processes whose image name (without .exe) equals `imageName`, case-insensitive. */
  find(imageName: string, host?: string): Promise<ProcessInfo[]>;
  kill(pid: number, host?: string): Promise<void>;
}

export interface CommandResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  cwd?: string;
  /** Called with the child's PID as soon as it exists (the dump's PID goes into the state marker). */
  onSpawn?: (pid: number) => void;
}

export interface Platform {
  readonly kind: 'Windows' | 'Simulated';
  readonly services: ServiceManager;
  readonly processes: ProcessList;
  /** Full path of AlteryxService.exe (or the simulated stand-in). */
  alteryxServiceExecutable(): string;
  /**
   * The AlteryxService.exe image whose version resource gives the Server
   * version when `getversion` fails (src/platform/pe-version.ts). Windows: the
   * executable itself; the simulated host: its `bin/AlteryxService.exe`
   * image (the runnable stand-in is a script). Absent: alteryxServiceExecutable().
   */
  alteryxServiceImage?(): string;
  hostname(): string;
  osVersion(): string;
  currentUser(): string;
  /** Free bytes on the volume that holds `path` (which must exist). */
  freeBytes(path: string): Promise<number>;
  /**
   * Whether the account running the backup is a local administrator, when the
   * platform can tell (the simulated host: its `notAdministrator` fault).
   * Undefined: ask the caller (on Windows the PowerShell layer checks the token).
   */
  isAdministrator?(): Promise<boolean | undefined>;
  /** The raw output of `netsh http show sslcert` (TLS bindings of HTTP.sys), for the manifest's metadata. */
  httpSslBindings?(): Promise<string>;
}
