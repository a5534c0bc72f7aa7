import * as fs from 'node:fs';
import * as path from 'node:path';
import { hostPaths, writeJsonAtomic } from './host-layout';

/**
 * Finding the simulated host's real processes. On Linux, /proc tells us each
 * process's command line and environment; every simulated process carries
 * ALTERYX_SIM_ROOT in its environment, and engine processes also carry
 * `--host-root <root>` on their command line.
 */

export const ENGINE_MARKER = 'AlteryxEngineCmd';

export function isPidAlive(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie still answers kill(0); it is not running anything.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
  } catch {
    /* no /proc: trust kill(0) */
  }
  return true;
}

export function procArgv(pid: number): string[] | undefined {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (raw === '') return undefined;
    return raw.split('\0').filter((s, i, a) => !(i === a.length - 1 && s === ''));
  } catch {
    return undefined;
  }
}

export function procEnvValue(pid: number, name: string): string | undefined {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
    const prefix = `${name}=`;
    for (const entry of raw.split('\0')) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  } catch {
    /* gone, or not ours */
  }
  return undefined;
}

export function allPids(): number[] {
  try {
    return fs
      .readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .filter((p) => p !== process.pid);
  } catch {
    return [];
  }
}

function argValue(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** True if `child` is `root` or inside it (path-segment aware: /a/sim1 is not inside /a/sim). */
export function isSameOrInside(child: string, root: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function isEngineArgv(argv: string[]): boolean {
  const first = path.basename(argv[0] ?? '').replace(/\.exe$/i, '');
  return first.toLowerCase() === ENGINE_MARKER.toLowerCase() || argv.some((a) => /alteryx-engine-cmd\.js$/.test(a));
}

/** Engine (workflow) processes of exactly this host: nodes under it are other hosts. */
export function findEngineProcesses(hostRoot: string): { pid: number; argv: string[] }[] {
  const root = path.resolve(hostRoot);
  const found: { pid: number; argv: string[] }[] = [];
  for (const pid of allPids()) {
    const argv = procArgv(pid);
    if (!argv || !isEngineArgv(argv)) continue;
    const hr = argValue(argv, '--host-root');
    if (hr && path.resolve(hr) === root && isPidAlive(pid)) found.push({ pid, argv });
  }
  return found;
}

/** Service processes (service-daemon.js) of exactly this host. */
export function findDaemonProcesses(hostRoot: string): number[] {
  const root = path.resolve(hostRoot);
  return allPids().filter((pid) => {
    const argv = procArgv(pid);
    return !!argv && argv.some((a) => a.endsWith('service-daemon.js')) && argv.includes(root) && isPidAlive(pid);
  });
}

/** Every process started by this host or any node under it (daemons, engines, dumps). */
export function findAllSimProcesses(hostRoot: string): number[] {
  const root = path.resolve(hostRoot);
  const found: number[] = [];
  for (const pid of allPids()) {
    const simRoot = procEnvValue(pid, 'ALTERYX_SIM_ROOT');
    if (simRoot && isSameOrInside(simRoot, root)) {
      found.push(pid);
      continue;
    }
    const argv = procArgv(pid);
    const hr = argv && argValue(argv, '--host-root');
    if (hr && isSameOrInside(hr, root)) found.push(pid);
  }
  return found;
}

export function killPid(pid: number, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Kills every process of the host and of every node under it (service
 * processes, workflows, hanging dumps) and marks each service Stopped.
 * Returns how many processes it killed. Safe to call on a host that is
 * already stopped.
 */
export function destroyHost(hostRoot: string): number {
  const root = path.resolve(hostRoot);
  if (!fs.existsSync(root)) return 0;
  // Matching is by path prefix, so a wrong folder (say '/') would kill every simulated host on the machine.
  if (!fs.existsSync(hostPaths(root).hostJson)) throw new Error(`${root} is not a simulated Alteryx host (no sim/host.json); nothing was killed.`);
  let killed = 0;
  for (let round = 0; round < 5; round++) {
    const pids = findAllSimProcesses(root);
    if (pids.length === 0) break;
    for (const pid of pids) if (killPid(pid)) killed++;
    const deadline = Date.now() + 1000;
    while (pids.some((p) => isPidAlive(p)) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  const roots = [root];
  const nodesDir = hostPaths(root).nodesDir;
  if (fs.existsSync(nodesDir)) for (const n of fs.readdirSync(nodesDir)) roots.push(path.join(nodesDir, n));
  for (const r of roots) {
    const p = hostPaths(r);
    if (fs.existsSync(p.simDir)) writeJsonAtomic(p.serviceJson, { state: 'Stopped', updatedAt: Date.now() });
  }
  return killed;
}
