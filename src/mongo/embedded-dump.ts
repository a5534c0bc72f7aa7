import { promises as fs } from 'node:fs';
import { CancelledError, MongoDBError } from '../core/errors';
import type { CommandResult } from '../platform/platform';
import { waitForDataFolderRelease } from './data-folder-lock';
import { runCommand } from '../platform/run-command';
import type { DumpLogger } from './dump-logger';

/**
 * The embedded MongoDB is dumped by Alteryx itself:
 * `AlteryxService.exe emongodump=<dir>`, one argument, no shell. Its exit
 * code alone is not trustworthy, so the output text is checked too, and
 * the caller verifies the dump folder afterwards.
 */

const FAILURE_TEXT = /EMongoDump failed|Mongodump failed/i;

/** Pure: why a finished dump command counts as failed, or undefined. `what` names the command in the message. */
export function dumpCommandFailure(result: CommandResult, what: string, timeoutSeconds: number): string | undefined {
  if (result.timedOut) return `${what} did not finish within ${timeoutSeconds} s (DumpTimeoutSeconds) and was killed`;
  const text = `${result.stdout}\n${result.stderr}`;
  const failureLine = text.split(/\r?\n/).find((l) => FAILURE_TEXT.test(l));
  if (failureLine) return `${what} reported a failure${result.exitCode === 0 ? ' (despite exit code 0)' : ''}: ${failureLine.trim()}`;
  if (result.exitCode !== 0) {
    return result.signal ? `${what} was terminated by ${result.signal}` : `${what} exited with code ${result.exitCode}`;
  }
  return undefined;
}

/** Last lines of output, for error details: enough to diagnose, bounded in size. */
export function outputTail(result: CommandResult, lines = 20): string[] {
  return `${result.stdout}\n${result.stderr}`
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .slice(-lines);
}

export interface EmbeddedDumpOptions {
  /** AlteryxService.exe (or the simulated stand-in). */
  executable: string;
  outDir: string;
  timeoutSeconds: number;
  log: DumpLogger;
  signal?: AbortSignal;
  onSpawn?: (pid: number) => void;
  /**
   * The embedded data folder. After the command ends, whatever its outcome,
   * wait until no process (an orphaned mongod) still holds it, so the
   * restart that follows can open it.
   */
  dataDir?: string;
}

export interface DumpCommandOutcome {
  command: string;
  exitCode: number | null;
  durationSeconds: number;
}

export async function runEmbeddedDump(o: EmbeddedDumpOptions): Promise<DumpCommandOutcome> {
  const arg = `emongodump=${o.outDir}`;
  const what = 'AlteryxService emongodump';
  await fs.mkdir(o.outDir, { recursive: true });
  o.log.info(`Dumping the embedded MongoDB: ${o.executable} ${arg}`);
  const started = Date.now();
  let result: CommandResult;
  try {
    result = await runCommand(o.executable, [arg], { timeoutMs: o.timeoutSeconds * 1000, signal: o.signal, onSpawn: o.onSpawn });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new MongoDBError(`${what} could not be started (${code}): ${o.executable}`, 'EMONGODUMP_FAILED', { cause: err });
  }
  // runCommand already ended the whole process tree on a timeout or cancel; make sure nothing still holds the data.
  if (o.dataDir) await waitForDataFolderRelease(o.dataDir, o.log);
  if (o.signal?.aborted) throw new CancelledError(`${what} was cancelled`);
  for (const line of outputTail(result, 200)) o.log.debug(`emongodump: ${line}`);
  const failure = dumpCommandFailure(result, what, o.timeoutSeconds);
  if (failure) {
    throw new MongoDBError(failure, result.timedOut ? 'EMONGODUMP_TIMEOUT' : 'EMONGODUMP_FAILED', {
      details: outputTail(result),
      category: result.timedOut ? 'OperationTimeout' : undefined,
    });
  }
  return { command: `AlteryxService.exe ${arg}`, exitCode: result.exitCode, durationSeconds: (Date.now() - started) / 1000 };
}

export interface EmbeddedMongoPasswords {
  /** Secrets: the caller must register them with its redactor before logging anything. */
  admin: string;
  nonAdmin: string;
}

/** Pure: the two lines `Admin: <pw>` and `Non-Admin: <pw>` printed by `getemongopassword`. */
export function parseEmongoPasswordOutput(output: string): EmbeddedMongoPasswords | undefined {
  const admin = /^\s*Admin:[ \t]*(\S.*?)\s*$/m.exec(output);
  const nonAdmin = /^\s*Non-Admin:[ \t]*(\S.*?)\s*$/m.exec(output);
  if (!admin || !nonAdmin) return undefined;
  return { admin: admin[1], nonAdmin: nonAdmin[1] };
}

/** Runs `AlteryxService.exe getemongopassword`. Errors never include the output: it may hold a password. */
export async function readEmbeddedMongoPasswords(executable: string, options: { timeoutSeconds?: number; signal?: AbortSignal } = {}): Promise<EmbeddedMongoPasswords> {
  const result = await runCommand(executable, ['getemongopassword'], { timeoutMs: (options.timeoutSeconds ?? 120) * 1000, signal: options.signal });
  const parsed = result.exitCode === 0 && !result.timedOut ? parseEmongoPasswordOutput(result.stdout) : undefined;
  if (!parsed) {
    throw new MongoDBError(
      `AlteryxService getemongopassword failed (${result.timedOut ? 'timed out' : `exit code ${result.exitCode}`}); expected 'Admin:' and 'Non-Admin:' lines`,
      'EMONGO_PASSWORD_EXPORT_FAILED',
    );
  }
  return parsed;
}
