import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli-harness';
import { readManifestFromArchive } from '../../../src/backup/read-manifest';
import { createHost, destroyHost, hostJson, tempDir } from '../sim/sim-harness';

/**
 * Standalone Compress-BackupArchive (CONTRACTS.md §8) builds its manifest
 * from the hashes of the one read that compresses, and gathers the
 * environment facts (getversion, service accounts) while it compresses
 * (issue 14). What it must still deliver: every entry's SHA256 equal to the
 * staged file's, and the Server version the simulated getversion prints.
 */
describe('Compress-BackupArchive on a staging folder', () => {
  let host: { root: string; configPath: string } | undefined;
  let work = '';

  before(async () => {
    host = await createHost();
    work = tempDir('compress-standalone-');
  });
  after(() => {
    destroyHost(host?.root);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('hashes each staged file once into the manifest and records the Server version', async () => {
    const staging = path.join(work, 'staging');
    const files: Record<string, Buffer> = {
      'Config/RuntimeSettings.xml': Buffer.from('<SystemSettings><Controller/></SystemSettings>\r\n'),
      'Config/Keys/key1.bin': Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) & 255)),
      'MongoDB/AlteryxGallery/users.bson': Buffer.alloc(200_000, 7),
    };
    for (const [rel, bytes] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(staging, rel)), { recursive: true });
      fs.writeFileSync(path.join(staging, rel), bytes);
    }
    const r = await runCli('Compress-BackupArchive', { configPath: host!.configPath, parameters: { SourcePath: staging, DestinationPath: path.join(work, 'out'), BackupMode: 'Full' }, timeoutMs: 120_000 });
    assert.equal(r.result?.exitCode, 0, r.stdout + r.stderr);
    const manifest = await readManifestFromArchive(r.result!.data.ArchivePath as string);
    assert.equal(manifest.SystemInformation?.AlteryxServerVersion, hostJson(host!.root).alteryxVersion);
    const entries = JSON.stringify(manifest);
    for (const [rel, bytes] of Object.entries(files)) {
      const sha = createHash('sha256').update(bytes).digest('hex');
      assert.ok(entries.includes(sha), `the manifest has the SHA256 of ${rel}`);
    }
  });
});
