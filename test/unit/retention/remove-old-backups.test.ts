import { createHash } from 'node:crypto';
/**
 * Remove-OldBackups on real folders seeded with 60 days of mixed backups and
 * foreign files. The expected outcome is written out by hand from the
 * policy's rules, not computed by calling the policy.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { archiveFileName, type BackupMode } from '../../../src/core/backup-mode';
import { ValidationError } from '../../../src/core/errors';
import type { LogLevel } from '../../../src/distribution/log-sink';
import { folderLocation, type BackupLocation } from '../../../src/retention/backup-location';
import { removeOldBackups, retentionLocations } from '../../../src/retention/remove-old-backups';

const NOW = new Date(2026, 2, 1, 12, 0, 0);
const DAYS: Record<BackupMode, number> = { Full: 30, DatabaseOnly: 14, ConfigOnly: 30 };
const SHA = 'ab'.repeat(32);
const shaOfFile = (file: string) => (fs.existsSync(file) ? createHash('sha256').update(fs.readFileSync(file)).digest('hex') : SHA);

function at(daysAgo: number, hour: number): Date {
  return new Date(2026, 2, 1 - daysAgo, hour, 0, 0);
}

const FOREIGN = [
  'notes.txt',
  'ServerBackup_DatabaseOnly_20251201_020000.zip', // the spec's buggy pattern: not ours
  'ServerBackup_Full_20251201_020000.zip.tmp',
  'serverbackup_full_20251201_020000.zip',
  'ServerBackup_Full_20251201_02000.zip',
  'ServerBackup_Full_20251341_020000.zip', // impossible date
  'Other.zip',
  'Other.zip.sha256',
  '.ServerBackup_Full_20251201_020000.zip.0a1b2c.partial',
];

interface Seeded {
  dir: string;
  expectedRemoved: string[];
  expectedKept: string[];
}

/**
 * Full daily at 02:00 (verified), DB daily at 14:00 (unverified on days 3, 13
 * and 23; a malformed sidecar on day 20), Config weekly at 03:00, a Full dated
 * two days in the future, and foreign files.
 */
function seed(dir: string): Seeded {
  const removed: string[] = [];
  const kept: string[] = [];
  const put = (mode: BackupMode, when: Date, sidecar: 'ok' | 'none' | 'bad', expect: 'keep' | 'remove') => {
    const name = archiveFileName(mode, when);
    fs.writeFileSync(path.join(dir, name), `archive ${name}`);
    // The real hash: retention re-hashes the newest verified backup of a mode before removing any.
    if (sidecar === 'ok') fs.writeFileSync(path.join(dir, `${name}.sha256`), `${shaOfFile(path.join(dir, name))}  ${name}\n`);
    if (sidecar === 'bad') fs.writeFileSync(path.join(dir, `${name}.sha256`), 'not a checksum\n');
    (expect === 'keep' ? kept : removed).push(name);
  };
  for (let k = 0; k < 60; k++) {
    // Full: age k days + 10 h; past 30 days from k = 30.
    put('Full', at(k, 2), 'ok', k >= 30 ? 'remove' : 'keep');
    // DB: age k days - 2 h; past 14 days from k = 15. Unverified ones go too once expired: newer verified DBs exist.
    const dbSidecar = k === 3 || k === 13 || k === 23 ? 'none' : k === 20 ? 'bad' : 'ok';
    put('DatabaseOnly', at(k, 14), dbSidecar, k >= 15 ? 'remove' : 'keep');
    if (k % 7 === 0) put('ConfigOnly', at(k, 3), 'ok', k >= 35 ? 'remove' : 'keep');
  }
  put('Full', at(-2, 2), 'ok', 'keep');
  for (const f of FOREIGN) fs.writeFileSync(path.join(dir, f), 'foreign');
  fs.mkdirSync(path.join(dir, 'ServerBackup_Full_20251101_020000.zip'));
  return { dir, expectedRemoved: removed.sort(), expectedKept: kept.sort() };
}

describe('removeOldBackups on folders', () => {
  const temp: string[] = [];
  let dir: string;
  let seeded: Seeded;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axb-ret-'));
    temp.push(dir);
    seeded = seed(dir);
  });
  after(() => temp.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('removes exactly what the policy says, with sidecars, and leaves every foreign file', async () => {
    const lines: Array<[LogLevel, string]> = [];
    const result = await removeOldBackups({
      locations: [folderLocation(dir)],
      retentionDays: DAYS,
      now: NOW,
      log: (l, m) => lines.push([l, m]),
    });
    assert.equal(result.Success, true);
    assert.equal(result.WhatIf, false);
    const loc = result.Locations[0];
    assert.equal(loc.Location, dir);
    assert.deepEqual([...loc.Removed].sort(), seeded.expectedRemoved);
    assert.deepEqual([...loc.Kept].sort(), seeded.expectedKept);
    assert.deepEqual(loc.Failed, []);
    assert.deepEqual(loc.WouldRemove, []);
    assert.equal(seeded.expectedRemoved.length, 30 + 45 + 4);

    const left = new Set(fs.readdirSync(dir));
    for (const n of seeded.expectedRemoved) {
      assert.ok(!left.has(n), `${n} should be gone`);
      assert.ok(!left.has(`${n}.sha256`), `${n}.sha256 should be gone`);
    }
    for (const n of seeded.expectedKept) assert.ok(left.has(n), `${n} should be kept`);
    for (const f of FOREIGN) assert.ok(left.has(f), `foreign ${f} must be untouched`);
    assert.ok(fs.statSync(path.join(dir, 'ServerBackup_Full_20251101_020000.zip')).isDirectory());
    assert.ok(result.Decisions.every((d) => d.Location === dir && d.reason.length > 0));
    assert.ok(lines.some(([l, m]) => l === 'INFO' && m.includes('79 removed')));
  });

  it('is idempotent: a second run removes nothing', async () => {
    await removeOldBackups({ locations: [folderLocation(dir)], retentionDays: DAYS, now: NOW });
    const second = await removeOldBackups({ locations: [folderLocation(dir)], retentionDays: DAYS, now: NOW });
    assert.deepEqual(second.Locations[0].Removed, []);
  });

  it('WhatIf lists what would go and deletes nothing', async () => {
    const before = fs.readdirSync(dir).sort();
    const result = await removeOldBackups({ locations: [folderLocation(dir)], retentionDays: DAYS, now: NOW, whatIf: true });
    assert.equal(result.WhatIf, true);
    assert.deepEqual([...result.Locations[0].WouldRemove].sort(), seeded.expectedRemoved);
    assert.deepEqual(result.Locations[0].Removed, []);
    assert.deepEqual(fs.readdirSync(dir).sort(), before);
  });

  it('a failed deletion is a warning: the run goes on, and the failed archive keeps its sidecar', async () => {
    const victim = seeded.expectedRemoved[0];
    const real = folderLocation(dir);
    const flaky: BackupLocation = {
      ...real,
      remove: async (name) => {
        if (name === victim) throw Object.assign(new Error(`EBUSY: resource busy or locked, unlink '${name}'`), { code: 'EBUSY' });
        return real.remove(name);
      },
    };
    const lines: Array<[LogLevel, string]> = [];
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'axb-ret2-'));
    temp.push(other);
    const otherSeed = seed(other);
    const result = await removeOldBackups({
      locations: [flaky, folderLocation(other)],
      retentionDays: DAYS,
      now: NOW,
      log: (l, m) => lines.push([l, m]),
    });
    assert.equal(result.Success, false);
    assert.deepEqual(result.Locations[0].Failed.map((f) => f.Name), [victim]);
    assert.match(result.Locations[0].Failed[0].Error, /EBUSY/);
    assert.equal(result.Locations[0].Removed.length, seeded.expectedRemoved.length - 1);
    assert.ok(fs.existsSync(path.join(dir, victim)));
    assert.ok(fs.existsSync(path.join(dir, `${victim}.sha256`)), 'a sidecar is never removed while its archive stays');
    assert.deepEqual([...result.Locations[1].Removed].sort(), otherSeed.expectedRemoved, 'the next location is still processed');
    assert.ok(lines.some(([l, m]) => l === 'WARNING' && m.includes(victim)));
  });

  it('a location that cannot be listed is a warning, and the others are still processed', async () => {
    const result = await removeOldBackups({
      locations: [folderLocation(path.join(dir, 'missing')), folderLocation(dir)],
      retentionDays: DAYS,
      now: NOW,
    });
    assert.equal(result.Success, false);
    assert.match(result.Locations[0].Error ?? '', /ENOENT/);
    assert.equal(result.Locations[1].Removed.length, seeded.expectedRemoved.length);
  });

  it('removes an orphan sidecar of our own name once past retention, and keeps a recent one', async () => {
    const oldOrphan = `${archiveFileName('Full', at(45, 5))}.sha256`;
    const newOrphan = `${archiveFileName('Full', at(2, 5))}.sha256`;
    fs.writeFileSync(path.join(dir, oldOrphan), 'x');
    fs.writeFileSync(path.join(dir, newOrphan), 'x');
    const result = await removeOldBackups({ locations: [folderLocation(dir)], retentionDays: DAYS, now: NOW });
    assert.ok(!fs.existsSync(path.join(dir, oldOrphan)));
    assert.ok(fs.existsSync(path.join(dir, newOrphan)));
    assert.ok(result.Decisions.some((d) => d.name === oldOrphan && /orphan sidecar/.test(d.reason)));
  });

  it('never removes the newest verified backup even if every backup is expired', async () => {
    const lonely = fs.mkdtempSync(path.join(os.tmpdir(), 'axb-ret3-'));
    temp.push(lonely);
    const old = archiveFileName('Full', at(200, 2));
    const older = archiveFileName('Full', at(300, 2));
    const newerButUnverified = archiveFileName('Full', at(100, 2));
    for (const n of [old, older, newerButUnverified]) fs.writeFileSync(path.join(lonely, n), 'a');
    fs.writeFileSync(path.join(lonely, `${old}.sha256`), `${shaOfFile(path.join(lonely, old))}  ${old}\n`);
    fs.writeFileSync(path.join(lonely, `${older}.sha256`), `${shaOfFile(path.join(lonely, older))}  ${older}\n`);
    // A sidecar that names another archive does not verify this one.
    fs.writeFileSync(path.join(lonely, `${newerButUnverified}.sha256`), `${SHA}  ${old}\n`);
    const result = await removeOldBackups({ locations: [folderLocation(lonely)], retentionDays: DAYS, now: NOW });
    assert.deepEqual(result.Locations[0].Removed, [older]);
    assert.deepEqual(fs.readdirSync(lonely).sort(), [old, `${old}.sha256`, newerButUnverified, `${newerButUnverified}.sha256`].sort());
  });

  it('removes our own temp files left by a killed copy once older than 48 h, and nothing that only looks similar', async () => {
    const old = new Date(NOW.getTime() - 49 * 3600_000);
    const stale = ['.ServerBackup_Full_20260220_020000.zip.0123456789ab.partial', '.ServerBackup_DB_20260220_020000.zip.sha256.0123456789ab.partial', '.alteryxbackup-probe-0123456789ab.tmp'];
    const fresh = '.ServerBackup_Full_20260301_020000.zip.abcdefabcdef.partial';
    const lookalike = '.Other_20260220_020000.zip.0123456789ab.partial';
    for (const n of [...stale, fresh, lookalike]) {
      fs.writeFileSync(path.join(dir, n), 'partial');
      if (n !== fresh) fs.utimesSync(path.join(dir, n), old, old);
    }
    fs.utimesSync(path.join(dir, fresh), NOW, NOW);
    const whatIf = await removeOldBackups({ locations: [folderLocation(dir)], retentionDays: DAYS, now: NOW, whatIf: true });
    assert.deepEqual([...whatIf.Locations[0].TemporariesRemoved].sort(), [...stale].sort());
    assert.ok(stale.every((n) => fs.existsSync(path.join(dir, n))));

    const result = await removeOldBackups({ locations: [folderLocation(dir)], retentionDays: DAYS, now: NOW });
    assert.deepEqual([...result.Locations[0].TemporariesRemoved].sort(), [...stale].sort());
    assert.ok(stale.every((n) => !fs.existsSync(path.join(dir, n))));
    assert.ok(fs.existsSync(path.join(dir, fresh)), 'a copy possibly still in progress is left alone');
    assert.ok(fs.existsSync(path.join(dir, lookalike)));
    assert.ok(fs.existsSync(path.join(dir, '.ServerBackup_Full_20251201_020000.zip.0a1b2c.partial')));
  });

  it('stops between deletions when cancelled', async () => {
    const controller = new AbortController();
    const real = folderLocation(dir);
    let removed = 0;
    const counting: BackupLocation = {
      ...real,
      remove: async (name) => {
        await real.remove(name);
        if (name.endsWith('.zip') && ++removed === 3) controller.abort();
      },
    };
    await assert.rejects(
      removeOldBackups({ locations: [counting], retentionDays: DAYS, now: NOW, signal: controller.signal }),
      (e: unknown) => e instanceof Error && e.name === 'CancelledError',
    );
    assert.equal(removed, 3);
    const left = new Set(fs.readdirSync(dir));
    const gone = seeded.expectedRemoved.filter((n) => !left.has(n));
    assert.equal(gone.length, 3);
    for (const n of gone) assert.ok(!left.has(`${n}.sha256`), 'each archive removed before the stop lost its sidecar too');
  });

  it('refuses an invalid policy before touching anything', async () => {
    const before = fs.readdirSync(dir).sort();
    await assert.rejects(
      removeOldBackups({ locations: [folderLocation(dir)], retentionDays: { Full: 0, DatabaseOnly: 14, ConfigOnly: 30 }, now: NOW }),
      ValidationError,
    );
    assert.deepEqual(fs.readdirSync(dir).sort(), before);
  });

  it('retentionLocations covers local, network and enabled clouds; a cloud without credential is a listing failure', async () => {
    const locations = retentionLocations({
      localBackupPath: dir,
      networkBackupPaths: ['/net/a'],
      cloud: {
        AzureBlob: { Enabled: true, AccountName: 'acct', ContainerName: 'c', EndpointUrl: '', Prefix: 'p', CredentialFile: '' },
        S3: {
          Enabled: false, Bucket: 'b', Region: 'us-east-1', EndpointUrl: '', ForcePathStyle: false, Prefix: '',
          AccessKeyId: '', CredentialFile: '', MultipartThresholdMB: 100,
        },
      },
      secrets: {},
    });
    assert.deepEqual(locations.map((l) => l.description), [dir, '/net/a', 'azure://acct/c/p/']);
    await assert.rejects(locations[2].list(), /no credential/);
  });
});
