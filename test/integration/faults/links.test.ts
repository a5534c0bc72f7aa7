import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readZip } from '../../helpers/zip-reader';
import { readServiceRecord } from '../../../src/sim/service-control';
import {
  assertFailed,
  assertUnharmed,
  createFaultHost,
  destroyFaultHost,
  eventNames,
  prepare,
  runCli,
  tail,
  type FaultHost,
} from './fault-harness';

/**
 * Links, junctions and other file types in copied folders (RELIABILITY.md
 * promise 11, every file or none): a link that can be followed is archived
 * by content and noted in the manifest; one that cannot (dangling, a loop)
 * and anything that is not a plain file or folder fail the run with exit 4,
 * naming it, before the service is touched and before anything is published.
 */
describe('links and special files in copied folders', () => {
  let h: FaultHost;
  before(async () => {
    h = await createFaultHost([], { fullBackup: false });
  });
  after(() => destroyFaultHost(h));

  const keys = () => path.join(h.root, 'ProgramData', 'Alteryx', 'Keys');
  const outside = () => path.join(h.root, 'elsewhere');

  /** Runs `fn` with `name` in Keys replaced or added, and restores Keys afterwards. */
  async function withKeysChange(setup: () => void, undo: () => void, fn: () => Promise<void>): Promise<void> {
    setup();
    try {
      await fn();
    } finally {
      undo();
    }
  }

  test('a symlinked key file and a symlinked folder in Keys: archived by content, noted in the manifest (LinkTarget), exit 0', async () => {
    const b = await prepare(h);
    const key = path.join(keys(), 'StorageKeys.dat');
    const original = fs.readFileSync(key);
    const target = path.join(outside(), 'StorageKeys.real.dat');
    const extraDir = path.join(outside(), 'extra-keys');
    await withKeysChange(
      () => {
        fs.mkdirSync(extraDir, { recursive: true });
        fs.writeFileSync(target, original);
        fs.writeFileSync(path.join(extraDir, 'more.key'), 'more key bytes');
        fs.rmSync(key);
        fs.symlinkSync(target, key);
        fs.symlinkSync(extraDir, path.join(keys(), 'linked-folder'));
      },
      () => {
        fs.rmSync(key, { force: true });
        fs.writeFileSync(key, original);
        fs.rmSync(path.join(keys(), 'linked-folder'), { force: true });
      },
      async () => {
        const r = await runCli('Invoke-AlteryxBackup', { configPath: h.configPath, parameters: { BackupMode: 'ConfigOnly' } });
        assert.equal(r.exitCode, 0, tail(r));
        const zip = await readZip(r.result!.data.ArchivePath);
        const keyEntry = [...zip.keys()].find((n) => n.endsWith('/Keys/StorageKeys.dat'));
        assert.ok(keyEntry, `the symlinked key file is in the archive: ${[...zip.keys()].join(', ')}`);
        assert.deepEqual(zip.get(keyEntry!), original, 'archived by content, not as a link');
        const moreEntry = [...zip.keys()].find((n) => n.endsWith('/Keys/linked-folder/more.key'));
        assert.ok(moreEntry, 'a file inside a symlinked folder is archived');
        assert.equal(zip.get(moreEntry!)!.toString(), 'more key bytes');
        assert.equal([...zip.keys()].filter((n) => /\/Keys\/[^/]+$/.test(n) && !n.endsWith('/')).length, 5, 'all 5 key files');
        const manifest = JSON.parse(zip.get('BackupManifest.json')!.toString('utf8'));
        const files = manifest.BackedUpFiles as Array<{ FilePath: string; LinkTarget?: string }>;
        assert.equal(files.find((f) => f.FilePath === key)?.LinkTarget, fs.realpathSync(target));
        assert.equal(files.find((f) => f.FilePath.endsWith('more.key'))?.LinkTarget, fs.realpathSync(path.join(extraDir, 'more.key')));
        assert.equal(files.find((f) => f.FilePath.endsWith('MachineKey.xml'))?.LinkTarget, undefined, 'plain files carry no LinkTarget');
        const name = path.basename(r.result!.data.ArchivePath);
        await assertUnharmed(h, b, { allowNew: [name, `${name}.sha256`] });
      },
    );
  });

  const broken: Array<{ what: string; make: (p: string) => void; message: RegExp }> = [
    { what: 'a dangling link', make: (p) => fs.symlinkSync(path.join(outside(), 'no-such-key.bin'), p), message: /dangling link/ },
    { what: 'a link loop (a folder link to its own parent)', make: (p) => fs.symlinkSync(keys(), p), message: /loop/ },
    { what: 'a named pipe', make: (p) => execFileSync('mkfifo', [p]), message: /named pipe/ },
  ];
  for (const c of broken) {
    test(`${c.what} in Keys: exit 4 naming the file, the service never stopped, nothing published`, async () => {
      const b = await prepare(h);
      const bad = path.join(keys(), 'Bad.key');
      await withKeysChange(
        () => c.make(bad),
        () => fs.rmSync(bad, { force: true }),
        async () => {
          const r = await runCli('Invoke-AlteryxBackup', { configPath: h.configPath, parameters: { BackupMode: 'Full' } });
          assert.equal(r.exitCode, 4, tail(r));
          assert.equal(r.result!.exitCode, 4);
          assert.ok(r.result!.error!.message.includes(bad), `names the file: ${r.result!.error!.message}`);
          assert.match(r.result!.error!.message, c.message);
          assert.ok(!eventNames(b, h.root).includes('stop-requested'), 'found before the service was touched');
          assert.equal(readServiceRecord(h.root).state, 'Running');
        },
      );
      await assertUnharmed(h, b);
    });
  }

  test('Backup-CriticalFiles on its own (no preflight): a dangling link fails with exit 4 FILE_NOT_COPYABLE', async () => {
    const bad = path.join(keys(), 'Bad.key');
    const dest = path.join(h.root, 'critical-out');
    await withKeysChange(
      () => fs.symlinkSync(path.join(outside(), 'gone.bin'), bad),
      () => fs.rmSync(bad, { force: true }),
      async () => {
        const r = await runCli('Backup-CriticalFiles', { configPath: h.configPath, parameters: { DestinationPath: dest, BackupMode: 'ConfigOnly' } });
        assertFailed(r, 4, 'FILE_NOT_COPYABLE');
        assert.ok(r.result!.error!.message.includes(bad));
      },
    );
    fs.rmSync(dest, { recursive: true, force: true });
  });
});
