import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const CLI_MAIN = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

export interface CliLine {
  type: 'log' | 'progress' | 'warning' | 'service' | 'result';
  [key: string]: unknown;
}

export interface CliResult<T = any> {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  lines: CliLine[];
  result: { exitCode: number; data: T; error?: { code: string; message: string; category: string; details: string[] } } | undefined;
}

export interface CliOptions {
  configPath?: string;
  parameters?: Record<string, unknown>;
  secrets?: Record<string, string>;
  whatIf?: boolean;
  timeoutMs?: number;
  /** Run node under this command (e.g. `setpriv --bounding-set -dac_override`): for faults that need less privilege than the test. */
  prefix?: string[];
  /** Called for each JSON line as it arrives; may send a signal to the child. */
  onLine?: (line: CliLine, child: { kill: (sig: NodeJS.Signals) => void; pid: number | undefined }) => void;
}

/** Runs the node entry point the way the PowerShell bridge does: request on stdin, JSON lines back. */
export function runCli<T = any>(command: string, o: CliOptions = {}): Promise<CliResult<T>> {
  return new Promise((resolve, reject) => {
    const argv = [process.execPath, CLI_MAIN, command];
    const [file, ...args] = o.prefix && o.prefix.length > 0 ? [...o.prefix, ...argv] : argv;
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines: CliLine[] = [];
    let stdout = '';
    let stderr = '';
    let partial = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      partial += chunk;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const text = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        if (!text.trim()) continue;
        const line = JSON.parse(text) as CliLine;
        lines.push(line);
        o.onLine?.(line, { kill: (sig) => child.kill(sig), pid: child.pid });
      }
    });
    child.stderr.on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const result = lines.find((l) => l.type === 'result') as CliResult<T>['result'];
      resolve({ exitCode, signal, stdout, stderr, lines, result });
    });
    child.stdin.end(
      JSON.stringify({ command, configPath: o.configPath ?? '', parameters: o.parameters ?? {}, secrets: o.secrets ?? {}, whatIf: o.whatIf ?? false }),
    );
  });
}
