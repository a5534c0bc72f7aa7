#!/usr/bin/env node
import { BackupError, ExitCode, ValidationError, toBackupError } from '../core/errors';
import { Redactor } from '../core/redact';
import { BackupLogger } from '../logging/logger';
import { CommandContext } from './command-context';
import { COMMANDS } from './commands';
import { JsonLineWriter } from './protocol';
import { parseRequest, readStdin } from './request';
import { installInterruptHandlers } from '../service/interrupt';

/**
 * The one node entry point: `node main.js <CommandName>`, the request as
 * JSON on stdin, JSON lines on stdout. This is the only place that sets
 * process.exitCode.
 */
async function main(): Promise<void> {
  const commandName = process.argv[2] ?? '';
  const redactor = new Redactor();
  const sink = new JsonLineWriter(redactor);
  const log = new BackupLogger(redactor, sink);
  const interrupts = installInterruptHandlers({ log });
  let exitCode: number = ExitCode.GeneralError;
  try {
    const handler = COMMANDS[commandName];
    if (!handler) {
      throw new ValidationError(`Unknown command '${commandName}'. Known commands: ${Object.keys(COMMANDS).sort().join(', ')}.`, 'UNKNOWN_COMMAND', {
        category: 'InvalidArgument',
      });
    }
    const request = parseRequest(await readStdin(), commandName);
    const ctx = new CommandContext(request, sink, redactor, log, interrupts.signal);
    const outcome = await handler(ctx);
    if (outcome.error) {
      exitCode = outcome.error.exitCode;
      sink.result(exitCode, outcome.data, errorPayload(outcome.error, redactor));
    } else {
      exitCode = ExitCode.Success;
      sink.result(exitCode, outcome.data);
    }
  } catch (err) {
    const e = toBackupError(err);
    exitCode = e.exitCode;
    if (e.exitCode === ExitCode.GeneralError && !(err instanceof BackupError) && err instanceof Error && err.stack) {
      log.debug(err.stack);
    }
    log.error(e.message, { final: true });
    sink.result(exitCode, null, errorPayload(e, redactor));
  } finally {
    interrupts.dispose();
    await log.close();
  }
  process.exitCode = exitCode;
}

function errorPayload(e: BackupError, redactor: Redactor) {
  return { code: e.code, message: redactor.text(e.message), category: e.category, details: e.details.map((d) => redactor.text(d)) };
}

void main();
