import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Platform, ProcessInfo, ProcessList, ServiceManager, ServiceStatus } from '../platform';
import { appendEvent, readEvents, SimEvent } from '../../sim/events';
import { hostPaths, HostInfo, readHostInfo } from '../../sim/host-layout';
import { killDaemonAndWorkflows, readServiceRecord } from '../../sim/service-control';
import { readFaults } from '../../sim/faults';
import { findEngineProcesses, isPidAlive } from '../../sim/sim-processes';

export { readEvents };
export type { SimEvent };

/** Events of the host and of every node under it, merged in time order (for multi-node ordering checks). */
export function readAllEvents(hostRoot: string): SimEvent[] {
  const root = path.resolve(hostRoot);
  const roots = [root];
  const nodesDir = hostPaths(root).nodesDir;
  if (fs.existsSync(nodesDir)) for (const n of fs.readdirSync(nodesDir).sort()) roots.push(path.join(nodesDir, n));
  return roots.flatMap((r) => readEvents(r)).sort((a, b) => a.ts - b.ts);
}

/**
 * The Platform for a simulated Alteryx host (see test/README.md). Service
 * controls go through the host's stand-in `AlteryxService start|stop`, like
 * an administrator would; state is read from the simulated service itself;
 * workflows are the host's real AlteryxEngineCmd processes.
 */
export class SimulatedPlatform implements Platform {
  readonly kind = 'Simulated' as const;
  readonly root: string;
  readonly services: ServiceManager;
  readonly processes: ProcessList;

  constructor(hostRoot: string) {
    this.root = path.resolve(hostRoot);
    readHostInfo(this.root); // fail early: not a simulated host
    this.services = new SimulatedServices(this);
    this.processes = new SimulatedProcesses(this);
  }

  private get info(): HostInfo {
    return readHostInfo(this.root);
  }

  /** The host root that `host` names: undefined or this host's own name = the local host; else nodes/<host>. */
  hostRootFor(host?: string): string {
    if (host === undefined || host === '' || host === '.' || host.toLowerCase() === 'localhost') return this.root;
    const info = this.info;
    if (host.toLowerCase() === info.hostname.toLowerCase()) return this.root;
    const nodesDir = hostPaths(this.root).nodesDir;
    const match = fs.existsSync(nodesDir) ? fs.readdirSync(nodesDir).find((n) => n.toLowerCase() === host.toLowerCase()) : undefined;
    if (!match || !fs.existsSync(hostPaths(path.join(nodesDir, match)).hostJson)) {
      throw new Error(`Unknown host '${host}': the simulated host at ${this.root} has no node of that name (nodes: ${info.nodes.map((n) => n.hostname).join(', ') || 'none'}).`);
    }
    return path.join(nodesDir, match);
  }

  alteryxServiceExecutable(): string {
    return this.alteryxServiceExecutableFor();
  }

  /** `bin/AlteryxService.exe`: a PE image with the host's version resource (src/sim/pe-version-image.ts). */
  alteryxServiceImage(): string {
    return hostPaths(this.root).alteryxServiceImage;
  }

  alteryxServiceExecutableFor(host?: string): string {
    const p = hostPaths(this.hostRootFor(host));
    return process.platform === 'win32' ? p.alteryxServiceCmd : p.alteryxServiceShim;
  }

  hostname(): string {
    return this.info.hostname;
  }

  osVersion(): string {
    return this.info.osVersion;
  }

  currentUser(): string {
    return 'NT AUTHORITY\\SYSTEM';
  }

  /** The simulated account is an administrator unless the host's `notAdministrator` fault says otherwise. */
  async isAdministrator(): Promise<boolean> {
    return readFaults(this.root).notAdministrator !== true;
  }

  /** `<host>/sim/netsh-sslcert.txt` when a test puts one there; else no bindings, as on a server without TLS. */
  async httpSslBindings(): Promise<string> {
    const f = path.join(this.root, 'sim', 'netsh-sslcert.txt');
    return fs.existsSync(f) ? fs.promises.readFile(f, 'utf8') : '\r\nSSL Certificate bindings:\r\n-------------------------\r\n\r\n';
  }

  async freeBytes(p: string): Promise<number> {
    const s = await fs.promises.statfs(p);
    return Number(s.bavail) * Number(s.bsize);
  }

  /** Runs the stand-in AlteryxService of a host with one argument, as the real one is run. */
  runAlteryxService(arg: string, host?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const file = this.alteryxServiceExecutableFor(host);
    return new Promise((resolve, reject) => {
      const child = spawn(file, [arg], { stdio: ['ignore', 'pipe', 'pipe'], shell: false, windowsHide: true });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }
}

class SimulatedServices implements ServiceManager {
  constructor(private readonly platform: SimulatedPlatform) {}

  async query(serviceName: string, host?: string): Promise<ServiceStatus> {
    const root = this.platform.hostRootFor(host);
    const info = readHostInfo(root);
    if (serviceName.toLowerCase() !== info.serviceName.toLowerCase()) return { state: 'NotFound', startType: 'Unknown' };
    const rec = readServiceRecord(root);
    return { state: rec.state, startType: rec.startType };
  }

  async start(serviceName: string, host?: string): Promise<void> {
    await this.control('start', serviceName, host);
  }

  async stop(serviceName: string, host?: string): Promise<void> {
    await this.control('stop', serviceName, host);
  }

  async logOnAccount(serviceName: string, host?: string): Promise<string | undefined> {
    const info = readHostInfo(this.platform.hostRootFor(host));
    return serviceName.toLowerCase() === info.serviceName.toLowerCase() ? info.logOnAccount : undefined;
  }

  /** Like `taskkill /PID <service pid> /T /F`: the service process and its workflows die; the state then reads Stopped. */
  async endServiceProcessTree(serviceName: string, host?: string): Promise<void> {
    const root = this.platform.hostRootFor(host);
    const info = readHostInfo(root);
    if (serviceName.toLowerCase() !== info.serviceName.toLowerCase()) throw new Error(`No service '${serviceName}' on ${info.hostname}.`);
    const rec = readServiceRecord(root);
    appendEvent(root, info.hostname, 'service-force-ended', { fromState: rec.state, daemonPid: rec.daemonPid ?? null });
    killDaemonAndWorkflows(root, 'service-force-ended');
  }

  private async control(command: 'start' | 'stop', serviceName: string, host?: string): Promise<void> {
    const root = this.platform.hostRootFor(host);
    const info = readHostInfo(root);
    if (serviceName.toLowerCase() !== info.serviceName.toLowerCase()) {
      throw new Error(`[SC] OpenService FAILED 1060: The specified service '${serviceName}' does not exist as an installed service on ${info.hostname}.`);
    }
    const r = await this.platform.runAlteryxService(command, host);
    if (r.code !== 0) {
      throw new Error(`AlteryxService ${command} on ${info.hostname} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
    }
  }
}

class SimulatedProcesses implements ProcessList {
  constructor(private readonly platform: SimulatedPlatform) {}

  async find(imageName: string, host?: string): Promise<ProcessInfo[]> {
    const root = this.platform.hostRootFor(host);
    if (imageName.replace(/\.exe$/i, '').toLowerCase() !== 'alteryxenginecmd') return [];
    return findEngineProcesses(root).map((p) => ({ pid: p.pid, name: 'AlteryxEngineCmd' }));
  }

  async kill(pid: number, host?: string): Promise<void> {
    const root = this.platform.hostRootFor(host);
    const ours = findEngineProcesses(root).some((p) => p.pid === pid);
    if (!ours) throw new Error(`No AlteryxEngineCmd process with PID ${pid} on ${readHostInfo(root).hostname}.`);
    process.kill(pid, 'SIGKILL');
    appendEvent(root, readHostInfo(root).hostname, 'workflow-killed', { workflowPid: pid, reason: 'platform.kill' });
    // Like taskkill /F, return once the process is gone.
    const deadline = Date.now() + 5000;
    while (isPidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }
}
