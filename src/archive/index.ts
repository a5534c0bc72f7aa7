/**
 * The archive step: a ZIP64 zip of the staging folder, written fast and
 * verified before it gets its final name.
 *
 * - createArchive: walks the staging folder (files and empty folders), reads
 *   every file once (SHA256 + native CRC-32 in the same pass), deflates on
 *   worker threads (1 MiB blocks, pigz-style: each primed with the previous
 *   32 KiB and sync-flushed so the blocks form one deflate stream), stores what
 *   will not compress (.gz/.zip-like names, sampled blocks), appends the
 *   manifest that `buildManifest` returns as the last entry, fsyncs, verifies
 *   every CRC and SHA256 by re-reading the file, publishes without
 *   overwriting, then writes the `.sha256` sidecar.
 * - verifyArchive: opens with yauzl, checks local headers against the central
 *   directory, inflates every entry on worker threads (CRC + SHA256), compares
 *   with the manifest's ArchiveEntries (or BackedUpFiles), checks the size and
 *   the sidecar. Reports; never throws except on cancellation.
 *
 * Why our own writer rather than yazl: yazl deflates each entry as one zlib
 * stream on one thread and cannot take data that is already deflated, so it
 * can neither spread one large file across cores nor store single blocks that
 * do not compress. Its CRC-32 is JavaScript. See zip-writer.ts.
 */
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
