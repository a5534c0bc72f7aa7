import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertFailed,
  assertUnharmed,
  configVariant,
  createFaultHost,
  destroyFaultHost,
  eventNames,
  isPhaseStart,
  LOCK,
  prepare,
  runCli,
  tail,
  type Baseline,
  type FaultHost,
} from './fault-harness';

/**
 * Configured paths of the wrong shape, and a log folder that is read-only or
 * full (RELIABILITY.md promises 8, 10 and 12): each is found before anything
 * is stopped, with exit 3 (wrong shape) or 4 (cannot write); a run whose log
 * cannot be written says so on the console and in the summary, and a
 * reported LogPath always exists.
 */

const isRoot = process.getuid?.() === 0;
const mountSkip = isRoot ? false : 'needs root to mount a small tmpfs (CI runs the suite as root)';

function mountTmpfs(dir: string, options: string): void {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
}
function unmount(dir: string): void {
  spawnSync('umount', [dir]);
}

/** Fills the file system holding `dir` to the last byte: a filler file, then padding on every file already open for appending. */
function fill(dir: string, alsoPad: string[] = []): void {
  const chunk = Buffer.alloc(4096, 0x20);
  const fd = fs.openSync(path.join(dir, 'filler.bin'), 'a');
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    fs.closeSync(fd);
  }
  // tmpfs allocates whole pages: the tail of a file's last page still takes writes until it is padded too.
  for (const f of alsoPad) {
    const pfd = fs.openSync(f, 'a');
    try {
      for (;;) fs.writeSync(pfd, Buffer.from(' '));
    } catch {
      /* full */
    } finally {
      fs.closeSync(pfd);
    }
  }
}

describe('configured paths of the wrong shape, read-only and full log folders', () => {
  let h: FaultHost;
  const mounts: string[] = [];
  before(async () => {
    h = await createFaultHost([], { fullBackup: false });
  });
  after(() => {
    for (const m of mounts) unmount(m);
    destroyFaultHost(h);
  });

  /** A Full run with `configPath`: it must fail with `exit`/`code` before the service is touched; then the three assertions. */
  async function failsBeforeStopping(b: Baseline, configPath: string, exit: number, code: string, names: string, lockIsTheFault = false): Promise<void> {
    const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'Full' } });
    assertFailed(r, exit, code);
    assert.ok(r.result!.error!.message.includes(names), `the message names ${names}: ${r.result!.error!.message}`);
    assert.ok(!eventNames(b, h.root).includes('stop-requested'), `nothing was stopped: ${eventNames(b, h.root).join(',')}`);
    if (!lockIsTheFault) assert.ok(!fs.existsSync(LOCK(h)), 'no run lock left');
    await assertUnharmed(h, b);
  }

  const blocker = () => path.join(h.root, 'a-file');
  const shapes: Array<{ setting: string; edit: (c: any, f: string) => void }> = [
    { setting: 'LocalBackupPath', edit: (c, f) => (c.BackupConfiguration.LocalBackupPath = f) },
    { setting: 'TempDirectory', edit: (c, f) => (c.BackupConfiguration.TempDirectory = f) },
    { setting: 'LogDirectory', edit: (c, f) => (c.BackupConfiguration.LogDirectory = f) },
  ];
  for (const s of shapes) {
    test(`${s.setting} pointing at a file: exit 3 PATH_INVALID naming it, nothing stopped`, async () => {
      const b = await prepare(h);
      fs.writeFileSync(blocker(), 'not a folder');
      const cfg = configVariant(h, `shape-${s.setting}`, (c) => s.edit(c, blocker()));
      await failsBeforeStopping(b, cfg, 3, 'PATH_INVALID', blocker());
    });
    test(`${s.setting} below a file (ENOTDIR): exit 3 PATH_INVALID, nothing stopped`, async () => {
      const b = await prepare(h);
      fs.writeFileSync(blocker(), 'not a folder');
      const cfg = configVariant(h, `shape-under-${s.setting}`, (c) => s.edit(c, path.join(blocker(), 'sub')));
      await failsBeforeStopping(b, cfg, 3, 'PATH_INVALID', blocker());
    });
  }

  test('the run lock file is a folder: exit 3 PATH_INVALID naming it, nothing stopped, the folder left alone', async () => {
    const b = await prepare(h);
    fs.mkdirSync(LOCK(h));
    try {
      await failsBeforeStopping(b, h.configPath, 3, 'PATH_INVALID', LOCK(h), true);
      assert.ok(fs.statSync(LOCK(h)).isDirectory());
    } finally {
      fs.rmSync(LOCK(h), { recursive: true, force: true });
    }
  });

  test('a missing LogDirectory on a read-only volume: exit 4 LOG_UNWRITABLE naming it, nothing stopped', { skip: mountSkip }, async () => {
    const b = await prepare(h);
    const ro = path.join(path.dirname(h.root), 'ro-volume');
    mountTmpfs(ro, 'ro,size=64k');
    mounts.push(ro);
    const logDir = path.join(ro, 'missing', 'logs');
    const cfg = configVariant(h, 'log-ro-missing', (c) => (c.BackupConfiguration.LogDirectory = logDir));
    await failsBeforeStopping(b, cfg, 4, 'LOG_UNWRITABLE', logDir);
  });

  test('a read-only LogDirectory: exit 4 LOG_UNWRITABLE with the path and the reason, nothing stopped (was: exit 0, Success, a LogPath that did not exist)', { skip: mountSkip }, async () => {
    const b = await prepare(h);
    const ro = path.join(path.dirname(h.root), 'ro-logs');
    mountTmpfs(ro, 'ro,size=64k');
    mounts.push(ro);
    const cfg = configVariant(h, 'log-ro', (c) => (c.BackupConfiguration.LogDirectory = ro));
    const r = await runCli('Invoke-AlteryxBackup', { configPath: cfg, parameters: { BackupMode: 'Full' } });
    assertFailed(r, 4, 'LOG_UNWRITABLE');
    assert.match(r.result!.error!.message, /read-only/);
    assert.ok(!eventNames(b, h.root).includes('stop-requested'));
    await assertUnharmed(h, b);
  });

  test('a full LogDirectory before the run: exit 4 LOG_UNWRITABLE (disk full), no 0-byte log left, nothing stopped', { skip: mountSkip }, async () => {
    const b = await prepare(h);
    const full = path.join(path.dirname(h.root), 'full-logs');
    mountTmpfs(full, 'size=64k');
    mounts.push(full);
    fill(full);
    const cfg = configVariant(h, 'log-full', (c) => (c.BackupConfiguration.LogDirectory = full));
    const r = await runCli('Invoke-AlteryxBackup', { configPath: cfg, parameters: { BackupMode: 'Full' } });
    assertFailed(r, 4, 'LOG_UNWRITABLE');
    assert.match(r.result!.error!.message, /disk is full/);
    assert.deepEqual(fs.readdirSync(full).filter((n) => n.endsWith('.log')), [], 'no empty log file left behind');
    assert.ok(!eventNames(b, h.root).includes('stop-requested'));
    await assertUnharmed(h, b);
  });

  test('the LogDirectory fills up during the run: a console warning, the summary warns, Status Warning, LogPath exists', { skip: mountSkip }, async () => {
    const b = await prepare(h);
    const dir = path.join(path.dirname(h.root), 'filling-logs');
    mountTmpfs(dir, 'size=256k');
    mounts.push(dir);
    const cfg = configVariant(h, 'log-filling', (c) => (c.BackupConfiguration.LogDirectory = dir));
    let filled = false;
    const r = await runCli('Invoke-AlteryxBackup', {
      configPath: cfg,
      parameters: { BackupMode: 'Full' },
      onLine: (line) => {
        if (filled || !isPhaseStart(line, 'BackupFiles')) return;
        filled = true;
        fill(
          dir,
          fs.readdirSync(dir).filter((n) => n.endsWith('.log')).map((n) => path.join(dir, n)),
        );
      },
    });
    assert.ok(filled, 'the trigger line came');
    assert.equal(r.exitCode, 0, tail(r));
    const s = r.result!.data;
    assert.equal(s.Status, 'Warning', JSON.stringify(s.Warnings));
    assert.ok(s.Warnings.some((w: string) => /The log file .* could not be written \(ENOSPC/.test(w)), JSON.stringify(s.Warnings));
    assert.ok(r.lines.some((l) => l.type === 'warning' && /could not be written \(ENOSPC/.test(String(l.message))), 'a warning on the console');
    assert.ok(s.LogPath && fs.existsSync(s.LogPath), `LogPath ${s.LogPath} exists`);
    const name = path.basename(s.ArchivePath);
    await assertUnharmed(h, b, { allowNew: [name, `${name}.sha256`] });
  });
});
