/**
 * Get-AlteryxBackup over the local folder, two network folders (one in the
 * per-host layout `<path>/<HOSTNAME>/`, one flat), Azurite and s3rver, with
 * one copy tampered and one sidecar that disagrees.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { runCli } from '../../helpers/cli-harness';
import { startAzurite, startS3rver, type AzuriteServer, type S3Server } from '../../helpers/test-servers';
import { createHost, destroyHost } from './restore-harness';

describe('Get-AlteryxBackup: the catalog across every destination', { timeout: 600_000 }, () => {
  let root: string;
  let configPath: string;
  let azurite: AzuriteServer;
  let s3: S3Server;
  let container: ContainerClient;
  let secrets: Record<string, string>;
  let full: string;
  let config: string;

  before(async () => {
    [{ root, configPath }, azurite, s3] = await Promise.all([createHost(['--seed', 'catalog']), startAzurite(), startS3rver('alteryx-backups')]);
    container = new BlobServiceClient(azurite.endpoint, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey)).getContainerClient('backups');
    await container.create();
    const c = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    c.CloudConfiguration = {
      AzureBlob: { Enabled: true, AccountName: azurite.accountName, ContainerName: 'backups', EndpointUrl: azurite.endpoint, Prefix: 'prod' },
      S3: { Enabled: true, Bucket: s3.bucket, Region: 'us-east-1', EndpointUrl: s3.endpoint, ForcePathStyle: true, Prefix: 'prod', AccessKeyId: s3.accessKeyId, MultipartThresholdMB: 5 },
    };
    fs.writeFileSync(configPath, JSON.stringify(c, null, 2));
    secrets = { AzureStorageKey: azurite.accountKey, S3SecretAccessKey: s3.secretAccessKey };
    const run = async (mode: string) => {
      const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: mode }, secrets, timeoutMs: 180_000 });
      assert.equal(r.exitCode, 0, JSON.stringify(r.result?.error));
      return r.result!.data.ArchivePath as string;
    };
    full = await run('Full');
    config = await run('ConfigOnly');
    // network2 in the per-host layout.
    const net2 = path.join(root, 'backups', 'network2');
    const hostDir = path.join(net2, 'ALTERYX-SIM-01');
    fs.mkdirSync(hostDir);
    for (const f of fs.readdirSync(net2)) if (f.startsWith('ServerBackup_')) fs.renameSync(path.join(net2, f), path.join(hostDir, f));
    // s3: the Full backup also under the host prefix.
    const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    for (const f of [path.basename(full), `${path.basename(full)}.sha256`]) {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `prod/ALTERYX-SIM-01/${f}`, Body: fs.readFileSync(path.join(path.dirname(full), f)) }));
    }
    client.destroy();
    // Tampered: network1's copy of the Full archive (its sidecar unchanged).
    const tampered = path.join(root, 'backups', 'network1', path.basename(full));
    const bytes = fs.readFileSync(tampered);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    fs.writeFileSync(tampered, bytes);
    // Disagreeing: Azure's sidecar of the Config archive names another hash.
    const name = path.basename(config);
    const other = `${'ab'.repeat(32)}  ${name}\n`;
    await container.getBlockBlobClient(`prod/${name}.sha256`).upload(other, Buffer.byteLength(other));
  });

  after(async () => {
    destroyHost(root);
    await Promise.all([azurite?.stop(), s3?.stop()]);
  });

  const list = async (parameters: Record<string, unknown> = {}) => {
    const r = await runCli('Get-AlteryxBackup', { configPath, parameters, secrets, timeoutMs: 120_000 });
    assert.equal(r.exitCode, 0, JSON.stringify(r.result?.error) + r.stderr);
    return r.result!.data as any[];
  };

  it('lists every backup once, newest first, with every location, the sidecar SHA256, size and hostname', async () => {
    const all = await list();
    assert.deepEqual(all.map((e) => e.FileName), [path.basename(config), path.basename(full)]);
    const f = all[1];
    assert.equal(f.Mode, 'Full');
    assert.equal(f.Hostname, 'ALTERYX-SIM-01');
    assert.equal(f.SizeBytes, fs.statSync(full).size);
    assert.equal(f.SHA256, createHash('sha256').update(fs.readFileSync(full)).digest('hex'));
    const kinds = f.Locations.map((l: any) => `${l.Kind}:${l.Location.replace(root, '').replace(/\\/g, '/')}`).sort();
    assert.deepEqual(kinds.map((k: string) => k.split(':')[0]), ['AzureBlob', 'Local', 'Network', 'Network', 'S3', 'S3']);
    assert.ok(kinds.some((k: string) => k.endsWith('/backups/network2/ALTERYX-SIM-01')), kinds.join(', '));
    assert.ok(f.Locations.some((l: any) => l.Kind === 'S3' && /ALTERYX-SIM-01/.test(l.Location)), 'the per-host cloud prefix');
    assert.equal(f.CopiesAgree, true);
    assert.equal(f.Verified, true, 'without -Verify, the sidecars agree');
  });

  it('flags copies whose sidecars disagree, without -Verify', async () => {
    const [c] = await list({ BackupMode: 'ConfigOnly' });
    assert.equal(c.FileName, path.basename(config));
    assert.equal(c.CopiesAgree, false);
    assert.equal(c.Verified, false);
    assert.equal(c.SHA256, null);
    assert.ok(c.Warnings.some((w: string) => /disagree/.test(w)));
  });

  it('-Verify hashes every folder copy and runs the full check: the tampered copy is flagged, ArchivePath is a good copy', async () => {
    const [f] = await list({ BackupMode: 'Full', Verify: true });
    assert.equal(f.Verified, false);
    const bad = f.Locations.find((l: any) => l.Path && l.Path.includes('network1'));
    assert.equal(bad.Verified, false);
    assert.ok(f.Locations.filter((l: any) => l.Path && !l.Path.includes('network1')).every((l: any) => l.Verified === true));
    assert.ok(f.Warnings.some((w: string) => w.includes('network1')));
    assert.ok(!f.ArchivePath.includes('network1'));
  });

  it('-Latest returns the newest; the entry feeds Test-BackupIntegrity', async () => {
    const latest = await list({ Latest: true });
    assert.equal(latest.length, 1);
    assert.equal(latest[0].FileName, path.basename(config));
    const [f] = await list({ BackupMode: 'Full', Latest: true });
    const t = await runCli('Test-BackupIntegrity', { configPath, parameters: { ArchivePath: f.ArchivePath }, timeoutMs: 120_000 });
    assert.equal(t.exitCode, 0);
    assert.equal(t.result!.data.OverallStatus, true);
  });
});
