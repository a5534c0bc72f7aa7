import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { archiveFileName, type BackupMode } from '../../../src/core/backup-mode';
import { formatSidecar, sidecarName } from '../../../src/distribution/sidecar';
import { hostCloudPrefix, hostNetworkPath, hostScopedDestinations } from '../../../src/distribution/host-folders';
import { folderLocation } from '../../../src/retention/backup-location';
import { removeOldBackups, retentionLocations } from '../../../src/retention/remove-old-backups';

/**
 * Shared destinations and retention, on real folders: two servers copy to one
 * share; each one's retention must touch only its own backups, and never the
 * flat legacy files. Then: retention re-hashes the backup that justifies a
 * removal before removing anything.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shared-dest-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const DAY = 86_400_000;
const NOW = new Date('2026-11-27T03:00:00Z');

function writeBackup(dir: string, mode: BackupMode, when: Date, content = `archive ${mode} ${when.toISOString()} ${dir}`): string {
  fs.mkdirSync(dir, { recursive: true });
  const name = archiveFileName(mode, when);
  fs.writeFileSync(path.join(dir, name), content);
  fs.writeFileSync(path.join(dir, sidecarName(name)), formatSidecar(createHash('sha256').update(content).digest('hex'), name));
  return name;
}
function history(dir: string, days: number): string[] {
  const names: string[] = [];
  for (let d = 0; d < days; d++) names.push(writeBackup(dir, 'Full', new Date(NOW.getTime() - d * DAY - 3600_000)));
  return names;
}

describe('two hosts, one shared network folder', () => {
  const share = path.join(tmp, 'share');
  const config = (host: string) =>
    hostScopedDestinations(
      {
        NetworkBackupPaths: [share],
        file: { BackupConfiguration: { HostSubfolder: true }, CloudConfiguration: { AzureBlob: { Prefix: 'alteryx' }, S3: { Prefix: '' } } } as any,
      },
      host,
    );

  test('the layout: <share>/<HOSTNAME>/ and <prefix>/<HOSTNAME>/', () => {
    assert.equal(config('alteryx-a').networkPaths[0], path.join(share, 'ALTERYX-A'));
    assert.equal(hostNetworkPath('\\\\nas\\backups', 'srv01'), '\\\\nas\\backups\\SRV01');
    assert.equal(config('alteryx-a').cloud.AzureBlob.Prefix, 'alteryx/ALTERYX-A/');
    assert.equal(hostCloudPrefix('', 'b'), 'B/');
    const off = hostScopedDestinations({ NetworkBackupPaths: [share], file: { BackupConfiguration: { HostSubfolder: false }, CloudConfiguration: { AzureBlob: { Prefix: 'x' }, S3: { Prefix: '' } } } as any }, 'a');
    assert.deepEqual(off.networkPaths, [share]);
  });

  test('60-day histories each; retention on each host removes only its own, and never the flat legacy files', async () => {
    const a = config('ALTERYX-A').networkPaths[0];
    const b = config('ALTERYX-B').networkPaths[0];
    const aNames = history(a, 60);
    const bNames = history(b, 60);
    // Legacy flat layout from before HostSubfolder: old enough to be expired, and must survive.
    const legacy = [writeBackup(share, 'Full', new Date(NOW.getTime() - 90 * DAY)), writeBackup(share, 'Full', new Date(NOW.getTime() - 1 * DAY))];
    const retention = { Full: 30, DatabaseOnly: 14, ConfigOnly: 30 };

    const ra = await removeOldBackups({ locations: retentionLocations({ localBackupPath: path.join(tmp, 'localA'), networkBackupPaths: [a] }).slice(1), retentionDays: retention, now: NOW });
    assert.equal(ra.Success, true);
    const removedA = ra.Locations[0].Removed;
    assert.equal(removedA.length, 30, 'days 30..59 of host A are past 30 days');
    assert.ok(removedA.every((n) => aNames.includes(n)));
    // Host B is untouched by A's retention.
    assert.deepEqual(fs.readdirSync(b).filter((n) => n.endsWith('.zip')).sort(), [...bNames].sort());
    const rb = await removeOldBackups({ locations: [folderLocation(b)], retentionDays: retention, now: NOW });
    assert.equal(rb.Locations[0].Removed.length, 30);
    assert.equal(fs.readdirSync(a).filter((n) => n.endsWith('.zip')).length, 30);
    assert.equal(fs.readdirSync(b).filter((n) => n.endsWith('.zip')).length, 30);
    // The legacy files in the share's root were never looked at.
    for (const n of legacy) {
      assert.ok(fs.existsSync(path.join(share, n)), n);
      assert.ok(fs.existsSync(path.join(share, sidecarName(n))), n);
    }
  });
});

describe('retention re-checks the SHA256 of the backup that justifies a removal', () => {
  test('truncated newest Full with a well-formed sidecar + an expired good one: nothing removed, a warning', async () => {
    const dir = path.join(tmp, 'recheck');
    const old = writeBackup(dir, 'Full', new Date(NOW.getTime() - 45 * DAY));
    const newest = writeBackup(dir, 'Full', new Date(NOW.getTime() - DAY), 'x'.repeat(4096));
    fs.truncateSync(path.join(dir, newest), 1000); // cut short after its sidecar was written
    const logs: string[] = [];
    const r = await removeOldBackups({
      locations: [folderLocation(dir)],
      retentionDays: { Full: 30, DatabaseOnly: 14, ConfigOnly: 30 },
      now: NOW,
      log: (level: string, message: string) => logs.push(`${level} ${message}`),
    } as any);
    assert.deepEqual(r.Locations[0].Removed, []);
    assert.ok(fs.existsSync(path.join(dir, old)), 'the good expired backup is kept');
    assert.ok(logs.some((l) => /^WARNING .*removed nothing of mode Full.*fails its check/.test(l)), logs.join('\n'));
    const d = r.Decisions.find((x) => x.name === old)!;
    assert.equal(d.action, 'keep');
    assert.match(d.reason, /SHA256 re-check/);
  });

  test('the same folder with an intact newest backup: the expired one goes', async () => {
    const dir = path.join(tmp, 'recheck-ok');
    const old = writeBackup(dir, 'Full', new Date(NOW.getTime() - 45 * DAY));
    writeBackup(dir, 'Full', new Date(NOW.getTime() - DAY));
    const r = await removeOldBackups({ locations: [folderLocation(dir)], retentionDays: { Full: 30, DatabaseOnly: 14, ConfigOnly: 30 }, now: NOW });
    assert.deepEqual(r.Locations[0].Removed, [old]);
  });
});
