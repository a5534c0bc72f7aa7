import type { BackupMode } from './backup-mode';

/** One file as recorded in BackupManifest.json. */
export interface ManifestFileEntry {
  FilePath: string;
  RelativePathInArchive: string;
  SizeBytes: number;
  LastModified: string;
  SHA256: string | null;
  /**
   * Set when FilePath is (or lies under) a symbolic link or junction: the
   * resolved path whose content was archived. Absent for plain files.
   */
  LinkTarget?: string;
}

export interface ManifestDirectoryEntry {
  FilePath: string;
  RelativePathInArchive: string;
  Type: 'Directory';
  FileCount: number;
  TotalSizeBytes: number;
  SHA256: null;
}

/** Every entry in the archive but the manifest itself; what Test-BackupIntegrity checks against. */
export interface ArchiveEntryRecord {
  Path: string;
  SizeBytes: number;
  SHA256: string;
}

export interface ManifestInput {
  mode: BackupMode;
  startedAt: Date;
  completedAt: Date;
  version: string;
  system: {
    AlteryxServerVersion: string | null;
    ServerHostname: string;
    WindowsVersion: string;
    IsMultiNode: boolean;
    NodeRole: string;
    BackupPerformedBy: string;
  };
  mongo: Record<string, unknown> | null;
  files: Array<ManifestFileEntry | ManifestDirectoryEntry>;
  controllerSettings: Record<string, unknown> | null;
  /** Whether the token and passwords are encrypted, and to which certificates (docs/secrets-encryption.md). */
  secretsEncryption?: Record<string, unknown> | null;
  archive: { fileName: string; uncompressedBytes: number };
  entries: ArchiveEntryRecord[];
  service: Record<string, unknown> | null;
  preBackupChecks: Record<string, boolean>;
  keysFolder: string | null;
  warnings: string[];
  errors: string[];
  /**
   * Environment facts for a restore (COORDINATION.md): PersistenceType,
   * MongoDBVersion, NodeServiceAccounts, TlsBinding. Top-level fields; older
   * archives lack them.
   */
  facts?: {
    PersistenceType: string | null;
    MongoDBVersion: string | null;
    NodeServiceAccounts: Array<{ Hostname: string; Role: string; Account: string | null }>;
    TlsBinding: object | null;
  };
}

const KEYS_REFERENCE =
  'https://help.alteryx.com/current/en/server/install/server-host-recovery-guide/disaster-recovery-preparation.html';

/**
 * The data model's BackupManifest (§2.1). The archive's own SHA256 and size
 * cannot be inside the archive; they live in the `.sha256` sidecar and in
 * the run summary, so those fields are null here by design.
 */
export function buildManifest(m: ManifestInput): Record<string, unknown> {
  const durationSeconds = Math.max(0, Math.round((m.completedAt.getTime() - m.startedAt.getTime()) / 1000));
  const includesFiles = m.mode !== 'DatabaseOnly';
  return {
    BackupMetadata: {
      BackupMode: m.mode,
      BackupTimestamp: m.startedAt.toISOString(),
      BackupCompletionTimestamp: m.completedAt.toISOString(),
      DurationSeconds: durationSeconds,
      BackupVersion: '1.0.0',
      ScriptVersion: m.version,
    },
    SystemInformation: {
      ...m.system,
      ...(m.mode === 'ConfigOnly' ? { ServiceNotStopped: true } : {}),
    },
    MongoDBInformation: m.mongo ?? { Included: false },
    BackedUpFiles: includesFiles ? m.files : [],
    ControllerSettings: includesFiles ? m.controllerSettings : null,
    SecretsEncryption: includesFiles ? (m.secretsEncryption ?? null) : null,
    ServiceInformation: m.service,
    ArchiveInformation: {
      ArchiveFileName: m.archive.fileName,
      UncompressedSizeBytes: m.archive.uncompressedBytes,
      ArchiveSizeMB: null,
      CompressionRatio: null,
      SHA256: null,
      SHA256Location: `${m.archive.fileName}.sha256`,
      ArchiveIntegrityVerified: null,
    },
    ValidationResults: {
      PreBackupChecks: m.preBackupChecks,
    },
    EncryptionKeyWarning:
      includesFiles && m.keysFolder
        ? {
            Message:
              'CRITICAL: Encryption keys backed up in Keys folder. Per Alteryx guidance, store backup archive containing Keys folder separately from regular backups in secure location.',
            KeysFolder: m.keysFolder,
            Reference: KEYS_REFERENCE,
            Recommendation: 'Copy this backup archive to secure vault or offline storage with restricted access.',
          }
        : null,
    ...(m.facts
      ? {
          PersistenceType: m.facts.PersistenceType,
          MongoDBVersion: m.facts.MongoDBVersion,
          NodeServiceAccounts: m.facts.NodeServiceAccounts,
          TlsBinding: m.facts.TlsBinding,
        }
      : {}),
    ArchiveEntries: m.entries,
    Warnings: m.warnings,
    Errors: m.errors,
  };
}
