import { spawn, type ChildProcess } from 'node:child_process';
import type { ServiceLog } from '../../../src/service/service-types';

/** A logger that keeps every line, so tests can assert on warnings. */
export function memoryLog(): ServiceLog & { lines: string[]; warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  const at = (level: string) => (m: string) => {
    lines.push(`${level} ${m}`);
    if (level === 'WARNING') warnings.push(m);
  };
  return { lines, warnings, debug: at('DEBUG'), info: at('INFO'), warn: at('WARNING'), error: at('ERROR'), success: at('SUCCESS') };
}

/** The PID of a process that really existed and has exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const pid = child.pid!;
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return pid;
}

/** A live process of someone else, killed by the returned function. */
export function liveProcess(): { child: ChildProcess; pid: number; kill: () => Promise<void> } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  return {
    child,
    pid: child.pid!,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.on('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
