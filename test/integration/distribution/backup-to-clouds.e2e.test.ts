/**
 * The "done when": a Full backup on the simulated host, run through
 * the real CLI the way the PowerShell bridge runs it, lands verified in the
 * local folder, two network folders, Azurite and s3rver. The cloud
 * credentials arrive on stdin only and appear nowhere in what the run
 * produced.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHost, destroyHost } from '../backup/backup-harness';
import { runCli } from '../../helpers/cli-harness';
import { listTree } from '../../helpers/temp-dir';
import { startAzurite, startS3rver, type AzuriteServer, type S3Server } from '../../helpers/test-servers';

async function sha(body: AsyncIterable<unknown>): Promise<string> {
  const h = createHash('sha256');
  for await (const c of body) h.update(c as Buffer);
  return h.digest('hex');
}

describe('Invoke-AlteryxBackup Full → local, two network folders, Azurite, s3rver', () => {
  let root: string;
  let configPath: string;
  let azurite: AzuriteServer;
  let s3: S3Server;
  let container: ContainerClient;

  before(async () => {
    [{ root, configPath }, azurite, s3] = await Promise.all([createHost(['--db-mb', '2']), startAzurite(), startS3rver('alteryx-backups')]);
    container = new BlobServiceClient(azurite.endpoint, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey)).getContainerClient('backups');
    await container.create();
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    config.CloudConfiguration = {
      AzureBlob: { Enabled: true, AccountName: azurite.accountName, ContainerName: 'backups', EndpointUrl: azurite.endpoint, Prefix: 'prod' },
      S3: {
        Enabled: true,
        Bucket: s3.bucket,
        Region: 'us-east-1',
        EndpointUrl: s3.endpoint,
        ForcePathStyle: true,
        Prefix: 'prod',
        AccessKeyId: s3.accessKeyId,
        MultipartThresholdMB: 5,
      },
    };
    fs.writeFileSync(configPath, JSON.stringify(config, null, 2));
  });

  after(async () => {
    destroyHost(root);
    await Promise.all([azurite?.stop(), s3?.stop()]);
  });

  it('lands verified everywhere, and the credentials appear nowhere', async () => {
    const r = await runCli('Invoke-AlteryxBackup', {
      configPath,
      parameters: { BackupMode: 'Full' },
      secrets: { AzureStorageKey: azurite.accountKey, S3SecretAccessKey: s3.secretAccessKey },
      timeoutMs: 180_000,
    });
    assert.equal(r.exitCode, 0, r.stdout.slice(-4000) + r.stderr);
    const s = r.result!.data;
    // Without SecurityConfiguration.EncryptSecretsTo the one warning is that the secrets are in plain text (issue 15).
    assert.equal(s.Status, 'Warning');
    assert.deepEqual(s.Warnings.filter((w: string) => !/plain text/.test(w)), []);
    const name = path.basename(s.ArchivePath);
    const localSha = createHash('sha256').update(fs.readFileSync(s.ArchivePath)).digest('hex');

    const dests = s.Destinations as Array<{ Kind: string; Success: boolean; SHA256Verified: boolean; FinalPath: string }>;
    assert.deepEqual(dests.map((d) => d.Kind), ['Local', 'Network', 'Network', 'AzureBlob', 'S3']);
    assert.ok(dests.every((d) => d.Success && d.SHA256Verified), JSON.stringify(dests, null, 2));
    assert.equal(s.DestinationsSucceeded, 5);
    assert.equal(s.DestinationsTotal, 5);

    for (const net of ['network1', 'network2']) {
      const copy = path.join(root, 'backups', net, name);
      assert.equal(createHash('sha256').update(fs.readFileSync(copy)).digest('hex'), localSha);
      assert.equal(fs.readFileSync(`${copy}.sha256`, 'utf8'), `${localSha}  ${name}\n`);
    }
    const blob = await container.getBlockBlobClient(`prod/${name}`).download();
    assert.equal(await sha(blob.readableStreamBody!), localSha);
    assert.equal((await container.getBlockBlobClient(`prod/${name}.sha256`).downloadToBuffer()).toString(), `${localSha}  ${name}\n`);
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    try {
      const obj = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `prod/${name}` }));
      assert.equal(await sha(obj.Body as AsyncIterable<unknown>), localSha);
      const side = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `prod/${name}.sha256` }));
      assert.equal(await side.Body!.transformToString(), `${localSha}  ${name}\n`);
    } finally {
      client.destroy();
    }

    // The account key never leaves stdin: not in the output, the log, or any file the run wrote.
    const secrets = [azurite.accountKey];
    const haystacks: Array<[string, Buffer]> = [['stdout', Buffer.from(r.stdout)], ['stderr', Buffer.from(r.stderr)]];
    for (const rel of listTree(root)) {
      if (rel.endsWith('/') || rel.startsWith('sim/') || rel.includes('Persistence/')) continue;
      haystacks.push([rel, fs.readFileSync(path.join(root, rel))]);
    }
    for (const [where, data] of haystacks) for (const secret of secrets) assert.ok(!data.includes(secret), `the account key leaked into ${where}`);
  });
});
