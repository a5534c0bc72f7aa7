import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type * as S3Sdk from '@aws-sdk/client-s3';
import type * as S3Storage from '@aws-sdk/lib-storage';
import type { BackupConfigFile, Secrets } from '../config/config-types';
import { StorageError } from '../core/errors';
import { hashingPassThrough, sha256OfStream } from './checksum';
import { normalizePrefix, probeName, type CloudTarget, type CloudUploadOptions, type CloudUploadOutcome } from './cloud-target';
import { formatSidecar, parseSidecar, sidecarName } from './sidecar';

export type S3Settings = BackupConfigFile['CloudConfiguration']['S3'];

const MIB = 1024 * 1024;
/** S3 allows at most 10,000 parts; stay below so any archive up to 5 TB fits. */
const MAX_PARTS = 9_000;
const MIN_PART = 8 * MIB;
const QUEUE_SIZE = 4;

/** Part size for a multipart upload of `size` bytes: at least 8 MiB, and few enough parts. */
export function multipartPartSize(size: number): number {
  return Math.max(MIN_PART, Math.ceil(size / MAX_PARTS));
}

/**
 * S3 and S3-compatible destination (AWS, MinIO, s3rver in the tests).
 *
 * Uploads: a single streamed PutObject up to `MultipartThresholdMB`, a
 * multipart upload (lib-storage, 4 parts in flight) above it. Memory is
 * bounded by part size × 4, not by the archive size.
 *
 * Verification: the object is read back in full and its SHA256 compared with
 * the archive's. `ChecksumAlgorithm: SHA256` is not used because it does not
 * give that proof: for a multipart upload S3 returns a checksum of the part
 * checksums, not of the object, and s3rver (and several S3-compatible stores)
 * do not implement flexible checksums at all. The SHA256 is also stored as
 * `x-amz-meta-sha256` for an admin to see.
 *
 * The SDK's own default CRC32 checksums are switched to "when required":
 * they are not our verification, and stores that do not know them reject
 * aws-chunked uploads.
 *
 * No overwrite: a HEAD check, then `If-None-Match: *` on PutObject and
 * CompleteMultipartUpload, which AWS enforces (stores that ignore it still
 * get the HEAD check).
 */
/**
 * The AWS SDK is loaded on first use, not when this module is: it costs
 * about 0.3 s of CPU per node start, and only S3 destinations need it.
 */
function s3Sdk(): typeof S3Sdk {
  return require('@aws-sdk/client-s3') as typeof S3Sdk;
}

export function createS3Target(settings: S3Settings, secrets: Secrets): CloudTarget {
  const { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } = s3Sdk();
  const { Upload } = require('@aws-sdk/lib-storage') as typeof S3Storage;
  const client = s3Client(settings, secrets);
  const bucket = settings.Bucket;
  const prefix = normalizePrefix(settings.Prefix);
  const description = s3LocationLabel(settings);
  const threshold = settings.MultipartThresholdMB * MIB;

  async function objectSha(key: string, signal?: AbortSignal): Promise<string> {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    if (!out.Body) throw new StorageError(`S3 returned no body for '${description}${key.slice(prefix.length)}'.`, 'CLOUD_READ_FAILED');
    return (await sha256OfStream(out.Body as Readable)).sha256;
  }

  async function exists(key: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      return true;
    } catch (err) {
      if (httpStatus(err) === 404) return false;
      throw err;
    }
  }

  async function existingState(name: string, expected: string, signal?: AbortSignal): Promise<'absent' | 'same'> {
    if (!(await exists(prefix + name, signal))) return 'absent';
    if ((await objectSha(prefix + name, signal)) === expected) return 'same';
    throw new StorageError(
      `'${description}${name}' already exists with different content; it was left untouched and not overwritten.`,
      'DESTINATION_TARGET_EXISTS',
    );
  }

  async function readText(name: string, maxBytes: number, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: prefix + name }), { abortSignal: signal });
      if ((head.ContentLength ?? 0) > maxBytes) return undefined;
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: prefix + name }), { abortSignal: signal });
      return out.Body ? await out.Body.transformToString('utf8') : undefined;
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw err;
    }
  }

  async function putSidecar(name: string, sha256: string, signal?: AbortSignal): Promise<void> {
    const sideName = sidecarName(name);
    const content = formatSidecar(sha256, name);
    if (!(await exists(prefix + sideName, signal))) {
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: prefix + sideName,
            Body: content,
            ContentType: 'text/plain; charset=utf-8',
            IfNoneMatch: '*',
          }),
          { abortSignal: signal },
        );
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
    const back = await readText(sideName, 64 * 1024, signal);
    const parsed = back === undefined ? undefined : parseSidecar(back, name);
    if (!parsed || parsed.sha256 !== sha256) {
      throw new StorageError(
        `'${description}${sideName}' exists but does not hold this archive's SHA256; it was left untouched.`,
        'DESTINATION_TARGET_EXISTS',
      );
    }
  }

  return {
    kind: 'S3',
    description,

    async uploadVerified(options: CloudUploadOptions): Promise<CloudUploadOutcome> {
      const name = path.basename(options.archivePath);
      const key = prefix + name;
      const expected = options.sha256.toLowerCase();
      const { signal } = options;
      const finalPath = `${description}${name}`;
      if ((await existingState(name, expected, signal)) === 'same') {
        await putSidecar(name, expected, signal);
        return { finalPath, alreadyPresent: true };
      }

      const size = (await fs.stat(options.archivePath)).size;
      const hashing = hashingPassThrough((n) => options.onProgress?.(n, size));
      const source = createReadStream(options.archivePath, { highWaterMark: MIB, signal });
      source.on('error', (e) => hashing.stream.destroy(e));
      source.pipe(hashing.stream);
      const params = {
        Bucket: bucket,
        Key: key,
        Body: hashing.stream,
        ContentType: 'application/zip',
        Metadata: { sha256: expected },
        IfNoneMatch: '*',
      };
      try {
        if (size > threshold) {
          const partSize = multipartPartSize(size);
          options.log?.('DEBUG', `S3 multipart upload of ${name}: ${Math.ceil(size / partSize)} parts of ${(partSize / MIB).toFixed(0)} MiB.`);
          const upload = new Upload({
            client,
            params: { ...params, ContentLength: size },
            partSize,
            queueSize: QUEUE_SIZE,
            leavePartsOnError: false,
          });
          const onAbort = () => void upload.abort();
          signal?.addEventListener('abort', onAbort, { once: true });
          try {
            await upload.done();
          } finally {
            signal?.removeEventListener('abort', onAbort);
          }
        } else {
          options.log?.('DEBUG', `S3 single PutObject of ${name} (${size} bytes, at or below the multipart threshold).`);
          await client.send(new PutObjectCommand({ ...params, ContentLength: size }), { abortSignal: signal });
        }
      } catch (err) {
        if (isAlreadyExists(err) && (await existingState(name, expected, signal)) === 'same') {
          await putSidecar(name, expected, signal);
          return { finalPath, alreadyPresent: true };
        }
        throw err;
      } finally {
        source.destroy();
      }

      const sourceSha = hashing.digest();
      if (sourceSha !== expected) {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
        throw new StorageError(
          `The local archive '${options.archivePath}' no longer matches its SHA256 (expected ${expected}, read ${sourceSha}); the upload was deleted.`,
          'SOURCE_CHANGED',
        );
      }
      const readBack = await objectSha(key, signal);
      if (readBack !== expected) {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
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
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }),
        );
        for (const obj of page.Contents ?? []) {
          const rest = obj.Key?.slice(prefix.length);
          if (rest && !rest.includes('/')) names.push(rest);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return names;
    },

    readSmallText: (name, maxBytes) => readText(name, maxBytes),

    close: () => client.destroy(),

    async probe(): Promise<void> {
      const key = prefix + probeName(randomBytes(6).toString('hex'));
      const content = randomBytes(32).toString('hex');
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: content, IfNoneMatch: '*' }));
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const back = out.Body ? await out.Body.transformToString('utf8') : '';
        if (back !== content) throw new StorageError(`A probe written to '${description}' read back different bytes.`, 'CLOUD_READ_FAILED');
      } finally {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      }
    },

    async remove(name: string): Promise<void> {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + name }));
    },
  };
}

/** `s3://<bucket>/<prefix>/`: how results and logs name this destination. */
export function s3LocationLabel(settings: S3Settings): string {
  return `s3://${settings.Bucket}/${normalizePrefix(settings.Prefix)}`;
}

export function s3Client(settings: S3Settings, secrets: Secrets): S3Sdk.S3Client {
  if (!settings.Bucket) throw new StorageError('CloudConfiguration.S3.Bucket is empty.', 'CLOUD_NOT_CONFIGURED');
  if (!settings.AccessKeyId || !secrets.S3SecretAccessKey) {
    throw new StorageError(
      'S3 is enabled but the credential is incomplete: CloudConfiguration.S3.AccessKeyId must be set and the secret access key passed through the secure channel (never in the JSON file).',
      'CLOUD_NOT_CONFIGURED',
    );
  }
  return new (s3Sdk().S3Client)({
    region: settings.Region || 'us-east-1',
    endpoint: settings.EndpointUrl || undefined,
    forcePathStyle: settings.ForcePathStyle,
    credentials: { accessKeyId: settings.AccessKeyId, secretAccessKey: secrets.S3SecretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isAlreadyExists(err: unknown): boolean {
  const status = httpStatus(err);
  return status === 412 || status === 409;
}
