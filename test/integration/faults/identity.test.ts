import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readServiceRecord, requestStop, waitFor } from '../../../src/sim/service-control';
import { isPidAlive } from '../../../src/sim/sim-processes';
import { readProcessIdentity } from '../../../src/service/process-identity';
import {
  assertFailed,
  assertUnharmed,
  createFaultHost,
  destroyFaultHost,
  logText,
  MARKER,
  prepare,
  runCli,
  tail,
  type FaultHost,
} from './fault-harness';

/**
 * A PID recorded in the state marker now belongs to another process
 * (RELIABILITY.md promise 4: a repair kills only a process it can prove is
 * ours: PID, start time and image name).
 */
describe('process identity before killing', () => {
  let h: FaultHost;
  let unrelated: ChildProcess | undefined;
  before(async () => {
    h = await createFaultHost([], { fullBackup: false });
  });
  after(() => {
    unrelated?.kill('SIGKILL');
    destroyFaultHost(h);
  });

  const dataDir = () => path.join(h.root, 'ProgramData', 'Alteryx', 'Service', 'Persistence', 'MongoDB');

  /** What a run killed during its dump leaves: the service Stopped by us, a marker naming the dump. */
  async function crashedRunLeaves(helper: Record<string, unknown>): Promise<void> {
    requestStop(h.root);
    await waitFor(h.root, (r) => r.state === 'Stopped');
    const now = new Date().toISOString();
    const marker = {
      version: 1,
      pid: 999_999_999, // the crashed run: no such process
      host: 'ALTERYX-SIM-01',
      startedAt: now,
      updatedAt: now,
      serviceName: h.config.AlteryxConfiguration.ServiceName,
      stoppedNodes: [{ hostname: 'ALTERYX-SIM-01', host: null, role: 'Controller' }],
      ...helper,
    };
    fs.writeFileSync(MARKER(h), JSON.stringify(marker));
  }

  /** An unrelated, long-lived process in its own process group: the "new owner" of a recycled PID. */
  function startUnrelated(): number {
    unrelated = spawn('sleep', ['120'], { detached: true, stdio: 'ignore' });
    return unrelated.pid!;
  }

  test('recycled PID: the marker\'s dump PID now belongs to an unrelated process; the next run leaves it alone, starts the service and succeeds', async () => {
    const b = await prepare(h);
    const pid = startUnrelated();
    const theirs = await readProcessIdentity(pid);
    assert.ok(theirs);
    // The dump the crashed run recorded: same PID, but another start time and image.
    await crashedRunLeaves({ helperPids: [pid], helpers: [{ pid, startTime: theirs!.startTime.replace(/:\d+$/, ':1'), image: 'node' }], dataDirectory: dataDir() });
    const next = await runCli('Invoke-AlteryxBackup', { configPath: h.configPath, parameters: { BackupMode: 'ConfigOnly' } });
    assert.equal(next.exitCode, 0, tail(next));
    assert.ok(isPidAlive(pid), 'the unrelated process with the recorded PID survived the repair');
    assert.match(logText(next), new RegExp(`PID ${pid} now belongs to another process \\(sleep`));
    assert.match(logText(next), /An earlier run had left the service stopped/);
    assert.ok(!fs.existsSync(MARKER(h)));
    const name = path.basename(next.result!.data.ArchivePath);
    await assertUnharmed(h, b, { allowNew: [name, `${name}.sha256`] });
    unrelated!.kill('SIGKILL');
  });

  test('identity cannot be proved (a marker with a bare PID) and the data folder is locked: nothing is killed, the service is not started, exit 3; once unlocked the repair starts it', async () => {
    const b = await prepare(h);
    const pid = startUnrelated();
    await crashedRunLeaves({ helperPids: [pid], dataDirectory: dataDir() });
    // As mongod leaves it while it runs: its PID in mongod.lock.
    fs.writeFileSync(path.join(dataDir(), 'mongod.lock'), `${pid}\n`);
    try {
      const rep = await runCli('Repair-AlteryxBackupState', { configPath: h.configPath });
      assertFailed(rep, 3, 'REPAIR_DATA_FOLDER_LOCKED');
      assert.match(rep.result!.error!.message, /data folder .* is locked/);
      assert.match(logText(rep), new RegExp(`PID ${pid} .*cannot be proved to be that process`));
      assert.ok(isPidAlive(pid), 'not killed on a PID alone');
      assert.equal(readServiceRecord(h.root).state, 'Stopped', 'not started while the data folder is locked');
      assert.ok(fs.existsSync(MARKER(h)), 'the marker is kept for the next repair');
      // A backup in the meantime refuses too, before stopping anything.
      const run = await runCli('Invoke-AlteryxBackup', { configPath: h.configPath, parameters: { BackupMode: 'ConfigOnly' } });
      assertFailed(run, 3, 'REPAIR_DATA_FOLDER_LOCKED');
    } finally {
      fs.writeFileSync(path.join(dataDir(), 'mongod.lock'), '');
    }
    const rep2 = await runCli('Repair-AlteryxBackupState', { configPath: h.configPath });
    assert.equal(rep2.exitCode, 0, tail(rep2));
    assert.equal(rep2.result!.data.outcome, 'repaired');
    assert.ok(isPidAlive(pid), 'still not killed: its identity was never proved');
    unrelated!.kill('SIGKILL');
    await assertUnharmed(h, b);
  });
});
