import type { BackupLocation } from '../retention/backup-location';
import type { LogSink } from './log-sink';

export interface CloudUploadOptions {
  archivePath: string;
  sha256: string;
  signal?: AbortSignal;
  onProgress?: (bytesUploaded: number, totalBytes: number) => void;
  log?: LogSink;
}

export interface CloudUploadOutcome {
  /** Where the archive now lives, without any credential (e.g. `s3://bucket/prefix/name.zip`). */
  finalPath: string;
  alreadyPresent: boolean;
}

/**
 * A cloud destination: it takes verified uploads and, for retention, behaves
 * as a BackupLocation over its prefix.
 *
 * Why upload straight to the final key (no `.partial` key and server-side
 * copy): both services make an object visible only when the upload commits
 * (Put Block List on Azure, PutObject/CompleteMultipartUpload on S3), so a
 * partly uploaded archive never carries the final name. A server-side copy
 * would double the writes of a 50–500 GB archive and, on Azure, turn into an
 * asynchronous copy that has to be polled and verified again. What commits is
 * then read back in full and hashed; on a mismatch the object is deleted. The
 * `.sha256` sidecar is written only after that verification, and retention
 * counts a backup as verified only when its sidecar exists, so an object in
 * the window between commit and verification never protects or replaces
 * anything.
 */
export interface CloudTarget extends BackupLocation {
  readonly kind: 'AzureBlob' | 'S3';
  uploadVerified(options: CloudUploadOptions): Promise<CloudUploadOutcome>;
  /**
   * Pre-flight: writes a small probe object under the prefix, reads it back
   * and deletes it. Proves the credential, the container or bucket, and write
   * and delete permission before the service is touched.
   */
  probe(): Promise<void>;
  /** Releases the client's connections. */
  close(): void;
}

/** Probe object names start with a dot and never match our archive pattern. */
export function probeName(random: string): string {
  return `.alteryxbackup-probe-${random}.tmp`;
}

/** `alteryx/prod` → `alteryx/prod/`; '' stays ''. A prefix is a folder, as an admin reads it. */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/\\/g, '/').replace(/^\/+/, '');
  if (trimmed === '') return '';
  return trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

/** Keeps only names directly under the prefix (no deeper "folders"). */
export function directChildren(keys: string[], prefix: string): string[] {
  return keys
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length))
    .filter((n) => n.length > 0 && !n.includes('/'));
}
