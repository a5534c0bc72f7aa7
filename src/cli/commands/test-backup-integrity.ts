import * as fs from 'node:fs';
import * as path from 'node:path';
import { verifyArchive } from '../../archive/verify-archive';
import { parseArchiveName, parseBackupMode, type BackupMode } from '../../core/backup-mode';
import { StorageError, ValidationError, toBackupError, type BackupError } from '../../core/errors';
import { DEFAULT_MINIMUM_BACKUP_SIZE_MB, requiredEntries } from '../../core/required-entries';
import type { ResolvedConfig } from '../../config/config-types';
import { toValidationResult } from '../../backup/integrity-result';
import type { CommandContext, CommandHandler } from '../command-context';
import { archiveProgressUpdate } from '../progress-throttle';
import { absolute } from './shared';

/**
 * Test-BackupIntegrity (CONTRACTS.md §11), in a module of its own so that a
 * node started for it loads the archive reader and nothing of the backup,
 * MongoDB, distribution or restore layers (issue 14; cli/command-registry.ts).
 */

/** Test-BackupIntegrity works without a usable config: the minimum size then comes from the schema defaults. */
function tryConfig(ctx: CommandContext, mode: BackupMode): ResolvedConfig | undefined {
  try {
    return ctx.config({ BackupMode: mode });
  } catch (err) {
    ctx.log.warn(`Configuration not used (${(err as BackupError).message.split('\n')[0]}); using the default minimum archive sizes.`);
    return undefined;
  }
}

const DEFAULT_MINIMUM_MB: Record<BackupMode, number> = DEFAULT_MINIMUM_BACKUP_SIZE_MB;

const testBackupIntegrity: CommandHandler = async (ctx) => {
  // Never throws (CONTRACTS.md §11): every failure, bad input included, is a failed ValidationResult with an exit code.
  const archiveParam = ctx.params.string('ArchivePath') ?? '';
  try {
    const archivePath = absolute('ArchivePath', ctx.params.requiredString('ArchivePath'));
    const parsed = parseArchiveName(path.basename(archivePath));
    const expected = ctx.params.string('ExpectedMode');
    const mode = expected ? parseBackupMode(expected, '-ExpectedMode') : parsed?.mode;
    const explicitMinimum = ctx.params.number('MinimumSizeMB');
    if (explicitMinimum !== undefined && explicitMinimum < 0) throw new ValidationError(`-MinimumSizeMB: must be 0 or more, got ${explicitMinimum}.`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
    const expectedChecksum = ctx.params.string('ExpectedChecksum')?.trim().toLowerCase();
    if (expectedChecksum !== undefined && expectedChecksum !== '' && !/^[0-9a-f]{64}$/.test(expectedChecksum)) {
      throw new ValidationError(`-ExpectedChecksum: '${expectedChecksum}' is not a SHA256 (64 hexadecimal digits).`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
    }
    const config = explicitMinimum === undefined && mode ? tryConfig(ctx, mode) : undefined;
    const minimumMB = explicitMinimum ?? (mode ? (config?.MinimumSizeMB ?? DEFAULT_MINIMUM_MB[mode]) : undefined);
    const warnings: string[] = [];
    if (!parsed) warnings.push(`'${path.basename(archivePath)}' does not follow the ServerBackup_{Full|DB|Config}_yyyyMMdd_HHmmss.zip naming; retention will ignore it.`);
    if (expected && parsed && parsed.mode !== mode) warnings.push(`The archive name says ${parsed.mode}, but -ExpectedMode is ${expected}.`);
    const sidecarExists = fs.existsSync(`${archivePath}.sha256`);
    if (!sidecarExists && fs.existsSync(archivePath)) warnings.push(`'${path.basename(archivePath)}' has no .sha256 sidecar: the CRC and manifest SHA256 checks still ran; retention treats it as unverified.`);
    const verification = await verifyArchive(archivePath, {
      minimumSizeBytes: minimumMB === undefined ? undefined : minimumMB * 1048576,
      requiredEntries: mode ? requiredEntries(mode) : undefined,
      requireSidecar: false,
      signal: ctx.signal,
      onProgress: (p) => ctx.sink.progress(archiveProgressUpdate('Test-BackupIntegrity', p)),
    });
    const result = toValidationResult(verification, { minimumMB, warnings });
    if (expectedChecksum) {
      const matches = verification.sha256 !== null && verification.sha256 === expectedChecksum;
      Object.assign(result.ArchiveValidation, { ExpectedChecksum: expectedChecksum, ExpectedChecksumMatches: matches });
      if (!matches) {
        result.ValidationErrors.push(`The archive's SHA256 (${verification.sha256 ?? 'not computed'}) differs from -ExpectedChecksum ${expectedChecksum}.`);
        result.OverallStatus = false;
      }
    }
    const data = { ...result, ...NOT_MEASURED_HERE };
    for (const w of result.ValidationWarnings) ctx.log.warn(w);
    if (result.OverallStatus) {
      ctx.log.success(`${archivePath}: every CRC and SHA256 matches.`);
      return { data };
    }
    for (const e of result.ValidationErrors) ctx.log.error(e);
    const missing = !result.ArchiveValidation.ArchiveExists;
    return {
      data,
      error: new StorageError(`${archivePath} failed verification: ${result.ValidationErrors[0] ?? 'see ValidationErrors'}`, missing ? 'ARCHIVE_NOT_FOUND' : 'ARCHIVE_INVALID', {
        category: missing ? 'ObjectNotFound' : 'InvalidData',
        details: result.ValidationErrors,
      }),
    };
  } catch (err) {
    const e = toBackupError(err);
    ctx.log.error(e.message);
    return { data: failedValidation(archiveParam, e.message), error: e };
  }
};

/** §5.2's distribution and service sections: Test-BackupIntegrity looks at one archive, so it cannot know them. */
const NOT_MEASURED_HERE = {
  DistributionValidation: { LocalCopySuccess: null, NetworkCopiesSuccess: {} },
  ServiceValidation: { ServiceRestored: null, ServiceRunning: null },
};

function failedValidation(archivePath: string, message: string) {
  return {
    ArchivePath: archivePath,
    ArchiveValidation: { ArchiveExists: archivePath !== '' && fs.existsSync(archivePath), ArchiveSizeMB: 0, MeetsMinimumSize: null, MinimumSizeMB: null, IntegrityVerified: false, ChecksumGenerated: false, ChecksumValue: null, SidecarMatches: null, EntryCount: 0 },
    ContentValidation: { ManifestIncluded: false, ExpectedFilesPresent: false, MissingFiles: [], ExtraFiles: [], CrcFailures: [], SHA256Mismatches: [] },
    ...NOT_MEASURED_HERE,
    OverallStatus: false,
    ValidationErrors: [message],
    ValidationWarnings: [],
    DurationSeconds: 0,
  };
}

export const INTEGRITY_COMMANDS: Record<string, CommandHandler> = {
  'Test-BackupIntegrity': testBackupIntegrity,
};
