/**
 * A stand-in executor for the interrupt test: installs the handlers, waits
 * (abortably) for "work", and on abort runs a non-abortable "restore" that
 * takes a while, then reports and exits. Prints one line per step.
 */
import { installInterruptHandlers } from '../../../src/service/interrupt';
import { delay } from '../../../src/service/wait';

async function main(): Promise<void> {
  const guard = installInterruptHandlers({ log: { debug() {}, info() {}, success() {}, error() {}, warn: (m) => process.stdout.write(`warn ${m}\n`) } });
  process.stdout.write('ready\n');
  try {
    await delay(30_000, guard.signal);
    process.stdout.write('finished-work\n');
  } catch (err) {
    process.stdout.write(`cancelled ${(err as Error).name} ${(err as { code?: string }).code}\n`);
  } finally {
    process.stdout.write('restoring\n');
    await delay(Number(process.argv[2] ?? '400')); // not abortable
    process.stdout.write(`restored after ${guard.count} signal(s)\n`);
    guard.dispose();
  }
}
void main();
