/**
 * Fault tests for copying an archive to network folders (RELIABILITY.md:
 * "the network destination disappears mid-copy, or is read-only"; disk full;
 * a file with the target name exists; a transient failure that recovers).
 * After every fault: the local archive is intact, no partial file carries a
 * final name, and the result maps to exit code 4.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancelledError, ExitCode } from '../../../src/core/errors';
import { copyBackupToDestinations, distributionFailure } from '../../../src/distribution/copy-to-destinations';
import { preflightDestinations } from '../../../src/distribution/preflight';
import type { LogLevel } from '../../../src/distribution/log-sink';
import { makeTempDir, tryMount, unmount } from '../../helpers/test-servers';
import { leftovers, makeArchive, sha256File, type ArchiveFixture } from './fixtures';

const MB = 1024 * 1024;
const noWait = async () => undefined;

function collectLog(): { lines: Array<[LogLevel, string]>; log: (l: LogLevel, m: string) => void } {
  const lines: Array<[LogLevel, string]> = [];
  return { lines, log: (l, m) => lines.push([l, m]) };
}

describe('copyBackupToDestinations: folders and faults', () => {
  let archive: ArchiveFixture;
  const cleanup: string[] = [];
  const mounts: string[] = [];

  before(() => {
    archive = makeArchive(3 * MB);
    cleanup.push(archive.dir);
  });
  after(() => {
    for (const m of mounts.reverse()) {
      try {
        unmount(m);
      } catch {
        /* already gone */
      }
    }
    for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
  });

  function dest(tag: string): string {
    const d = makeTempDir(tag);
    cleanup.push(d);
    return d;
  }

  function assertLocalIntact(): void {
    assert.equal(sha256File(archive.archivePath), archive.sha256, 'the local archive must be unchanged');
    assert.ok(fs.existsSync(`${archive.archivePath}.sha256`), 'the local sidecar must still exist');
  }

  it('copies to two network folders, verified, with sidecars and no temp files', async () => {
    const a = dest('net-a');
    const b = dest('net-b');
    const { lines, log } = collectLog();
    const result = await copyBackupToDestinations({
      archivePath: archive.archivePath,
      sha256: archive.sha256,
      destinations: [a, b],
      retry: { count: 3, delaySeconds: 30 },
      log,
      sleep: noWait,
    });
    assert.equal(result.Success, true);
    assert.equal(result.Destinations.length, 2);
    for (const [d, r] of [[a, result.Destinations[0]], [b, result.Destinations[1]]] as const) {
      assert.equal(r.Kind, 'Network');
      assert.equal(r.Success, true);
      assert.equal(r.Attempts, 1);
      assert.equal(r.SHA256Verified, true);
      assert.equal(r.AlreadyPresent, false);
      assert.equal(r.FinalPath, path.join(d, archive.name));
      assert.equal(sha256File(r.FinalPath!), archive.sha256);
      assert.equal(fs.readFileSync(path.join(d, `${archive.name}.sha256`), 'utf8'), `${archive.sha256}  ${archive.name}\n`);
      assert.deepEqual(fs.readdirSync(d).sort(), [archive.name, `${archive.name}.sha256`]);
    }
    assert.equal(distributionFailure(result), undefined);
    assert.ok(lines.some(([l, m]) => l === 'SUCCESS' && m.includes(a)));
    assertLocalIntact();
  });

  it('reports progress per destination up to the full size, at most once per percent', async () => {
    const a = dest('progress');
    const big = makeArchive(150 * 1024 * 1024 + 12345);
    cleanup.push(big.dir);
    const seen: number[] = [];
    await copyBackupToDestinations({
      archivePath: big.archivePath,
      sha256: big.sha256,
      destinations: [a],
      retry: { count: 0, delaySeconds: 0 },
      onProgress: (p) => {
        assert.equal(p.Destination, a);
        assert.equal(p.TotalBytes, big.size);
        seen.push(p.BytesCopied);
      },
    });
    assert.equal(seen[seen.length - 1], big.size);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1]);
    const percents = seen.map((b) => Math.floor((b / big.size) * 100));
    assert.equal(new Set(percents).size, percents.length, 'one report per percent');
    assert.ok(seen.length <= 101 && seen.length >= 50, `${seen.length} reports for 151 chunks`);
  });

  it('never overwrites a different file with the target name, and still copies to the other destination', async () => {
    const taken = dest('taken');
    const ok = dest('ok');
    fs.writeFileSync(path.join(taken, archive.name), 'someone else\'s file');
    const result = await copyBackupToDestinations({
      archivePath: archive.archivePath,
      sha256: archive.sha256,
      destinations: [taken, ok],
      retry: { count: 3, delaySeconds: 30 },
      sleep: noWait,
    });
    assert.equal(result.Success, false);
    const [bad, good] = result.Destinations;
    assert.equal(bad.Success, false);
    assert.equal(bad.Attempts, 1, 'an existing target is permanent: no retry');
    assert.equal(bad.ErrorCode, 'DESTINATION_TARGET_EXISTS');
    assert.equal(bad.SHA256Verified, false);
    assert.equal(fs.readFileSync(path.join(taken, archive.name), 'utf8'), 'someone else\'s file');
    assert.equal(fs.existsSync(path.join(taken, `${archive.name}.sha256`)), false);
    assert.deepEqual(leftovers(taken).partials, []);
    assert.equal(good.Success, true);
    const err = distributionFailure(result)!;
    assert.equal(err.exitCode, ExitCode.StorageError);
    assert.equal(err.code, 'DISTRIBUTION_FAILED');
    assert.match(err.details.join('\n'), /already exists/);
    assertLocalIntact();
  });

  it('treats an identical archive already at the target as present, and completes its sidecar', async () => {
    const d = dest('same');
    fs.copyFileSync(archive.archivePath, path.join(d, archive.name));
    const result = await copyBackupToDestinations({
      archivePath: archive.archivePath,
      sha256: archive.sha256,
      destinations: [d],
      retry: { count: 0, delaySeconds: 0 },
    });
    assert.equal(result.Success, true);
    assert.equal(result.Destinations[0].AlreadyPresent, true);
    assert.equal(result.Destinations[0].SHA256Verified, true);
    assert.equal(fs.readFileSync(path.join(d, `${archive.name}.sha256`), 'utf8'), `${archive.sha256}  ${archive.name}\n`);
  });

  it('refuses a sidecar at the target that names a different hash', async () => {
    const d = dest('bad-sidecar');
    fs.writeFileSync(path.join(d, `${archive.name}.sha256`), `${'0'.repeat(64)}  ${archive.name}\n`);
    const result = await copyBackupToDestinations({
      archivePath: archive.archivePath,
      sha256: archive.sha256,
      destinations: [d],
      retry: { count: 2, delaySeconds: 1 },
      sleep: noWait,
    });
    assert.equal(result.Success, false);
    assert.equal(result.Destinations[0].ErrorCode, 'DESTINATION_TARGET_EXISTS');
    assert.equal(fs.readFileSync(path.join(d, `${archive.name}.sha256`), 'utf8'), `${'0'.repeat(64)}  ${archive.name}\n`);
    assert.deepEqual(leftovers(d).partials, []);
  });

  it('recovers from a transient failure: the folder is missing at first and appears before the retry', async () => {
    const parent = dest('transient');
    const d = path.join(parent, 'share');
    const waits: number[] = [];
    const { lines, log } = collectLog();
    const result = await copyBackupToDestinations({
      archivePath: archive.archivePath,
      sha256: archive.sha256,
      destinations: [d],
      retry: { count: 3, delaySeconds: 30, backoffFactor: 2 },
      log,
      sleep: async (ms) => {
        waits.push(ms);
        if (waits.length === 2) fs.mkdirSync(d);
      },
    });
    assert.equal(result.Success, true);
    assert.equal(result.Destinations[0].Attempts, 3);
    assert.deepEqual(waits, [30_000, 60_000], 'backoff doubles the configured delay');
    assert.equal(sha256File(path.join(d, archive.name)), archive.sha256);
    assert.equal(lines.filter(([l]) => l === 'WARNING').length, 2);
    assertLocalIntact();
  });

  it('fails cleanly when the folder disappears mid-copy and never comes back', async () => {
    const parent = dest('vanish');
    const d = path.join(parent, 'share');
    fs.mkdirSync(d);
    let removed = false;
    const result = await copyBackupToDestinations({
      archivePath: archive.archivePath,
      sha256: archive.sha256,
      destinations: [d],
      retry: { count: 2, delaySeconds: 30 },
      sleep: noWait,
      onProgress: () => {
        // After the first MB has been written: the share goes away under us.
        if (!removed) {
          removed = true;
          fs.rmSync(d, { recursive: true, force: true });
        }
      },
    });
    assert.ok(removed);
    const r = result.Destinations[0];
    assert.equal(result.Success, false);
    assert.equal(r.Success, false);
    assert.equal(r.Attempts, 3, 'a vanished share is transient: every retry is used');
    assert.equal(r.ErrorCode, 'ENOENT');
    assert.equal(r.FinalPath, undefined);
    assert.equal(fs.existsSync(path.join(d, archive.name)), false);
    assert.equal(distributionFailure(result)?.exitCode, 4);
    assertLocalIntact();
  });

  it('retries after the folder disappears mid-copy and comes back, leaving no temp file', async () => {
    const parent = dest('vanish-back');
    const d = path.join(parent, 'share');
    fs.mkdirSync(d);
    let removed = false;
    const result = await copyBackupToDestinations({
      archivePath: archive.archivePath,
      sha256: archive.sha256,
      destinations: [d],
      retry: { count: 2, delaySeconds: 30 },
      sleep: async () => void fs.mkdirSync(d),
      onProgress: () => {
        if (!removed) {
          removed = true;
          fs.rmSync(d, { recursive: true, force: true });
        }
      },
    });
    assert.equal(result.Success, true);
    assert.equal(result.Destinations[0].Attempts, 2);
    assert.deepEqual(fs.readdirSync(d).sort(), [archive.name, `${archive.name}.sha256`]);
    assertLocalIntact();
  });

  it('fails without retry when the destination path runs through a regular file (ENOTDIR)', async () => {
    const parent = dest('notdir');
    const file = path.join(parent, 'file');
    fs.writeFileSync(file, 'x');
    const result = await copyBackupToDestinations({
      archivePath: archive.archivePath,
      sha256: archive.sha256,
      destinations: [path.join(file, 'share')],
      retry: { count: 3, delaySeconds: 30 },
      sleep: async () => assert.fail('a permanent error must not be retried'),
    });
    assert.equal(result.Destinations[0].Success, false);
    assert.equal(result.Destinations[0].Attempts, 1);
    assert.equal(result.Destinations[0].ErrorCode, 'ENOTDIR');
  });

  it('fails without retry on a read-only file system (tmpfs mounted ro) and leaves nothing behind', async (t) => {
    const d = dest('rofs');
    const mounted = tryMount(['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', d]);
    if (!mounted.ok) return t.skip(`cannot test a read-only file system here: ${mounted.reason}`);
    mounts.push(d);
    const problems = await preflightDestinations([d]);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].Code, 'NOT_WRITABLE');
    assert.match(problems[0].Message, /EROFS/);
    const result = await copyBackupToDestinations({
      archivePath: archive.archivePath,
      sha256: archive.sha256,
      destinations: [d],
      retry: { count: 3, delaySeconds: 30 },
      sleep: async () => assert.fail('a read-only destination must not be retried'),
    });
    assert.equal(result.Destinations[0].Success, false);
    assert.equal(result.Destinations[0].Attempts, 1);
    assert.equal(result.Destinations[0].ErrorCode, 'EROFS');
    assert.deepEqual(fs.readdirSync(d), []);
    assert.equal(distributionFailure(result)?.exitCode, 4);
    assertLocalIntact();
  });

  it('fails without retry when the destination runs out of space (2 MB tmpfs), and removes the temp file', async (t) => {
    const d = dest('full');
    const mounted = tryMount(['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', d]);
    if (!mounted.ok) return t.skip(`cannot test a full disk here: ${mounted.reason}`);
    mounts.push(d);
    const ok = dest('full-other');
    const result = await copyBackupToDestinations({
      archivePath: archive.archivePath,
      sha256: archive.sha256,
      destinations: [d, ok],
      retry: { count: 3, delaySeconds: 30 },
      sleep: async () => assert.fail('disk full must not be retried'),
    });
    const [full, other] = result.Destinations;
    assert.equal(full.Success, false);
    assert.equal(full.Attempts, 1);
    assert.equal(full.ErrorCode, 'ENOSPC');
    assert.deepEqual(fs.readdirSync(d), [], 'the temp file is removed and no final name appears');
    assert.equal(other.Success, true, 'one destination failing does not stop the others');
    assert.equal(result.Success, false);
    assert.equal(distributionFailure(result)?.exitCode, 4);
    assertLocalIntact();
  });

  it('fails without retry when access is denied (copy run as uid 65534 into a root-owned 0755 folder)', async (t) => {
    if (process.platform === 'win32' || process.getuid?.() !== 0) return t.skip('needs root to drop privileges');
    const d = dest('denied');
    fs.chmodSync(d, 0o755);
    const modulePath = path.resolve(__dirname, '../../../src/distribution/copy-to-destinations.js');
    const script = `
      // Load the code first: the checkout itself may not be readable by uid 65534 (a 0700 clone folder).
      const { copyBackupToDestinations } = require(${JSON.stringify(modulePath)});
      process.setgid(65534); process.setuid(65534);
      copyBackupToDestinations({ archivePath: ${JSON.stringify(archive.archivePath)}, sha256: ${JSON.stringify(archive.sha256)},
        destinations: [${JSON.stringify(d)}], retry: { count: 3, delaySeconds: 30 },
        sleep: async () => { throw new Error('retried a permanent error'); } })
        .then((r) => process.stdout.write(JSON.stringify(r)), (e) => { console.error(e); process.exit(9); });`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.Destinations[0].Success, false);
    assert.equal(result.Destinations[0].Attempts, 1);
    assert.equal(result.Destinations[0].ErrorCode, 'EACCES');
    assert.deepEqual(fs.readdirSync(d), []);
    assertLocalIntact();
  });

  it('on cancellation throws CancelledError and leaves no temp file and no final name', async () => {
    const d = dest('cancel');
    const controller = new AbortController();
    await assert.rejects(
      copyBackupToDestinations({
        archivePath: archive.archivePath,
        sha256: archive.sha256,
        destinations: [d],
        retry: { count: 3, delaySeconds: 30 },
        sleep: noWait,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
      CancelledError,
    );
    assert.deepEqual(fs.readdirSync(d), []);
    assertLocalIntact();
  });

  it('refuses to copy an archive that no longer matches its SHA256', async () => {
    const d = dest('changed');
    const result = await copyBackupToDestinations({
      archivePath: archive.archivePath,
      sha256: 'a'.repeat(64),
      destinations: [d],
      retry: { count: 3, delaySeconds: 30 },
      sleep: async () => assert.fail('a changed source must not be retried'),
    });
    assert.equal(result.Destinations[0].ErrorCode, 'SOURCE_CHANGED');
    assert.deepEqual(fs.readdirSync(d), []);
  });

  it('refuses a relative destination path without retrying', async () => {
    const result = await copyBackupToDestinations({
      archivePath: archive.archivePath,
      sha256: archive.sha256,
      destinations: ['relative\\share'],
      retry: { count: 3, delaySeconds: 30 },
      sleep: async () => assert.fail('a relative path must not be retried'),
    });
    assert.equal(result.Destinations[0].ErrorCode, 'DESTINATION_NOT_ABSOLUTE');
    assert.equal(result.Destinations[0].Attempts, 1);
  });

  it('copies a folder listed twice only once', async () => {
    const d = dest('dup');
    const { lines, log } = collectLog();
    const result = await copyBackupToDestinations({
      archivePath: archive.archivePath,
      sha256: archive.sha256,
      destinations: [d, `${d}/`],
      retry: { count: 0, delaySeconds: 0 },
      log,
    });
    assert.equal(result.Destinations.length, 1);
    assert.equal(result.Success, true);
    assert.ok(lines.some(([l, m]) => l === 'WARNING' && m.includes('more than once')));
  });
});

describe('preflightDestinations', () => {
  const cleanup: string[] = [];
  after(() => cleanup.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('accepts a writable folder and leaves no probe file', async () => {
    const d = makeTempDir('pre-ok');
    cleanup.push(d);
    assert.deepEqual(await preflightDestinations([d]), []);
    assert.deepEqual(fs.readdirSync(d), []);
  });

  it('reports every problem at once: missing, not a folder, relative', async () => {
    const d = makeTempDir('pre-bad');
    cleanup.push(d);
    const file = path.join(d, 'f');
    fs.writeFileSync(file, 'x');
    const problems = await preflightDestinations([path.join(d, 'missing'), file, 'relative/path']);
    assert.deepEqual(
      problems.map((p) => p.Code),
      ['NOT_FOUND', 'NOT_A_DIRECTORY', 'NOT_ABSOLUTE'],
    );
  });

  it('reports too little free space when asked', async () => {
    const d = makeTempDir('pre-space');
    cleanup.push(d);
    const problems = await preflightDestinations([d], { requiredBytes: Number.MAX_SAFE_INTEGER });
    assert.deepEqual(problems.map((p) => p.Code), ['INSUFFICIENT_SPACE']);
  });
});
