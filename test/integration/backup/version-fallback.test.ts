import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createHost, destroyHost, hostJson, setFaults } from './backup-harness';
import { runCli } from '../../helpers/cli-harness';
import { readZip } from '../../helpers/zip-reader';
import { hostPaths } from '../../../src/sim/host-layout';

/**
 * Issue 11 point 6: the manifest's Alteryx Server version comes from
 * `AlteryxService getversion`, else from the file version of
 * AlteryxService.exe (the simulated host's bin/AlteryxService.exe carries a
 * version resource; src/platform/pe-version.ts reads it). Neither: null and
 * a WARNING, and the backup still succeeds.
 */
let root: string;
let configPath: string;
let version: string;
before(async () => {
  ({ root, configPath } = await createHost(['--db-mb', '0.5']));
  version = hostJson(root).alteryxVersion;
});
after(() => destroyHost(root));

async function backup(mode: string) {
  const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: mode } });
  assert.equal(r.exitCode, 0, r.stdout.slice(-3000));
  const entries = await readZip(r.result!.data.ArchivePath);
  const manifest = JSON.parse(entries.get('BackupManifest.json')!.toString('utf8'));
  const warnings = (r.result!.data.Warnings as string[]).filter((w) => /version/i.test(w));
  return { manifest, warnings, summary: r.result!.data };
}

test('getversion works: its version, no version warning', async () => {
  const { manifest, warnings } = await backup('ConfigOnly');
  assert.equal(manifest.SystemInformation.AlteryxServerVersion, version);
  assert.deepEqual(warnings, []);
});

test('getversion fails: the file version of AlteryxService.exe, with a WARNING, in every mode', async () => {
  setFaults(root, { getversionFail: true });
  try {
    for (const mode of ['DatabaseOnly', 'ConfigOnly', 'Full']) {
      const { manifest, warnings, summary } = await backup(mode);
      assert.equal(manifest.SystemInformation.AlteryxServerVersion, version, mode);
      assert.equal(warnings.length, 1, `${mode}: one version warning, not one per reader: ${JSON.stringify(summary.Warnings)}`);
      assert.match(warnings[0], /getversion failed \(exit code 1\).*file version of .*AlteryxService\.exe/, mode);
      assert.ok((manifest.Warnings as string[]).some((w) => /file version of/.test(w)), `${mode}: the manifest's Warnings say where the version came from`);
    }
  } finally {
    setFaults(root, { getversionFail: false });
  }
});

test('getversion fails and the file has no version resource: null, a WARNING, and the backup succeeds', async () => {
  const image = hostPaths(root).alteryxServiceImage;
  const saved = fs.readFileSync(image);
  setFaults(root, { getversionFail: true });
  fs.writeFileSync(image, '#!/bin/sh\n# not a PE image\n'.padEnd(100, ' '));
  try {
    for (const mode of ['DatabaseOnly', 'ConfigOnly']) {
      const { manifest, warnings, summary } = await backup(mode);
      assert.equal(manifest.SystemInformation.AlteryxServerVersion, null, mode);
      assert.notEqual(summary.Status, 'Failed');
      assert.equal(warnings.length, 1, `${mode}: ${JSON.stringify(summary.Warnings)}`);
      assert.match(warnings[0], /Could not read the Alteryx Server version: .*getversion failed \(exit code 1\).*no MZ header/, mode);
    }
    fs.rmSync(image);
    const { manifest, warnings } = await backup('ConfigOnly');
    assert.equal(manifest.SystemInformation.AlteryxServerVersion, null);
    assert.ok(warnings.some((w) => /Could not read the Alteryx Server version: .*ENOENT/.test(w)), JSON.stringify(warnings));
  } finally {
    fs.writeFileSync(image, saved);
    setFaults(root, { getversionFail: false });
  }
});
