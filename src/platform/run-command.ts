import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { CommandResult, RunOptions } from './platform';

/**
 * Runs a program directly (never through a shell), collecting its output.
 * Arguments are passed as-is: `emongodump=C:\dir` stays one argument.
 * On timeout or abort the whole process is killed and `timedOut` is set;
 * the caller decides what that means.
 */
export function runCommand(file: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    // Cancelled before it began: never start the program (a dump would take the whole downtime).
    if (options.signal?.aborted) {
      resolve({ exitCode: null, signal: null, stdout: '', stderr: '', timedOut: true });
      return;
    }
    const child = spawn(file, args, {
      cwd: options.cwd,
      shell: false,
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group on POSIX, so a hang can be killed with its children.
      detached: process.platform !== 'win32',
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    let settled = false;

    const killTree = () => {
      if (child.pid === undefined) return;
      try {
        if (process.platform === 'win32') {
          // child.kill() would end only this process; its mongod/mongodump children would keep the
          // data files open. `taskkill /PID <pid> /T /F` ends the whole tree, forcefully
          // (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/taskkill).
          if (child.exitCode === null) {
            spawn(path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'taskkill.exe'), ['/PID', String(child.pid), '/T', '/F'], {
              shell: false,
              windowsHide: true,
              stdio: 'ignore',
            }).on('error', () => child.kill());
          }
        } else {
          // The whole process group, even after the leader has exited: a surviving child still holds the pipes.
          process.kill(-child.pid, 'SIGKILL');
        }
      } catch {
        /* already gone */
      }
    };
    const timer =
      options.timeoutMs && options.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            killTree();
          }, options.timeoutMs)
        : undefined;
    const onAbort = () => {
      timedOut = true;
      killTree();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    child.on('error', (err) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (exitCode, signal) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        exitCode,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
      });
    });
  });
}
