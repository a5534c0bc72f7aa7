import type { ArchiveVerification } from '../archive';

/** The data model's post-backup validation object (§5.2), as Test-BackupIntegrity returns it. */
export interface ValidationResult {
  ArchivePath: string;
  ArchiveValidation: {
    ArchiveExists: boolean;
    ArchiveSizeMB: number;
    MeetsMinimumSize: boolean | null;
    MinimumSizeMB: number | null;
    IntegrityVerified: boolean;
    ChecksumGenerated: boolean;
    ChecksumValue: string | null;
    SidecarMatches: boolean | null;
    EntryCount: number;
  };
  ContentValidation: {
    ManifestIncluded: boolean;
    ExpectedFilesPresent: boolean;
    MissingFiles: string[];
    ExtraFiles: string[];
    CrcFailures: string[];
    SHA256Mismatches: string[];
  };
  OverallStatus: boolean;
  ValidationErrors: string[];
  ValidationWarnings: string[];
  DurationSeconds: number;
}

export function toValidationResult(v: ArchiveVerification, o: { minimumMB?: number; warnings?: string[] }): ValidationResult {
  const exists = v.opened || v.sizeBytes > 0;
  const errors = [...v.errors];
  if (v.meetsMinimumSize === false && !errors.some((e) => /minimum/i.test(e))) {
    errors.push(`The archive is smaller than the ${String(o.minimumMB)} MB minimum.`);
  }
  return {
    ArchivePath: v.archivePath,
    ArchiveValidation: {
      ArchiveExists: exists,
      ArchiveSizeMB: Math.round((v.sizeBytes / 1048576) * 1000) / 1000,
      MeetsMinimumSize: v.meetsMinimumSize,
      MinimumSizeMB: o.minimumMB ?? null,
      IntegrityVerified: v.opened && v.crcFailures.length === 0 && v.sha256Mismatches.length === 0 && v.manifestIncluded,
      ChecksumGenerated: v.sidecarFound,
      ChecksumValue: v.sha256,
      SidecarMatches: v.sidecarMatches,
      EntryCount: v.entryCount,
    },
    ContentValidation: {
      ManifestIncluded: v.manifestIncluded,
      ExpectedFilesPresent: v.missingFromArchive.length === 0,
      MissingFiles: v.missingFromArchive,
      ExtraFiles: v.extraInArchive,
      CrcFailures: v.crcFailures,
      SHA256Mismatches: v.sha256Mismatches,
    },
    OverallStatus: v.ok && errors.length === 0,
    ValidationErrors: errors,
    ValidationWarnings: o.warnings ?? [],
    DurationSeconds: Math.round(v.durationSeconds * 100) / 100,
  };
}
