export type CompressionLevel = 'Optimal' | 'Fastest' | 'NoCompression';

export interface ArchiveProgress {
  bytesDone: number;
  bytesTotal: number;
  currentEntry: string;
  /**
   * 'compress' then 'verify'. In createArchive, bytesDone/bytesTotal count source bytes and stay
   * at 100% while verifying (so a percentage never jumps back); the verify pass reports its own
   * count in verifyBytesDone/verifyBytesTotal. In verifyArchive they are the archive bytes checked.
   */
  phase: 'compress' | 'verify';
  verifyBytesDone?: number;
  verifyBytesTotal?: number;
}

export interface ArchiveEntryInfo {
  /** Path inside the archive, always '/'-separated; directories end with '/'. */
  archivePath: string;
  sourcePath: string;
  sizeBytes: number;
  /** Lowercase hex SHA256 of the content (the empty-content hash for directories). */
  sha256: string;
  crc32: number;
  mtime: Date;
  isDirectory: boolean;
  /** How the entry was written. */
  method: 'stored' | 'deflated';
}

export interface CreateArchiveOptions {
  /** Staging folder; every file and every empty folder under it goes in, relative paths kept. */
  sourceDir: string;
  /** Folder the archive goes into. */
  destinationDir: string;
  /** Final name, e.g. ServerBackup_Config_20261126_080000.zip */
  fileName: string;
  /** Default Optimal. */
  compressionLevel?: CompressionLevel;
  /** Default 'BackupManifest.json'. */
  manifestEntryName?: string;
  /** Called once every source file has been read, hashed and added; returns the manifest bytes, added as the LAST entry. */
  buildManifest: (entries: ArchiveEntryInfo[]) => Buffer | Promise<Buffer>;
  onProgress?: (p: ArchiveProgress) => void;
  signal?: AbortSignal;
  /** Worker threads for compressing and verifying; 0 runs everything on this thread. Default: one per core (none for small sets). */
  parallelism?: number;
}

export interface CreateArchiveResult {
  archivePath: string;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  sidecarPath: string;
  uncompressedBytes: number;
  entries: ArchiveEntryInfo[];
  durationSeconds: number;
  /** Compressed size / uncompressed size of the whole archive (1 when empty). */
  compressionRatio: number;
  /** The verification that ran before the archive got its final name. */
  verification: ArchiveVerification;
}

export interface ArchiveVerification {
  archivePath: string;
  opened: boolean;
  sizeBytes: number;
  entryCount: number;
  sha256: string | null;
  sidecarFound: boolean;
  sidecarMatches: boolean | null;
  crcFailures: string[];
  sha256Mismatches: string[];
  missingFromArchive: string[];
  extraInArchive: string[];
  manifest: unknown | null;
  manifestIncluded: boolean;
  meetsMinimumSize: boolean | null;
  errors: string[];
  ok: boolean;
  durationSeconds: number;
}

export interface VerifyArchiveOptions {
  minimumSizeBytes?: number;
  /**
   * Entries a complete archive of its mode must hold (see requiredEntries in
   * src/core/required-entries.ts). Each one missing is an error: this, not
   * the byte size, is what tells an empty or partial archive from a healthy
   * small one. Each missing one is also listed in missingFromArchive by its name.
   */
  requiredEntries?: Array<{ name: string; pattern: RegExp }>;
  requireSidecar?: boolean;
  manifestEntryName?: string;
  signal?: AbortSignal;
  onProgress?: (p: ArchiveProgress) => void;
  /** Worker threads; 0 checks on this thread. Default: one per core (none for small archives). */
  parallelism?: number;
}
