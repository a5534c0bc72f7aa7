import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHost, destroyHost } from './backup-harness';
import { runCli } from '../../helpers/cli-harness';
import { readZip } from '../../helpers/zip-reader';
import { createArchive } from '../../../src/archive';
import { archiveFileName } from '../../../src/core/backup-mode';
import { DEFAULT_MINIMUM_BACKUP_SIZE_MB, requiredEntries } from '../../../src/core/required-entries';

/**
 * Issue 11 point 11: "too small" must catch an empty or partial archive by
 * its required entries, not reject a healthy small one by bytes. Point 8:
 * %ProgramData%\Alteryx\Tools ("Connector Tools found in
 * %ProgramData%\Alteryx\Tools", listed under Optional on Alteryx's Disaster
 * Recovery Preparation page,
 * https://help.alteryx.com/current/en/server/install/server-host-recovery-guide/disaster-recovery-preparation.html)
 * goes into Full and ConfigOnly when it exists.
 */

let root: string;
let configPath: string;
before(async () => {
  ({ root, configPath } = await createHost(['--db-mb', '1']));
  // The schema's default minimums, not the simulated host's lowered ones.
  const cfg = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  delete cfg.ValidationConfiguration.MinimumBackupSizeMB;
  fs.writeFileSync(configPath, JSON.stringify(cfg, null, 2));
});
after(() => destroyHost(root));

function writeConfig(name: string, edit: (c: any) => void): string {
  const cfg = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  edit(cfg);
  const p = path.join(path.dirname(configPath), name);
  fs.writeFileSync(p, JSON.stringify(cfg, null, 2));
  return p;
}

/** Repacks a good archive without the entries `drop` names, with a manifest that agrees (so only the required-entry check can object). */
async function repackWithout(goodArchive: string, drop: (name: string) => boolean, tag: string): Promise<string> {
  const entries = await readZip(goodArchive);
  const manifest = JSON.parse(entries.get('BackupManifest.json')!.toString('utf8'));
  const src = path.join(root, 'temp', `${tag}-src`);
  for (const [name, data] of entries) {
    if (name.endsWith('/') || name === 'BackupManifest.json' || drop(name)) continue;
    fs.mkdirSync(path.dirname(path.join(src, name)), { recursive: true });
    fs.writeFileSync(path.join(src, name), data);
  }
  fs.mkdirSync(src, { recursive: true });
  const out = path.join(root, 'temp', `${tag}-out`);
  fs.mkdirSync(out, { recursive: true });
  manifest.BackedUpFiles = manifest.BackedUpFiles.filter((f: { RelativePathInArchive: string }) => !drop(f.RelativePathInArchive));
  const a = await createArchive({
    sourceDir: src,
    destinationDir: out,
    fileName: archiveFileName('ConfigOnly', new Date('2026-01-02T03:04:05Z')),
    compressionLevel: 'Optimal',
    parallelism: 0,
    buildManifest: (es) => {
      manifest.ArchiveEntries = es.filter((e) => !e.isDirectory).map((e) => ({ Path: e.archivePath, SizeBytes: e.sizeBytes, SHA256: e.sha256 }));
      return Buffer.from(JSON.stringify(manifest, null, 2));
    },
  });
  return a.archivePath;
}

test('required entries per mode', () => {
  const names = (m: 'Full' | 'DatabaseOnly' | 'ConfigOnly') => requiredEntries(m).map((r) => r.name);
  assert.deepEqual(names('ConfigOnly'), ['BackupManifest.json', 'Config/RuntimeSettings.xml', 'Config/ControllerToken.txt (or .txt.p7m)']);
  assert.ok(names('DatabaseOnly').some((s) => s.startsWith('MongoDB/')));
  assert.ok(!names('DatabaseOnly').some((s) => s.includes('RuntimeSettings')));
  assert.ok(names('Full').includes('Config/RuntimeSettings.xml') && names('Full').some((s) => s.startsWith('MongoDB/')));
  const token = requiredEntries('ConfigOnly').find((r) => r.name.startsWith('Config/ControllerToken'))!;
  assert.ok(token.pattern.test('Config/ControllerToken.txt') && token.pattern.test('Config/ControllerToken.txt.p7m'));
  assert.ok(!token.pattern.test('Config/ControllerToken.txt.bak'));
});

describe('ConfigOnly size floor (default minimums)', () => {
  let good: string;
  before(async () => {
    const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'ConfigOnly' } });
    assert.equal(r.exitCode, 0, r.stdout.slice(-3000));
    good = r.result!.data.ArchivePath as string;
  });

  test('a default-configured ConfigOnly backup passes Test-BackupIntegrity with the default minimums', async () => {
    const size = fs.statSync(good).size;
    assert.ok(size < 0.1 * 1048576, `a ConfigOnly archive is small: ${size} bytes, below the data model's old 0.1 MB floor`);
    assert.ok(size >= DEFAULT_MINIMUM_BACKUP_SIZE_MB.ConfigOnly * 1048576, `and above the ${DEFAULT_MINIMUM_BACKUP_SIZE_MB.ConfigOnly} MB default: ${size} bytes`);
    const t = await runCli('Test-BackupIntegrity', { configPath, parameters: { ArchivePath: good } });
    assert.equal(t.exitCode, 0, t.stdout.slice(-3000));
    assert.equal(t.result!.data.OverallStatus, true, JSON.stringify(t.result!.data.ValidationErrors));
    assert.equal(t.result!.data.ArchiveValidation.MinimumSizeMB, DEFAULT_MINIMUM_BACKUP_SIZE_MB.ConfigOnly);
    // Without a config file, the built-in defaults apply the same way.
    const t2 = await runCli('Test-BackupIntegrity', { parameters: { ArchivePath: good } });
    assert.equal(t2.result!.data.OverallStatus, true, JSON.stringify(t2.result!.data.ValidationErrors));
    assert.equal(t2.result!.data.ArchiveValidation.MinimumSizeMB, DEFAULT_MINIMUM_BACKUP_SIZE_MB.ConfigOnly);
  });

  test('an archive missing RuntimeSettings.xml fails Test-BackupIntegrity, naming it', async () => {
    const partial = await repackWithout(good, (n) => n === 'Config/RuntimeSettings.xml', 'no-rs');
    // Zero as the byte floor: only the required entry can fail it.
    const t = await runCli('Test-BackupIntegrity', { parameters: { ArchivePath: partial, MinimumSizeMB: 0 } });
    assert.notEqual(t.exitCode, 0);
    assert.equal(t.result!.data.OverallStatus, false);
    const errors: string[] = t.result!.data.ValidationErrors;
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0], /Config\/RuntimeSettings\.xml is missing/);
    assert.deepEqual(t.result!.data.ContentValidation.MissingFiles, ['Config/RuntimeSettings.xml']);
    assert.equal(t.result!.data.ContentValidation.ExpectedFilesPresent, false);
  });

  test('an archive holding only the manifest fails it; the same archive with -ExpectedMode DatabaseOnly names the missing dump', async () => {
    const empty = await repackWithout(good, () => true, 'empty');
    const size = fs.statSync(empty).size;
    const t = await runCli('Test-BackupIntegrity', { parameters: { ArchivePath: empty } });
    assert.equal(t.result!.data.OverallStatus, false);
    const errors: string[] = t.result!.data.ValidationErrors;
    assert.ok(errors.some((e) => /RuntimeSettings\.xml is missing/.test(e)), JSON.stringify(errors));
    assert.ok(errors.some((e) => /ControllerToken\.txt .*is missing/.test(e)), JSON.stringify(errors));
    // The byte floor is the second guard: a manifest-only archive is below it.
    assert.ok(size < DEFAULT_MINIMUM_BACKUP_SIZE_MB.ConfigOnly * 1048576, `manifest-only archive: ${size} bytes`);
    const db = await runCli('Test-BackupIntegrity', { parameters: { ArchivePath: empty, ExpectedMode: 'DatabaseOnly', MinimumSizeMB: 0 } });
    assert.ok(db.result!.data.ValidationErrors.some((e: string) => /MongoDB\/.*is missing/.test(e)), JSON.stringify(db.result!.data.ValidationErrors));
  });
});

describe('%ProgramData%\\Alteryx\\Tools (BackupConnectorTools)', () => {
  const toolsRoot = () => path.join(root, 'ProgramData', 'Alteryx', 'Tools');

  test('absent: no error, no warning about it, nothing under Config/Tools/', async () => {
    assert.ok(!fs.existsSync(toolsRoot()));
    const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'ConfigOnly' } });
    assert.equal(r.exitCode, 0, r.stdout.slice(-3000));
    assert.ok(!(r.result!.data.Warnings as string[]).some((w) => /Tools/.test(w)), JSON.stringify(r.result!.data.Warnings));
    const entries = await readZip(r.result!.data.ArchivePath);
    assert.ok(![...entries.keys()].some((k) => k.startsWith('Config/Tools')));
  });

  test('present: in ConfigOnly and Full archives and their manifests; left out with BackupConnectorTools false', async () => {
    const tool = path.join(toolsRoot(), 'SnowflakeConnector');
    fs.mkdirSync(tool, { recursive: true });
    fs.writeFileSync(path.join(tool, 'Connector.dll'), 'connector bytes');
    fs.writeFileSync(path.join(toolsRoot(), 'readme.txt'), 'top');
    try {
      for (const mode of ['ConfigOnly', 'Full']) {
        const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: mode } });
        assert.equal(r.exitCode, 0, `${mode}: ${r.stdout.slice(-3000)}`);
        const entries = await readZip(r.result!.data.ArchivePath);
        assert.equal(entries.get('Config/Tools/SnowflakeConnector/Connector.dll')?.toString(), 'connector bytes', mode);
        assert.equal(entries.get('Config/Tools/readme.txt')?.toString(), 'top', mode);
        const m = JSON.parse(entries.get('BackupManifest.json')!.toString('utf8'));
        const dir = m.BackedUpFiles.find((f: { RelativePathInArchive: string }) => f.RelativePathInArchive === 'Config/Tools/');
        assert.ok(dir, `${mode}: manifest lists Config/Tools/`);
        assert.equal(dir.Type, 'Directory');
        assert.equal(dir.FileCount, 2);
        assert.ok(m.ArchiveEntries.some((e: { Path: string }) => e.Path === 'Config/Tools/SnowflakeConnector/Connector.dll'), mode);
        const t = await runCli('Test-BackupIntegrity', { parameters: { ArchivePath: r.result!.data.ArchivePath } });
        assert.equal(t.result!.data.OverallStatus, true, `${mode}: ${JSON.stringify(t.result!.data.ValidationErrors)}`);
      }
      const off = writeConfig('no-tools.json', (c) => (c.FilesConfiguration.BackupConnectorTools = false));
      const r2 = await runCli('Invoke-AlteryxBackup', { configPath: off, parameters: { BackupMode: 'ConfigOnly' } });
      assert.equal(r2.exitCode, 0, r2.stdout.slice(-3000));
      const e2 = await readZip(r2.result!.data.ArchivePath);
      assert.ok(![...e2.keys()].some((k) => k.startsWith('Config/Tools')));
      assert.ok(e2.has('Config/RuntimeSettings.xml'));
      const plan = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'ConfigOnly' }, whatIf: true });
      assert.ok(JSON.stringify(plan.result!.data).includes(path.join('Alteryx', 'Tools')), 'the -WhatIf plan lists the Tools folder');
    } finally {
      fs.rmSync(toolsRoot(), { recursive: true, force: true });
    }
  });
});
