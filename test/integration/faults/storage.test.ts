import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import {
  assertFailed,
  assertNoNewOfficial,
  assertPreviousVerifies,
  assertServiceAsBefore,
  assertUnharmed,
  assertVerifies,
  backupDirs,
  configVariant,
  createFaultHost,
  destroyFaultHost,
  eventNames,
  isPhaseStart,
  logText,
  MARKER,
  prepare,
  runCli,
  runCliVia,
  stagingLeft,
  tail,
  type CliResult,
  type FaultHost,
} from './fault-harness';

/** Root ignores file modes; without these two capabilities the CLI sees "access denied" like any service account. */
const WITHOUT_DAC_OVERRIDE = ['setpriv', '--bounding-set', '-dac_override,-dac_read_search'];

function mount(args: string[]): string | undefined {
  const r = spawnSync('mount', args, { encoding: 'utf8' });
  return r.status === 0 ? undefined : `mount ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error?.message}`;
}

function umount(dir: string): void {
  spawnSync('umount', ['-l', dir]);
}

function canDropCapabilities(): string | undefined {
  const r = spawnSync(WITHOUT_DAC_OVERRIDE[0], [...WITHOUT_DAC_OVERRIDE.slice(1), 'true'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `setpriv cannot drop CAP_DAC_OVERRIDE here (${r.status}): ${r.stderr || r.error?.message}`;
}

describe('storage faults', () => {
  let h: FaultHost;
  const mounts: string[] = [];
  before(async () => {
    h = await createFaultHost();
  });
  after(() => {
    for (const m of mounts) umount(m);
    destroyFaultHost(h);
  });

  /** A fresh folder beside the host, outside its backup folders. */
  function sibling(name: string): string {
    const d = path.join(path.dirname(h.root), name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  }

  test('the disk fills up while the archive is written (3 MB tmpfs as LocalBackupPath): exit 4, no final-named or partial file, service Running', async (t: TestContext) => {
    const small = sibling('small-local');
    const err = mount(['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', small]);
    if (err) return t.skip(err);
    mounts.push(small);
    const cfg = configVariant(h, 'small-local', (c) => {
      c.BackupConfiguration.LocalBackupPath = small;
    });
    const b = await prepare(h, { extraDirs: [small] });
    const filler = path.join(small, 'other-application-data.bin');
    let filled = false;
    // Another program fills the volume while the backup runs: after the preflight, before the archive is written.
    const r = await runCli('Invoke-AlteryxBackup', {
      configPath: cfg,
      parameters: { BackupMode: 'Full' },
      onLine: (line) => {
        if (filled || !isPhaseStart(line, 'BackupFiles')) return;
        filled = true;
        const free = fs.statfsSync(small).bavail * fs.statfsSync(small).bsize;
        fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free - 100 * 1024)));
      },
    });
    assert.ok(filled);
    assertFailed(r, 4, 'STORAGE_ENOSPC');
    const phases = new Map<string, string>(r.result!.data.Phases.map((p: { Phase: string; Status: string }) => [p.Phase, p.Status]));
    assert.equal(phases.get('Archive'), 'Failed', 'it failed while writing the archive');
    assert.deepEqual(
      fs.readdirSync(small).filter((n) => n !== path.basename(filler)),
      [],
      'nothing left on the full volume: no final name, no partial file',
    );
    assert.deepEqual(stagingLeft(h), []);
    fs.rmSync(filler);
    b.files.set(small, new Map()); // the filler was the test's own
    await assertUnharmed(h, b);
  });

  test('a network destination is read-only: published locally and to the other share, retention ran, then exit 4 DISTRIBUTION_FAILED', async (t: TestContext) => {
    const ro = sibling('read-only-share');
    const err = mount(['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
    if (err) return t.skip(err);
    mounts.push(ro);
    const [, network1] = backupDirs(h);
    const cfg = configVariant(h, 'read-only-share', (c) => {
      c.BackupConfiguration.NetworkBackupPaths = [network1, ro];
    });
    const b = await prepare(h, { extraDirs: [ro] });
    const r = await runCli('Invoke-AlteryxBackup', { configPath: cfg, parameters: { BackupMode: 'Full' } });
    assertDistributionFailed(r, ro);
    assert.deepEqual(fs.readdirSync(ro), []);
    await assertPublishedLocally(b, r, network1);
  });

  test('a network destination is missing: published locally and to the other share, retention ran, then exit 4 DISTRIBUTION_FAILED', async () => {
    const missing = path.join(path.dirname(h.root), 'share-that-is-gone');
    const [, network1] = backupDirs(h);
    const cfg = configVariant(h, 'missing-share', (c) => {
      c.BackupConfiguration.NetworkBackupPaths = [network1, missing];
    });
    const b = await prepare(h);
    const r = await runCli('Invoke-AlteryxBackup', { configPath: cfg, parameters: { BackupMode: 'Full' } });
    assertDistributionFailed(r, missing);
    assert.ok(!fs.existsSync(missing), 'a missing share is not created as a local folder');
    await assertPublishedLocally(b, r, network1);
  });

  test('a network share drops for a moment (gone after the preflight, back after the first failed copy): retried, exit 0', async () => {
    const flaky = sibling('flaky-share');
    const away = `${flaky}.away`;
    const [, network1] = backupDirs(h);
    const cfg = configVariant(h, 'flaky-share', (c) => {
      c.BackupConfiguration.NetworkBackupPaths = [network1, flaky];
      c.BackupConfiguration.CopyRetryDelaySeconds = 1;
    });
    const b = await prepare(h, { extraDirs: [flaky] });
    let dropped = false;
    let back = false;
    const r = await runCli('Invoke-AlteryxBackup', {
      configPath: cfg,
      parameters: { BackupMode: 'Full' },
      onLine: (line) => {
        if (!dropped && isPhaseStart(line, 'BackupFiles')) {
          dropped = true;
          fs.renameSync(flaky, away);
        } else if (dropped && !back && (line.type === 'log' || line.type === 'warning') && String(line.message).includes(`Copy to '${flaky}' failed on attempt 1`)) {
          back = true;
          fs.renameSync(away, flaky);
        }
      },
    });
    if (!back && fs.existsSync(away)) fs.renameSync(away, flaky);
    assert.equal(r.exitCode, 0, tail(r));
    assert.ok(dropped && back, 'the share was gone for the first attempt and back for the retry');
    const dest = (r.result!.data.Destinations as Array<{ Destination: string; Success: boolean; Attempts: number; SHA256Verified: boolean }>).find((d) => d.Destination === flaky)!;
    assert.deepEqual([dest.Success, dest.Attempts, dest.SHA256Verified], [true, 2, true]);
    const archive = r.result!.data.ArchivePath as string;
    const name = path.basename(archive);
    assert.deepEqual(fs.readFileSync(path.join(flaky, name)), fs.readFileSync(archive));
    assert.deepEqual(fs.readdirSync(flaky).sort(), [...b.files.get(flaky)!.keys(), name, `${name}.sha256`].sort(), 'no partial file left on the share');
    assertServiceAsBefore(b);
    assertNoNewOfficial(b, [name, `${name}.sha256`]);
    await assertPreviousVerifies(h, b);
  });

  function assertDistributionFailed(r: CliResult, bad: string) {
    assertFailed(r, 4, 'DISTRIBUTION_FAILED');
    assert.ok(r.result!.error!.message.includes(bad) || r.result!.error!.details.some((d) => d.includes(bad)), tail(r));
    const phases = new Map<string, string>(r.result!.data.Phases.map((p: { Phase: string; Status: string }) => [p.Phase, p.Status]));
    assert.equal(phases.get('Validate'), 'Succeeded');
    assert.equal(phases.get('Cleanup'), 'Succeeded', 'retention and cleanup ran before the exit 4');
    assert.ok(r.result!.data.Retention, 'retention result in the summary');
    // The failure is reported against Distribute, not the Cleanup that ran (and succeeded) after it.
    assert.ok(r.result!.data.Errors.length === 1 && r.result!.data.Errors[0].startsWith('Distribute: '), JSON.stringify(r.result!.data.Errors));
    assert.match(logText(r), /\[ERROR\] Distribute failed: Copy failed/);
    assert.doesNotMatch(logText(r), /Cleanup failed/);
    const dest = r.result!.data.Destinations as Array<{ Destination: string; Success: boolean }>;
    assert.deepEqual(
      dest.map((d) => [d.Destination, d.Success]),
      [
        [backupDirs(h)[0], true],
        [backupDirs(h)[1], true],
        [bad, false],
      ],
    );
  }

  async function assertPublishedLocally(b: Awaited<ReturnType<typeof prepare>>, r: CliResult, network1: string) {
    const archive = r.result!.data.ArchivePath as string;
    const name = path.basename(archive);
    assert.equal(path.dirname(archive), backupDirs(h)[0]);
    await assertVerifies(h, archive);
    assert.deepEqual(fs.readFileSync(path.join(network1, name)), fs.readFileSync(archive));
    assertServiceAsBefore(b);
    // network2 is not in this config: it must be untouched, like everything pre-existing.
    assertNoNewOfficial(b, [name, `${name}.sha256`]);
    assert.ok(!fs.existsSync(path.join(backupDirs(h)[2], name)));
    await assertPreviousVerifies(h, b);
  }

  test('a Keys file is unreadable (mode 000, CLI without CAP_DAC_OVERRIDE): exit 4 FILE_UNREADABLE before the service is touched', async (t: TestContext) => {
    const why = canDropCapabilities();
    if (why) return t.skip(why);
    const keysDir = path.join(h.root, 'ProgramData', 'Alteryx', 'Keys');
    const keyFile = path.join(keysDir, fs.readdirSync(keysDir).sort()[0]);
    const b = await prepare(h);
    fs.chmodSync(keyFile, 0o000);
    try {
      const r = await runCliVia(WITHOUT_DAC_OVERRIDE, 'Invoke-AlteryxBackup', { configPath: h.configPath, parameters: { BackupMode: 'Full' } });
      assertFailed(r, 4, 'FILE_UNREADABLE');
      assert.match(r.result!.error!.message, new RegExp(`Cannot read '${keyFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}': access is denied`));
      assert.equal(r.result!.data.ArchivePath, null);
      assert.deepEqual(stagingLeft(h), []);
      assert.ok(!fs.existsSync(MARKER(h)));
      // Every file is opened during Initialize: the service is never stopped for a backup that cannot finish.
      const ev = eventNames(b, h.root);
      assert.deepEqual(ev.filter((e) => /requested|dump/.test(e)), [], `service or dump events: ${ev.join(',')}`);
    } finally {
      fs.chmodSync(keyFile, 0o644);
    }
    await assertUnharmed(h, b);
  });

  test('the config file is unreadable: exit 3 CONFIG_NOT_FOUND (access is denied), nothing touched', async (t: TestContext) => {
    const why = canDropCapabilities();
    if (why) return t.skip(why);
    const cfg = configVariant(h, 'unreadable', () => undefined);
    const b = await prepare(h);
    fs.chmodSync(cfg, 0o000);
    const r = await runCliVia(WITHOUT_DAC_OVERRIDE, 'Invoke-AlteryxBackup', { configPath: cfg, parameters: { BackupMode: 'Full' } });
    assertFailed(r, 3, 'CONFIG_NOT_FOUND');
    assert.match(r.result!.error!.message, /access is denied/);
    assert.deepEqual(eventNames(b, h.root), []);
    assert.match(logText(r), /access is denied/);
    await assertUnharmed(h, b);
  });
});
