/**
 * Cloud destinations against real local servers: Azurite (Azure Blob) and
 * s3rver (S3), both started here on 127.0.0.1 with free ports and temp dirs.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
  type ContainerClient,
} from '@azure/storage-blob';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { BackupConfigFile, Secrets } from '../../../src/config/config-types';
import { CancelledError } from '../../../src/core/errors';
import { archiveFileName } from '../../../src/core/backup-mode';
import { copyBackupToDestinations, distributionFailure } from '../../../src/distribution/copy-to-destinations';
import type { LogLevel } from '../../../src/distribution/log-sink';
import { preflightCloud } from '../../../src/distribution/preflight';
import { removeOldBackups, retentionLocations } from '../../../src/retention/remove-old-backups';
import { freePort, makeTempDir, startAzurite, startCorruptingProxy, startS3rver, type AzuriteServer, type S3Server } from '../../helpers/test-servers';
import { makeArchive, sha256File, type ArchiveFixture } from './fixtures';

const MB = 1024 * 1024;
type Cloud = BackupConfigFile['CloudConfiguration'];

function cloudConfig(az: AzuriteServer | undefined, s3: S3Server | undefined, over: { azure?: Partial<Cloud['AzureBlob']>; s3?: Partial<Cloud['S3']> } = {}): Cloud {
  return {
    AzureBlob: {
      Enabled: az !== undefined,
      AccountName: az?.accountName ?? '',
      ContainerName: 'backups',
      EndpointUrl: az?.endpoint ?? '',
      Prefix: 'alteryx/prod',
      CredentialFile: '',
      ...over.azure,
    },
    S3: {
      Enabled: s3 !== undefined,
      Bucket: s3?.bucket ?? '',
      Region: 'us-east-1',
      EndpointUrl: s3?.endpoint ?? '',
      ForcePathStyle: true,
      Prefix: 'alteryx/prod/',
      AccessKeyId: s3?.accessKeyId ?? '',
      CredentialFile: '',
      MultipartThresholdMB: 5,
      ...over.s3,
    },
  };
}

async function streamSha(body: AsyncIterable<unknown>): Promise<string> {
  const h = createHash('sha256');
  for await (const c of body) h.update(c as Buffer);
  return h.digest('hex');
}

function logCollector(): { text: () => string; log: (l: LogLevel, m: string) => void } {
  const lines: string[] = [];
  return { text: () => lines.join('\n'), log: (l, m) => lines.push(`${l} ${m}`) };
}

describe('cloud destinations (Azurite, s3rver)', () => {
  let azurite: AzuriteServer;
  let s3: S3Server;
  let container: ContainerClient;
  let s3client: S3Client;
  let small: ArchiveFixture;
  let big: ArchiveFixture;
  const cleanup: string[] = [];

  before(async () => {
    [azurite, s3] = await Promise.all([startAzurite(), startS3rver('backups')]);
    const svc = new BlobServiceClient(azurite.endpoint, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey));
    container = svc.getContainerClient('backups');
    await container.create();
    s3client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    small = makeArchive(1 * MB, 'ServerBackup_Config_20260114_020015.zip');
    // Bigger than one 8 MiB block and the 5 MB multipart threshold: exercises block lists and multipart.
    big = makeArchive(20 * MB, 'ServerBackup_Full_20260114_020015.zip');
    cleanup.push(small.dir, big.dir);
  });

  after(async () => {
    s3client?.destroy();
    await Promise.all([azurite?.stop(), s3?.stop()]);
    for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
  });

  const secrets = (): Secrets => ({ AzureStorageKey: azurite.accountKey, S3SecretAccessKey: s3.secretAccessKey });

  it('a Full backup lands, verified, in two network folders, Azurite and s3rver', async () => {
    const netA = makeTempDir('net-a');
    const netB = makeTempDir('net-b');
    cleanup.push(netA, netB);
    const { text, log } = logCollector();
    const result = await copyBackupToDestinations({
      archivePath: big.archivePath,
      sha256: big.sha256,
      destinations: [netA, netB],
      cloud: cloudConfig(azurite, s3),
      secrets: secrets(),
      retry: { count: 1, delaySeconds: 0 },
      log,
    });
    assert.equal(result.Success, true, JSON.stringify(result, null, 2));
    assert.deepEqual(result.Destinations.map((d) => d.Kind), ['Network', 'Network', 'AzureBlob', 'S3']);
    assert.ok(result.Destinations.every((d) => d.SHA256Verified && d.Attempts === 1 && !d.AlreadyPresent));
    assert.equal(result.Destinations[2].FinalPath, `azure://devstoreaccount1/backups/alteryx/prod/${big.name}`);
    assert.equal(result.Destinations[3].FinalPath, `s3://backups/alteryx/prod/${big.name}`);

    // Azure: the blob's bytes, our metadata, and the sidecar.
    const blob = container.getBlockBlobClient(`alteryx/prod/${big.name}`);
    const dl = await blob.download();
    assert.equal(await streamSha(dl.readableStreamBody!), big.sha256);
    assert.equal(dl.metadata?.sha256, big.sha256);
    const blockList = await blob.getBlockList('committed');
    assert.ok((blockList.committedBlocks?.length ?? 0) >= 3, 'a 20 MB archive is uploaded as several blocks');
    const side = await container.getBlockBlobClient(`alteryx/prod/${big.name}.sha256`).downloadToBuffer();
    assert.equal(side.toString('utf8'), `${big.sha256}  ${big.name}\n`);

    // S3: the object's bytes (multipart: the ETag carries the part count), metadata, sidecar.
    // s3rver's ETag does not show the part count, so the log says which upload was used.
    assert.match(text(), /S3 multipart upload of ServerBackup_Full_20260114_020015\.zip: 3 parts of 8 MiB/);
    const head = await s3client.send(new HeadObjectCommand({ Bucket: 'backups', Key: `alteryx/prod/${big.name}` }));
    assert.equal(head.Metadata?.sha256, big.sha256);
    const obj = await s3client.send(new GetObjectCommand({ Bucket: 'backups', Key: `alteryx/prod/${big.name}` }));
    assert.equal(await streamSha(obj.Body as AsyncIterable<unknown>), big.sha256);
    const sideObj = await s3client.send(new GetObjectCommand({ Bucket: 'backups', Key: `alteryx/prod/${big.name}.sha256` }));
    assert.equal(await sideObj.Body!.transformToString(), `${big.sha256}  ${big.name}\n`);

    assert.equal(sha256File(big.archivePath), big.sha256);
    const everything = text() + JSON.stringify(result);
    assert.ok(!everything.includes(azurite.accountKey), 'the account key never appears');

    // A second run finds identical copies everywhere and overwrites nothing.
    const again = await copyBackupToDestinations({
      archivePath: big.archivePath,
      sha256: big.sha256,
      destinations: [netA, netB],
      cloud: cloudConfig(azurite, s3),
      secrets: secrets(),
      retry: { count: 0, delaySeconds: 0 },
    });
    assert.equal(again.Success, true);
    assert.ok(again.Destinations.every((d) => d.AlreadyPresent));
  });

  it('a small archive goes to S3 with a single PutObject', async () => {
    const { text, log } = logCollector();
    const result = await copyBackupToDestinations({
      archivePath: small.archivePath,
      sha256: small.sha256,
      destinations: [],
      cloud: cloudConfig(undefined, s3),
      secrets: secrets(),
      retry: { count: 0, delaySeconds: 0 },
      log,
    });
    assert.equal(result.Success, true, JSON.stringify(result));
    const head = await s3client.send(new HeadObjectCommand({ Bucket: 'backups', Key: `alteryx/prod/${small.name}` }));
    assert.match(text(), /S3 single PutObject/);
    assert.equal(head.ContentLength, small.size);
  });

  it('works with an Azure SAS token instead of the account key, and never shows the token', async () => {
    const sas = generateAccountSASQueryParameters(
      {
        expiresOn: new Date(Date.now() + 3600_000),
        permissions: AccountSASPermissions.parse('rwdlac'),
        resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
        services: AccountSASServices.parse('b').toString(),
      },
      new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey),
    ).toString();
    const { text, log } = logCollector();
    const result = await copyBackupToDestinations({
      archivePath: small.archivePath,
      sha256: small.sha256,
      destinations: [],
      cloud: cloudConfig(azurite, undefined, { azure: { Prefix: 'sas' } }),
      secrets: { AzureSasToken: `?${sas}` },
      retry: { count: 0, delaySeconds: 0 },
      log,
    });
    assert.equal(result.Success, true, JSON.stringify(result));
    assert.ok(await container.getBlockBlobClient(`sas/${small.name}.sha256`).exists());
    const sig = new URLSearchParams(sas).get('sig')!;
    assert.ok(!(text() + JSON.stringify(result)).includes(sig));
  });

  it('never overwrites a different blob or object under our name', async () => {
    await container.getBlockBlobClient(`taken/${small.name}`).upload('other', 5);
    await s3client.send(new PutObjectCommand({ Bucket: 'backups', Key: `taken/${small.name}`, Body: 'other' }));
    const result = await copyBackupToDestinations({
      archivePath: small.archivePath,
      sha256: small.sha256,
      destinations: [],
      cloud: cloudConfig(azurite, s3, { azure: { Prefix: 'taken' }, s3: { Prefix: 'taken' } }),
      secrets: secrets(),
      retry: { count: 3, delaySeconds: 30 },
      sleep: async () => assert.fail('an existing target must not be retried'),
    });
    assert.equal(result.Success, false);
    for (const d of result.Destinations) {
      assert.equal(d.Success, false);
      assert.equal(d.Attempts, 1);
      assert.equal(d.ErrorCode, 'DESTINATION_TARGET_EXISTS');
    }
    assert.equal((await container.getBlockBlobClient(`taken/${small.name}`).downloadToBuffer()).toString(), 'other');
    const obj = await s3client.send(new GetObjectCommand({ Bucket: 'backups', Key: `taken/${small.name}` }));
    assert.equal(await obj.Body!.transformToString(), 'other');
    assert.equal(distributionFailure(result)?.exitCode, 4);
  });

  it('deletes what it uploaded when the bytes do not match the expected SHA256', async () => {
    const wrong = 'c'.repeat(64);
    const result = await copyBackupToDestinations({
      archivePath: small.archivePath,
      sha256: wrong,
      destinations: [],
      cloud: cloudConfig(azurite, s3, { azure: { Prefix: 'mismatch' }, s3: { Prefix: 'mismatch' } }),
      secrets: secrets(),
      retry: { count: 2, delaySeconds: 30 },
      sleep: async () => assert.fail('a changed source must not be retried'),
    });
    assert.ok(result.Destinations.every((d) => !d.Success && d.ErrorCode === 'SOURCE_CHANGED'));
    assert.equal(await container.getBlockBlobClient(`mismatch/${small.name}`).exists(), false);
    const listed = await s3client.send(new ListObjectsV2Command({ Bucket: 'backups', Prefix: 'mismatch/' }));
    assert.equal(listed.KeyCount ?? 0, 0);
  });

  // s3rver does not check SigV4 signatures (only the access key id), so the S3 side uses an unknown key id.
  it('bad credentials fail at once (403 is permanent) and never leak the secret', async () => {
    const badKey = Buffer.from('definitely-not-the-key-0123456789').toString('base64');
    const { text, log } = logCollector();
    const result = await copyBackupToDestinations({
      archivePath: small.archivePath,
      sha256: small.sha256,
      destinations: [],
      cloud: cloudConfig(azurite, s3, { azure: { Prefix: 'badcred' }, s3: { Prefix: 'badcred', AccessKeyId: 'NOSUCHKEY' } }),
      secrets: { AzureStorageKey: badKey, S3SecretAccessKey: 'wrong-secret-value' },
      retry: { count: 3, delaySeconds: 30 },
      sleep: async () => assert.fail('bad credentials must not be retried'),
      log,
    });
    assert.equal(result.Success, false);
    assert.ok(result.Destinations.every((d) => !d.Success && d.Attempts === 1 && (d.Error ?? '').length > 0), JSON.stringify(result));
    const all = text() + JSON.stringify(result);
    assert.ok(!all.includes(badKey) && !all.includes('wrong-secret-value'));
  });

  it('an endpoint that is down at first (ECONNREFUSED) is transient: the retry succeeds once it is up', async () => {
    const port = await freePort();
    let late: S3Server | undefined;
    const waits: number[] = [];
    try {
      const result = await copyBackupToDestinations({
        archivePath: small.archivePath,
        sha256: small.sha256,
        destinations: [],
        cloud: cloudConfig(undefined, s3, { s3: { EndpointUrl: `http://127.0.0.1:${port}`, Prefix: 'late' } }),
        secrets: secrets(),
        retry: { count: 2, delaySeconds: 30 },
        sleep: async (ms) => {
          waits.push(ms);
          late ??= await startS3rver('backups', port);
        },
      });
      assert.equal(result.Success, true, JSON.stringify(result));
      assert.equal(result.Destinations[0].Attempts, 2);
      assert.deepEqual(waits, [30_000]);
    } finally {
      await late?.stop();
    }
  });

  it('cancellation mid-upload throws CancelledError and leaves no object under the final name', async () => {
    const controller = new AbortController();
    await assert.rejects(
      copyBackupToDestinations({
        archivePath: big.archivePath,
        sha256: big.sha256,
        destinations: [],
        cloud: cloudConfig(azurite, s3, { azure: { Prefix: 'cancel' }, s3: { Prefix: 'cancel' } }),
        secrets: secrets(),
        retry: { count: 3, delaySeconds: 30 },
        sleep: async () => assert.fail('a cancelled upload must not be retried'),
        signal: controller.signal,
        onProgress: (p) => {
          if (p.BytesCopied >= 2 * MB) controller.abort();
        },
      }),
      CancelledError,
    );
    const blobs: string[] = [];
    for await (const b of container.listBlobsFlat({ prefix: 'cancel/' })) blobs.push(b.name);
    assert.deepEqual(blobs, []);
    const objects = await s3client.send(new ListObjectsV2Command({ Bucket: 'backups', Prefix: 'cancel/' }));
    assert.equal(objects.KeyCount ?? 0, 0);
  });

  it('a read-back that does not match (bytes damaged on the way) deletes the object and retries; it never stays under the final name', async () => {
    const azurePort = Number(new URL(azurite.endpoint).port);
    const s3Port = Number(new URL(s3.endpoint).port);
    // Damage the first full read-back of each archive (not the existence checks, not the sidecars).
    let azureReads = 0;
    let s3Reads = 0;
    const azureProxy = await startCorruptingProxy(azurePort, (m, url) => m === 'GET' && /flaky\/ServerBackup_[^/?]*\.zip(\?|$)/.test(url) && azureReads++ === 0);
    const s3Proxy = await startCorruptingProxy(s3Port, (m, url) => m === 'GET' && /flaky\/ServerBackup_[^/?]*\.zip(\?|$)/.test(url) && s3Reads++ === 0);
    const { text, log } = logCollector();
    try {
      const result = await copyBackupToDestinations({
        archivePath: small.archivePath,
        sha256: small.sha256,
        destinations: [],
        cloud: cloudConfig(azurite, s3, {
          azure: { Prefix: 'flaky', EndpointUrl: `${azureProxy.endpoint}/${azurite.accountName}` },
          s3: { Prefix: 'flaky', EndpointUrl: s3Proxy.endpoint },
        }),
        secrets: secrets(),
        retry: { count: 2, delaySeconds: 30 },
        sleep: async () => undefined,
        log,
      });
      assert.equal(azureProxy.corrupted(), 1);
      assert.equal(s3Proxy.corrupted(), 1);
      assert.equal(result.Success, true, JSON.stringify(result, null, 2));
      assert.deepEqual(result.Destinations.map((d) => d.Attempts), [2, 2]);
      assert.equal((text().match(/does not match the archive after upload/g) ?? []).length, 2);
      const blob = await container.getBlockBlobClient(`flaky/${small.name}`).download();
      assert.equal(await streamSha(blob.readableStreamBody!), small.sha256);
      const obj = await s3client.send(new GetObjectCommand({ Bucket: 'backups', Key: `flaky/${small.name}` }));
      assert.equal(await streamSha(obj.Body as AsyncIterable<unknown>), small.sha256);
    } finally {
      await Promise.all([azureProxy.stop(), s3Proxy.stop()]);
    }
  });

  it('a read-back that never matches fails after the retries and leaves no archive under the final name', async () => {
    const azureProxy = await startCorruptingProxy(Number(new URL(azurite.endpoint).port), (m, url) => m === 'GET' && /broken\/ServerBackup_[^/?]*\.zip(\?|$)/.test(url));
    const s3Proxy = await startCorruptingProxy(Number(new URL(s3.endpoint).port), (m, url) => m === 'GET' && /broken\/ServerBackup_[^/?]*\.zip(\?|$)/.test(url));
    try {
      const result = await copyBackupToDestinations({
        archivePath: small.archivePath,
        sha256: small.sha256,
        destinations: [],
        cloud: cloudConfig(azurite, s3, {
          azure: { Prefix: 'broken', EndpointUrl: `${azureProxy.endpoint}/${azurite.accountName}` },
          s3: { Prefix: 'broken', EndpointUrl: s3Proxy.endpoint },
        }),
        secrets: secrets(),
        retry: { count: 2, delaySeconds: 30 },
        sleep: async () => undefined,
      });
      assert.equal(result.Success, false);
      assert.deepEqual(result.Destinations.map((d) => [d.ErrorCode, d.Attempts, d.SHA256Verified]), [
        ['DESTINATION_VERIFY_MISMATCH', 3, false],
        ['DESTINATION_VERIFY_MISMATCH', 3, false],
      ]);
      assert.equal(await container.getBlockBlobClient(`broken/${small.name}`).exists(), false);
      assert.equal(await container.getBlockBlobClient(`broken/${small.name}.sha256`).exists(), false);
      const listed = await s3client.send(new ListObjectsV2Command({ Bucket: 'backups', Prefix: 'broken/' }));
      assert.equal(listed.KeyCount ?? 0, 0);
      assert.equal(distributionFailure(result)?.exitCode, 4);
    } finally {
      await Promise.all([azureProxy.stop(), s3Proxy.stop()]);
    }
  });

  it('Azure refuses, at commit time, a blob that appeared after our existence check (If-None-Match: *)', async () => {
    let raced = false;
    const proxy = await startCorruptingProxy(
      Number(new URL(azurite.endpoint).port),
      () => false,
      async (method, url) => {
        // Just before our Put Block List: someone else writes the same name.
        if (!raced && method === 'PUT' && url.includes('race/') && url.includes('comp=blocklist')) {
          raced = true;
          await container.getBlockBlobClient(`race/${small.name}`).upload('someone else', 12);
        }
      },
    );
    try {
      const result = await copyBackupToDestinations({
        archivePath: small.archivePath,
        sha256: small.sha256,
        destinations: [],
        cloud: cloudConfig(azurite, undefined, { azure: { Prefix: 'race', EndpointUrl: `${proxy.endpoint}/${azurite.accountName}` } }),
        secrets: secrets(),
        retry: { count: 2, delaySeconds: 30 },
        sleep: async () => assert.fail('an existing target must not be retried'),
      });
      assert.ok(raced, 'the race was staged');
      assert.equal(result.Destinations[0].Success, false);
      assert.equal(result.Destinations[0].ErrorCode, 'DESTINATION_TARGET_EXISTS');
      assert.equal((await container.getBlockBlobClient(`race/${small.name}`).downloadToBuffer()).toString(), 'someone else');
    } finally {
      await proxy.stop();
    }
  });

  it('a cloud enabled without a credential is that destination failing, not a crash', async () => {
    const result = await copyBackupToDestinations({
      archivePath: small.archivePath,
      sha256: small.sha256,
      destinations: [],
      cloud: cloudConfig(azurite, s3),
      secrets: {},
      retry: { count: 3, delaySeconds: 30 },
      sleep: async () => assert.fail('missing configuration must not be retried'),
    });
    assert.deepEqual(result.Destinations.map((d) => [d.Kind, d.ErrorCode, d.Attempts]), [
      ['AzureBlob', 'CLOUD_NOT_CONFIGURED', 1],
      ['S3', 'CLOUD_NOT_CONFIGURED', 1],
    ]);
  });

  it('retention on both clouds removes exactly the expired backups under the prefix and nothing else', async () => {
    const now = new Date(2026, 2, 1, 12, 0, 0);
    const day = (k: number) => new Date(2026, 2, 1 - k, 2, 0, 0);
    const expiredFull = [40, 35].map((k) => archiveFileName('Full', day(k)));
    const keptFull = [10, 1].map((k) => archiveFileName('Full', day(k)));
    const expiredDbUnverified = archiveFileName('DatabaseOnly', day(20));
    const keptDb = archiveFileName('DatabaseOnly', day(2));
    const foreign = ['readme.txt', 'ServerBackup_DatabaseOnly_20250101_000000.zip', 'Other.zip.sha256'];
    const nested = `sub/${archiveFileName('Full', day(50))}`;
    const outside = archiveFileName('Full', day(55));

    const keys: Array<[string, string]> = [];
    for (const n of [...expiredFull, ...keptFull, keptDb]) {
      keys.push([`ret/${n}`, 'zip'], [`ret/${n}.sha256`, `${'ab'.repeat(32)}  ${n}\n`]);
    }
    keys.push([`ret/${expiredDbUnverified}`, 'zip']);
    for (const f of foreign) keys.push([`ret/${f}`, 'x']);
    keys.push([`ret/${nested}`, 'zip'], [`ret/${nested}.sha256`, `${'ab'.repeat(32)}  ${nested.slice(4)}\n`]);
    keys.push([outside, 'zip'], [`${outside}.sha256`, `${'ab'.repeat(32)}  ${outside}\n`]);
    for (const [k, body] of keys) {
      await container.getBlockBlobClient(k).upload(body, Buffer.byteLength(body));
      await s3client.send(new PutObjectCommand({ Bucket: 'backups', Key: k, Body: body }));
    }

    const locations = retentionLocations({
      localBackupPath: makeTempDir('ret-local'),
      networkBackupPaths: [],
      cloud: cloudConfig(azurite, s3, { azure: { Prefix: 'ret' }, s3: { Prefix: 'ret/' } }),
      secrets: secrets(),
    });
    cleanup.push(locations[0].description);

    const whatIf = await removeOldBackups({ locations, retentionDays: { Full: 30, DatabaseOnly: 14, ConfigOnly: 30 }, now, whatIf: true });
    assert.deepEqual([...whatIf.Locations[1].WouldRemove].sort(), [...expiredFull, expiredDbUnverified].sort());

    const result = await removeOldBackups({ locations, retentionDays: { Full: 30, DatabaseOnly: 14, ConfigOnly: 30 }, now });
    assert.equal(result.Success, true, JSON.stringify(result, null, 2));
    const expectedRemaining = [
      ...keys.map(([k]) => k).filter((k) => !expiredFull.some((n) => k.startsWith(`ret/${n}`)) && k !== `ret/${expiredDbUnverified}`),
    ].sort();
    for (const loc of result.Locations.slice(1)) {
      assert.deepEqual([...loc.Removed].sort(), [...expiredFull, expiredDbUnverified].sort(), loc.Location);
    }
    const azureLeft: string[] = [];
    for await (const b of container.listBlobsFlat()) azureLeft.push(b.name);
    const s3Left = ((await s3client.send(new ListObjectsV2Command({ Bucket: 'backups' }))).Contents ?? []).map((o) => o.Key!);
    const relevant = (k: string) => k.startsWith('ret/') || k.startsWith('ServerBackup_');
    assert.deepEqual(azureLeft.filter(relevant).sort(), expectedRemaining);
    assert.deepEqual(s3Left.filter(relevant).sort(), expectedRemaining);
  });

  it('pre-flight proves credential, container/bucket and write access, and leaves no probe behind', async () => {
    assert.deepEqual(await preflightCloud(cloudConfig(azurite, s3, { azure: { Prefix: 'pre' }, s3: { Prefix: 'pre' } }), secrets()), []);
    const blobs: string[] = [];
    for await (const b of container.listBlobsFlat({ prefix: 'pre/' })) blobs.push(b.name);
    assert.deepEqual(blobs, []);
    const objects = await s3client.send(new ListObjectsV2Command({ Bucket: 'backups', Prefix: 'pre/' }));
    assert.equal(objects.KeyCount ?? 0, 0);

    const problems = await preflightCloud(
      cloudConfig(azurite, s3, { azure: { ContainerName: 'no-such-container' }, s3: { Bucket: 'no-such-bucket' } }),
      secrets(),
    );
    assert.deepEqual(problems.map((p) => [p.Code, p.Destination]), [
      ['CLOUD_UNREACHABLE', 'azure://devstoreaccount1/no-such-container/alteryx/prod/'],
      ['CLOUD_UNREACHABLE', 's3://no-such-bucket/alteryx/prod/'],
    ]);
    assert.match(problems[0].Message, /ContainerNotFound|404/);
    assert.match(problems[1].Message, /NoSuchBucket|404/);

    const unconfigured = await preflightCloud(cloudConfig(azurite, s3), {});
    assert.deepEqual(unconfigured.map((p) => p.Code), ['CLOUD_NOT_CONFIGURED', 'CLOUD_NOT_CONFIGURED']);
  });
});
