import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli-harness';
import { backup, createHost, destroyHost, diffSnapshots, restore, setFaults, snapshot, state, waitForState } from './restore-harness';

/**
 * A fault in every phase of a restore leaves the host as it was, byte for
 * byte (configuration, data, token), with the service Running.
 */

describe('restore faults: the host ends as it was, Running', { timeout: 900_000 }, () => {
  let A: { root: string; configPath: string };
  let B: { root: string; configPath: string };
  let archive: string;
  let before0: Map<string, string>;
  before(async () => {
    [A, B] = await Promise.all([createHost(['--seed', 'fault-a']), createHost(['--seed', 'fault-b', '--db-mb', '0.3'])]);
    archive = await backup(A.root, A.configPath, 'Full');
    before0 = snapshot(B.root);
  });
  after(() => {
    destroyHost(A?.root);
    destroyHost(B?.root);
  });
  beforeEach(() => setFaults(B.root, {}, true));

  async function assertUnchanged(): Promise<void> {
    assert.equal(await state(B.root), 'Running');
    assert.deepEqual(diffSnapshots(before0, snapshot(B.root)), []);
    assert.ok(!fs.existsSync(path.join(B.root, 'temp', 'AlteryxBackup.restore.json')), 'no restore marker left');
    assert.ok(!fs.existsSync(path.join(B.root, 'temp', 'AlteryxBackup.state.json')), 'no state marker left');
  }

  it('a corrupt archive: exit 4 before anything is touched', async () => {
    const bad = path.join(path.dirname(B.root), path.basename(archive));
    const bytes = fs.readFileSync(archive);
    bytes[Math.floor(bytes.length / 3)] ^= 0xff;
    fs.writeFileSync(bad, bytes);
    const r = await restore(B.root, B.configPath, bad);
    assert.equal(r.exitCode, 4, JSON.stringify(r.result?.error));
    assert.equal(r.result?.error?.code, 'ARCHIVE_CORRUPT');
    assert.ok(!r.lines.some((l) => l.type === 'service'), 'the service was never stopped');
    await assertUnchanged();
  });

  it('emongorestore fails (exit 1 after one collection): exit 5, rolled back', async () => {
    setFaults(B.root, { emongorestoreExitCode: 1 });
    const r = await restore(B.root, B.configPath, archive);
    assert.equal(r.exitCode, 5, JSON.stringify(r.result?.error));
    assert.equal(r.result?.error?.code, 'MONGORESTORE_FAILED');
    assert.equal(r.result?.data.Status, 'RolledBack');
    await assertUnchanged();
  });

  it('a partial restore reported only in mongoRestore.log (emongorestore exits 0): exit 5, rolled back', async () => {
    setFaults(B.root, { emongorestorePartial: true });
    const r = await restore(B.root, B.configPath, archive);
    assert.equal(r.exitCode, 5, JSON.stringify(r.result?.error));
    assert.equal(r.result?.error?.code, 'MONGORESTORE_INCOMPLETE');
    assert.match(r.result!.error!.message, /document\(s\) failed to restore/);
    assert.ok(r.result!.data.Collections.some((c: any) => c.Restored !== c.Expected));
    await assertUnchanged();
  });

  it('setserversecret fails: exit 5, files, data and token rolled back', async () => {
    setFaults(B.root, { setServerSecretFail: true });
    const r = await restore(B.root, B.configPath, archive);
    assert.equal(r.exitCode, 5, JSON.stringify(r.result?.error));
    assert.equal(r.result?.error?.code, 'SET_TOKEN_FAILED');
    setFaults(B.root, {}, true);
    await assertUnchanged();
  });

  it('Ctrl+C during the database restore: exit 1 (CANCELLED), rolled back', async () => {
    setFaults(B.root, { emongorestoreHang: true });
    let sent = false;
    const r = await restore(B.root, B.configPath, archive, {}, {
      onLine: (line, child) => {
        if (!sent && line.type === 'log' && String(line.message).startsWith('AlteryxService emongorestore=')) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 1500);
        }
      },
    });
    assert.ok(sent);
    assert.equal(r.exitCode, 1, JSON.stringify(r.result?.error));
    assert.equal(r.result?.error?.code, 'CANCELLED');
    assert.equal(r.result?.data.RolledBack, true);
    await assertUnchanged();
  });

  it('node killed (SIGKILL) during the database restore: Repair-AlteryxBackupState rolls back and starts the service', async () => {
    setFaults(B.root, { emongorestoreHang: true });
    let sent = false;
    const r = await restore(B.root, B.configPath, archive, {}, {
      onLine: (line, child) => {
        if (!sent && line.type === 'log' && String(line.message).startsWith('AlteryxService emongorestore=')) {
          sent = true;
          setTimeout(() => child.kill('SIGKILL'), 1500);
        }
      },
    });
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(await state(B.root), 'Stopped', 'left stopped, half restored');
    assert.ok(fs.existsSync(path.join(B.root, 'temp', 'AlteryxBackup.restore.json')));
    setFaults(B.root, {}, true);
    const rep = await runCli('Repair-AlteryxBackupState', { configPath: B.configPath, timeoutMs: 120_000 });
    assert.equal(rep.exitCode, 0, JSON.stringify(rep.result?.error));
    await waitForState(B.root, 'Running');
    await assertUnchanged();
  });
});
