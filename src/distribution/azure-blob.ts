import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import type * as AzureSdk from '@azure/storage-blob';
import type { BackupConfigFile, Secrets } from '../config/config-types';
import { StorageError } from '../core/errors';
import { hashingPassThrough, sha256OfStream } from './checksum';
import { normalizePrefix, probeName, type CloudTarget, type CloudUploadOptions, type CloudUploadOutcome } from './cloud-target';
import { formatSidecar, parseSidecar, sidecarName } from './sidecar';

export type AzureBlobSettings = BackupConfigFile['CloudConfiguration']['AzureBlob'];

const MIB = 1024 * 1024;
/** A block blob holds at most 50,000 blocks; stay below so a 500 GB archive still fits. */
const MAX_BLOCKS = 45_000;
const MIN_BLOCK = 8 * MIB;
const CONCURRENCY = 4;

/**
 * Block size for a streamed upload of `size` bytes: 8 MiB, or larger when 8 MiB
 * blocks would exceed the block limit (8 MiB × 50,000 is only 390 GiB).
 * Memory use is about block size × (CONCURRENCY + 1), whatever the archive size.
 */
export function azureBlockSize(size: number): number {
  return Math.max(MIN_BLOCK, Math.ceil(size / MAX_BLOCKS / MIB) * MIB);
}

/**
 * Azure Blob Storage destination.
 *
 * Credentials: the account key (StorageSharedKeyCredential) or a SAS token,
 * both only from `secrets`, never from the JSON file. `EndpointUrl` points at
 * Azurite or a sovereign cloud; empty means `https://<account>.blob.core.windows.net`.
 *
 * Verification: the blob is downloaded in full and its SHA256 compared with
 * the archive's. The service's own checksums do not prove the whole blob:
 * a block blob assembled with Put Block List has no service-computed MD5 of
 * the whole content (Content-MD5 is whatever the client asserts), and the
 * per-block transactional MD5/CRC64 only cover each request in transit. Our
 * SHA256 is also stored as the `sha256` metadata value for an admin to see.
 *
 * No overwrite: the commit carries `If-None-Match: *`, so the service itself
 * refuses to replace an existing blob, even one created after our check.
 */
export function createAzureBlobTarget(settings: AzureBlobSettings, secrets: Secrets): CloudTarget {
  const container = azureContainerClient(settings, secrets);
  const prefix = normalizePrefix(settings.Prefix);
  const description = azureLocationLabel(settings);
  const blobPath = (name: string) => `${description}${name}`;

  async function readBlobSha(name: string, signal?: AbortSignal): Promise<string> {
    const response = await container.getBlockBlobClient(prefix + name).download(0, undefined, { abortSignal: signal });
    if (!response.readableStreamBody) throw new StorageError(`Azure returned no body for '${blobPath(name)}'.`, 'CLOUD_READ_FAILED');
    return (await sha256OfStream(response.readableStreamBody)).sha256;
  }

  async function existingState(name: string, expected: string, signal?: AbortSignal): Promise<'absent' | 'same'> {
    if (!(await container.getBlockBlobClient(prefix + name).exists({ abortSignal: signal }))) return 'absent';
    if ((await readBlobSha(name, signal)) === expected) return 'same';
    throw new StorageError(
      `'${blobPath(name)}' already exists with different content; it was left untouched and not overwritten.`,
      'DESTINATION_TARGET_EXISTS',
    );
  }

  async function putSidecar(name: string, sha256: string, signal?: AbortSignal): Promise<void> {
    const sideName = sidecarName(name);
    const content = formatSidecar(sha256, name);
    const client = container.getBlockBlobClient(prefix + sideName);
    try {
      await client.upload(content, Buffer.byteLength(content), {
        abortSignal: signal,
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'text/plain; charset=utf-8' },
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const back = await readText(sideName, 64 * 1024, signal);
    const parsed = back === undefined ? undefined : parseSidecar(back, name);
    if (!parsed || parsed.sha256 !== sha256) {
      throw new StorageError(
        `'${blobPath(sideName)}' exists but does not hold this archive's SHA256; it was left untouched.`,
        'DESTINATION_TARGET_EXISTS',
      );
    }
  }

  async function readText(name: string, maxBytes: number, signal?: AbortSignal): Promise<string | undefined> {
    const client = container.getBlockBlobClient(prefix + name);
    try {
      const props = await client.getProperties({ abortSignal: signal });
      if ((props.contentLength ?? 0) > maxBytes) return undefined;
      return (await client.downloadToBuffer(0, undefined, { abortSignal: signal })).toString('utf8');
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  return {
    kind: 'AzureBlob',
    description,

    async uploadVerified(options: CloudUploadOptions): Promise<CloudUploadOutcome> {
      const name = path.basename(options.archivePath);
      const expected = options.sha256.toLowerCase();
      const { signal } = options;
      const finalPath = blobPath(name);
      if ((await existingState(name, expected, signal)) === 'same') {
        await putSidecar(name, expected, signal);
        return { finalPath, alreadyPresent: true };
      }

      const total = (await fs.stat(options.archivePath)).size;
      const client = container.getBlockBlobClient(prefix + name);
      const hashing = hashingPassThrough((n) => options.onProgress?.(n, total));
      let etag: string | undefined;
      try {
        const blockSize = azureBlockSize(total);
        const source = createReadStream(options.archivePath, { highWaterMark: MIB, signal });
        source.on('error', (e) => hashing.stream.destroy(e));
        source.pipe(hashing.stream);
        let uploaded;
        try {
          uploaded = await client.uploadStream(hashing.stream, blockSize, CONCURRENCY, {
            abortSignal: signal,
            metadata: { sha256: expected },
            blobHTTPHeaders: { blobContentType: 'application/zip' },
            conditions: { ifNoneMatch: '*' },
          });
        } finally {
          source.destroy();
        }
        etag = uploaded.etag;
      } catch (err) {
        if (isAlreadyExists(err) && (await existingState(name, expected, signal)) === 'same') {
          await putSidecar(name, expected, signal);
          return { finalPath, alreadyPresent: true };
        }
        throw err;
      }

      const sourceSha = hashing.digest();
      if (sourceSha !== expected) {
        await deleteOurs(client, etag);
        throw new StorageError(
          `The local archive '${options.archivePath}' no longer matches its SHA256 (expected ${expected}, read ${sourceSha}); the upload was deleted.`,
          'SOURCE_CHANGED',
        );
      }
      const readBack = await readBlobSha(name, signal);
      if (readBack !== expected) {
        await deleteOurs(client, etag);
        throw new StorageError(
          `'${finalPath}' does not match the archive after upload (expected SHA256 ${expected}, read back ${readBack}); it was deleted.`,
          'DESTINATION_VERIFY_MISMATCH',
        );
      }
      await putSidecar(name, expected, signal);
      return { finalPath, alreadyPresent: false };
    },

    async list(): Promise<string[]> {
      const names: string[] = [];
      for await (const item of container.listBlobsByHierarchy('/', { prefix })) {
        if (item.kind === 'blob') names.push(item.name.slice(prefix.length));
      }
      return names;
    },

    readSmallText: (name, maxBytes) => readText(name, maxBytes),

    // The Azure pipeline keeps no resources that need releasing.
    close: () => undefined,

    async probe(): Promise<void> {
      const name = probeName(randomBytes(6).toString('hex'));
      const content = randomBytes(32).toString('hex');
      const client = container.getBlockBlobClient(prefix + name);
      await client.upload(content, content.length, { conditions: { ifNoneMatch: '*' } });
      try {
        const back = (await client.downloadToBuffer()).toString('utf8');
        if (back !== content) throw new StorageError(`A probe written to '${description}' read back different bytes.`, 'CLOUD_READ_FAILED');
      } finally {
        await client.delete();
      }
    },

    async remove(name: string): Promise<void> {
      await container.getBlockBlobClient(prefix + name).deleteIfExists();
    },
  };
}

/** Deletes a blob we just wrote, and only if it is still the version we wrote. */
async function deleteOurs(client: ReturnType<ContainerClient['getBlockBlobClient']>, etag: string | undefined): Promise<void> {
  await client.delete({ conditions: etag ? { ifMatch: etag } : undefined }).catch(() => undefined);
}

function isAlreadyExists(err: unknown): boolean {
  const e = err as { statusCode?: number; code?: string };
  return e?.statusCode === 409 || e?.statusCode === 412 || e?.code === 'BlobAlreadyExists' || e?.code === 'ConditionNotMet';
}

/** `azure://<account>/<container>/<prefix>/`: how results and logs name this destination. */
export function azureLocationLabel(settings: AzureBlobSettings): string {
  return `azure://${settings.AccountName || 'account'}/${settings.ContainerName}/${normalizePrefix(settings.Prefix)}`;
}

export function azureContainerClient(settings: AzureBlobSettings, secrets: Secrets): ContainerClient {
  if (!settings.ContainerName) {
    throw new StorageError('CloudConfiguration.AzureBlob.ContainerName is empty.', 'CLOUD_NOT_CONFIGURED');
  }
  if (!settings.AccountName && !settings.EndpointUrl) {
    throw new StorageError('CloudConfiguration.AzureBlob needs AccountName or EndpointUrl.', 'CLOUD_NOT_CONFIGURED');
  }
  // Loaded here, not at module load: the SDK costs about 0.4 s of CPU per node start, and only Azure destinations need it.
  const { BlobServiceClient, StorageSharedKeyCredential } = require('@azure/storage-blob') as typeof AzureSdk;
  const base = (settings.EndpointUrl || `https://${settings.AccountName}.blob.core.windows.net`).replace(/\/+$/, '');
  if (secrets.AzureStorageKey) {
    if (!settings.AccountName) {
      throw new StorageError('CloudConfiguration.AzureBlob.AccountName is required with an account key.', 'CLOUD_NOT_CONFIGURED');
    }
    const credential = new StorageSharedKeyCredential(settings.AccountName, secrets.AzureStorageKey);
    return new BlobServiceClient(base, credential).getContainerClient(settings.ContainerName);
  }
  if (secrets.AzureSasToken) {
    const sas = secrets.AzureSasToken.replace(/^\?/, '');
    return new BlobServiceClient(`${base}?${sas}`).getContainerClient(settings.ContainerName);
  }
  throw new StorageError(
    'Azure Blob is enabled but no credential was supplied: pass the storage account key or a SAS token through the secure channel (never in the JSON file).',
    'CLOUD_NOT_CONFIGURED',
  );
}
