import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCommand } from '../platform/run-command';

/**
 * Who a process is, beyond its PID: PIDs are reused, so a repair that runs
 * hours after a crash must not end "the orphaned dump" by PID alone
 * (RELIABILITY.md promise 4). A process is ours only if PID, start time and
 * image name all match what the run recorded.
 */
export interface ProcessIdentity {
  pid: number;
  /**
   * When the process started, in a form that only compares equal for the same
   * process: Linux `linux:<boot id>:<starttime in clock ticks since boot>`;
   * Windows `windows:<creation time, ISO 8601 UTC>`.
   */
  startTime: string;
  /** The executable's file name (`node`, `AlteryxService.exe`, `mongodump.exe`). */
  image: string;
}

/** The identity of a live process, or undefined if it is gone or cannot be read here. */
export async function readProcessIdentity(pid: number, platform: NodeJS.Platform = process.platform): Promise<ProcessIdentity | undefined> {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (platform === 'linux') return readLinuxIdentity(pid);
  if (platform === 'win32') return readWindowsIdentity(pid);
  return undefined;
}

const SHELLS = new Set(['sh', 'dash', 'bash']);

/**
 * The identity of a process just spawned, once its image has settled: a
 * `#!/bin/sh` script that `exec`s its program (the simulated host's stand-ins
 * are such shims) shows the shell as its image for a moment, and the image
 * the repair sees later is the program's.
 */
export async function readSettledIdentity(pid: number, timeoutMs = 2000): Promise<ProcessIdentity | undefined> {
  const deadline = Date.now() + timeoutMs;
  let id = await readProcessIdentity(pid);
  while (id && SHELLS.has(id.image) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    id = (await readProcessIdentity(pid)) ?? id;
  }
  return id;
}

export function sameIdentity(recorded: ProcessIdentity, now: ProcessIdentity): boolean {
  return recorded.pid === now.pid && recorded.startTime === now.startTime && recorded.image.toLowerCase() === now.image.toLowerCase();
}

// ---------- Linux (the simulated host) ----------

/**
 * Field 22 of /proc/<pid>/stat is `starttime`, "the time the process started
 * after system boot", in clock ticks (proc(5),
 * https://man7.org/linux/man-pages/man5/proc.5.html). Ticks since boot repeat
 * after a reboot, so the boot id (/proc/sys/kernel/random/boot_id, random per
 * boot) is part of the value.
 */
export function parseProcStatStartTime(stat: string): string | undefined {
  // Field 2, the command name, is in parentheses and may contain spaces or ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const start = fields[19];
  return start && /^\d+$/.test(start) ? start : undefined;
}

function readLinuxIdentity(pid: number): ProcessIdentity | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const start = parseProcStatStartTime(stat);
    if (!start) return undefined;
    const bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    let image: string;
    try {
      image = path.basename(fs.readlinkSync(`/proc/${pid}/exe`));
    } catch {
      // Another user's process: exe is not readable, comm is.
      image = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    }
    return { pid, startTime: `linux:${bootId}:${start}`, image };
  } catch {
    return undefined;
  }
}

// ---------- Windows ----------

/**
 * `Key=Value` lines, as `wmic ... get <props> /format:list` prints them and as
 * the CIM query below prints them; blank lines and CRs are ignored
 * (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/wmic).
 */
export function parseWmiList(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n|\r/)) {
    const line = raw.trim();
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

/**
 * A CIM DATETIME, `yyyymmddHHMMSS.mmmmmmsUUU` where `sUUU` is the offset from
 * UTC in minutes (https://learn.microsoft.com/en-us/windows/win32/wmisdk/cim-datetime),
 * e.g. `20261127140512.123456+060`. Returns undefined for anything else.
 */
export function parseCimDateTime(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.(\d{6})([+-])(\d{3})$/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, micro, sign, off] = m;
  const utc = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Math.floor(+micro / 1000));
  const offsetMinutes = (sign === '-' ? -1 : 1) * +off;
  const date = new Date(utc - offsetMinutes * 60_000);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Identity from `Name=` and `CreationDate=` lines (see parseWmiList), or undefined if either is missing or malformed. */
export function identityFromWmiList(pid: number, text: string): ProcessIdentity | undefined {
  const f = parseWmiList(text);
  const created = f.CreationDate ? parseCimDateTime(f.CreationDate) : undefined;
  if (!created || !f.Name) return undefined;
  return { pid, startTime: `windows:${created.toISOString()}`, image: f.Name };
}

/**
 * Win32_Process through CIM (Get-CimInstance), printed in the wmic list
 * format with the creation time as a CIM DATETIME in UTC, so one parser
 * reads both; `wmic` (deprecated, absent on new Windows) is the fallback.
 */
async function readWindowsIdentity(pid: number): Promise<ProcessIdentity | undefined> {
  const script =
    `$p = Get-CimInstance -ClassName Win32_Process -Filter 'ProcessId=${pid}'; ` +
    `if ($p) { 'Name=' + $p.Name; 'CreationDate=' + $p.CreationDate.ToUniversalTime().ToString('yyyyMMddHHmmss.ffffff') + '+000' }`;
  try {
    const r = await runCommand('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], { timeoutMs: 30_000 });
    const id = identityFromWmiList(pid, r.stdout);
    if (id) return id;
  } catch {
    /* try wmic */
  }
  try {
    const r = await runCommand('wmic', ['process', 'where', `ProcessId=${pid}`, 'get', 'CreationDate,Name', '/format:list'], { timeoutMs: 30_000 });
    return identityFromWmiList(pid, r.stdout);
  } catch {
    return undefined;
  }
}
