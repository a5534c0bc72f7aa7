/**
 * A stand-in for the backup executor, run as its own node process so tests
 * can Ctrl+C it or kill it outright. It does what the real executor does
 * with the service layer: interrupt handlers → lock → repair → session.stop()
 * → "dump" (an abortable wait) → session.restore() in finally → release.
 * Prints one line per step on stdout.
 * Usage: run-child.js <configJsonPath> <hostRoot>
 */
import * as fs from 'node:fs';
import type { BackupConfigFile } from '../../../src/config/config-types';
import { toBackupError } from '../../../src/core/errors';
import { SimulatedPlatform } from '../../../src/platform/simulated/simulated-platform';
import { installInterruptHandlers } from '../../../src/service/interrupt';
import { acquireRunLock } from '../../../src/service/run-lock';
import { ServiceSession } from '../../../src/service/service-session';
import { repairFromMarker } from '../../../src/service/state-marker';
import { delay } from '../../../src/service/wait';

const say = (s: string) => process.stdout.write(s + '\n');
const log = { debug() {}, info() {}, success() {}, warn: (m: string) => say(`warn ${m}`), error: (m: string) => say(`error ${m}`) };

async function main(): Promise<number> {
  const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as BackupConfigFile;
  const platform = new SimulatedPlatform(process.argv[3]);
  const interrupt = installInterruptHandlers({ log });
  let lock;
  try {
    lock = await acquireRunLock(config.BackupConfiguration.TempDirectory, { log, command: 'run-child' });
  } catch (err) {
    const e = toBackupError(err);
    say(`failed ${e.code} ${e.exitCode}`);
    return e.exitCode;
  }
  const session = ServiceSession.fromConfig(platform, config, {
    log,
    runId: lock.runId,
    servicePollMs: 25,
    onEvent: (e) => say(`service ${e.event} ${e.host ?? ''}`),
  });
  try {
    await repairFromMarker(platform, config, log, { servicePollMs: 25 });
    await session.stop(interrupt.signal);
    say('dumping');
    await delay(60_000, interrupt.signal);
    return 0;
  } catch (err) {
    const e = toBackupError(err);
    say(`failed ${e.code} ${e.exitCode}`);
    return e.exitCode;
  } finally {
    say('restoring');
    await session.restore().catch((err: unknown) => say(`restore-failed ${String(err)}`));
    await lock.release();
    interrupt.dispose();
    say('done');
  }
}

main().then((code) => {
  process.exitCode = code;
});
