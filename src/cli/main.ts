#!/usr/bin/env node
// First: refuse a node older than the tested major version, before anything else runs.
import { refusedByNodeVersion } from './node-version-guard';
import { BackupError, CancelledError, ExitCode, ValidationError, toBackupError } from '../core/errors';
import { Redactor } from '../core/redact';
import { BackupLogger } from '../logging/logger';
import { CommandContext } from './command-context';
import { COMMAND_NAMES, loadCommand } from './command-registry';
import { JsonLineWriter } from './protocol';
import { parseRequest, readStdin } from './request';
import { installInterruptHandlers } from '../service/interrupt';
import { watchCaller } from './caller-watch';

/** A quiet stdout is probed this often for a reader that went away (see JsonLineWriter.keepAlive). */
const KEEPALIVE_IDLE_MS = 2000;

/**
 * The one node entry point: `node main.js <CommandName>`, the request as
 * JSON on stdin, JSON lines on stdout. This is the only place that sets
 * process.exitCode.
 */
async function main(): Promise<void> {
  const commandName = process.argv[2] ?? '';
  const redactor = new Redactor();
  // The caller's death (broken pipe, parent gone) cancels the run like Ctrl+C: the service is
  // restored and the log file goes on; only writes to the dead pipe stop (docs/bridge-protocol.md).
  let callerGone: (reason: string) => void = () => undefined;
  const sink = new JsonLineWriter(redactor, undefined, (err) => callerGone(`a write to stdout failed (${(err as NodeJS.ErrnoException).code ?? String(err)})`));
  const log = new BackupLogger(redactor, sink);
  const interrupts = installInterruptHandlers({ log });
  const caller = watchCaller({
    onGone: (reason) => {
      sink.stop();
      interrupts.cancel(`The caller is gone (${reason})`);
    },
  });
  callerGone = (reason) => caller.report(reason);
  const keepAlive = setInterval(() => sink.keepAlive(KEEPALIVE_IDLE_MS), KEEPALIVE_IDLE_MS / 2);
  keepAlive.unref();
  let exitCode: number = ExitCode.GeneralError;
  let resultCode: string | undefined;
  try {
    const handler = loadCommand(commandName);
    if (!handler) {
      throw new ValidationError(`Unknown command '${commandName}'. Known commands: ${[...COMMAND_NAMES].sort().join(', ')}.`, 'UNKNOWN_COMMAND', {
        category: 'InvalidArgument',
      });
    }
    let requestText: string;
    try {
      requestText = await readStdin();
    } catch (err) {
      caller.report(`reading the request from stdin failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      throw new CancelledError('The caller went away before the request was read whole; nothing was done.', { category: 'OperationStopped' });
    }
    const request = parseRequest(requestText, commandName);
    const ctx = new CommandContext(request, sink, redactor, log, interrupts.signal);
    const outcome = await handler(ctx);
    if (outcome.error) {
      exitCode = outcome.error.exitCode;
      resultCode = outcome.error.code;
      sink.result(exitCode, outcome.data, errorPayload(outcome.error, redactor));
    } else {
      exitCode = ExitCode.Success;
      sink.result(exitCode, outcome.data);
    }
  } catch (err) {
    const e = toBackupError(err);
    exitCode = e.exitCode;
    resultCode = e.code;
    if (e.exitCode === ExitCode.GeneralError && !(err instanceof BackupError) && err instanceof Error && err.stack) {
      log.debug(err.stack);
    }
    log.error(e.message, { final: true });
    sink.result(exitCode, null, errorPayload(e, redactor));
  } finally {
    if (caller.gone) {
      // The result line went nowhere: the log file is the only record of how the run ended.
      log.info(`Result: exit code ${exitCode}${resultCode ? ` (${resultCode})` : ''}. ${caller.reason ? `The caller is gone (${caller.reason}), so` : 'The caller is gone, so'} this log is the only record of it.`);
    }
    clearInterval(keepAlive);
    caller.dispose();
    interrupts.dispose();
    await log.close();
  }
  process.exitCode = exitCode;
}

function errorPayload(e: BackupError, redactor: Redactor) {
  return { code: e.code, message: redactor.text(e.message), category: e.category, details: e.details.map((d) => redactor.text(d)) };
}

if (!refusedByNodeVersion) void main();
