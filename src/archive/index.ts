export type {
  ArchiveEntryInfo,
  ArchiveProgress,
  ArchiveVerification,
  CompressionLevel,
  CreateArchiveOptions,
  CreateArchiveResult,
  VerifyArchiveOptions,
} from './types';
export { createArchive } from './create-archive';
export { verifyArchive } from './verify-archive';
export { sha256File } from './sha256-file';
export { removeStaleTemporaries } from './atomic-publish';
