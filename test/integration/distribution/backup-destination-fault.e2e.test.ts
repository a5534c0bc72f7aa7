/**
 * Through the real CLI on the simulated host: one network destination is
 * read-only (a tmpfs mounted ro; root ignores mode bits, so chmod would prove
 * nothing). The backup still completes everywhere else, validation and
 * retention still run, the local archive stays, and the exit code is 4.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHost, destroyHost } from '../backup/backup-harness';
import { runCli } from '../../helpers/cli-harness';
import { tryMount, unmount } from '../../helpers/test-servers';

describe('Invoke-AlteryxBackup with a read-only network destination', () => {
  let root: string;
  let configPath: string;
  let readOnly: string;
  let mounted: { ok: true } | { ok: false; reason: string };

  before(async () => {
    ({ root, configPath } = await createHost());
    readOnly = path.join(root, 'backups', 'network2');
    mounted = tryMount(['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', readOnly]);
  });

  after(() => {
    if (mounted?.ok) unmount(readOnly);
    destroyHost(root);
  });

  it('exits 4 after doing everything else; the local archive and the other copy are intact', async (t) => {
    if (!mounted.ok) return t.skip(`cannot mount a read-only tmpfs here: ${mounted.reason}`);
    const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'ConfigOnly' } });
    assert.equal(r.exitCode, 4, r.stdout.slice(-3000));
    const s = r.result!.data;
    assert.equal(s.Status, 'Failed');
    assert.equal(r.result!.error?.code, 'DISTRIBUTION_FAILED');

    const dests = s.Destinations as Array<{ Kind: string; Destination: string; Success: boolean; Attempts: number; ErrorCode?: string }>;
    assert.deepEqual(dests.map((d) => [d.Kind, d.Success]), [['Local', true], ['Network', true], ['Network', false]]);
    const failed = dests[2];
    assert.equal(failed.Destination, readOnly);
    assert.equal(failed.ErrorCode, 'EROFS');
    assert.equal(failed.Attempts, 1, 'a read-only destination is not retried');

    // The local archive is kept and still matches its sidecar; the other network copy is complete.
    const name = path.basename(s.ArchivePath);
    const localSha = createHash('sha256').update(fs.readFileSync(s.ArchivePath)).digest('hex');
    assert.equal(fs.readFileSync(`${s.ArchivePath}.sha256`, 'utf8'), `${localSha}  ${name}\n`);
    const other = path.join(root, 'backups', 'network1', name);
    assert.equal(createHash('sha256').update(fs.readFileSync(other)).digest('hex'), localSha);
    assert.deepEqual(fs.readdirSync(readOnly), []);

    // "After everything else has been done": validation and retention ran.
    const phases = new Map((s.Phases as Array<{ Phase: string; Status: string }>).map((p) => [p.Phase, p.Status]));
    assert.equal(phases.get('Validate'), 'Succeeded');
    assert.equal(phases.get('Cleanup'), 'Succeeded');
    assert.ok(s.Retention, 'retention ran');
  });
});
