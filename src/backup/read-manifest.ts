import * as yauzl from 'yauzl';
import { StorageError } from '../core/errors';

const MANIFEST = 'BackupManifest.json';
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** Reads only BackupManifest.json from an archive (the central directory tells where it is). */
export function readManifestFromArchive(archivePath: string): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    yauzl.open(archivePath, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return reject(new StorageError(`Cannot open '${archivePath}' as a zip: ${err?.message ?? 'unknown error'}`, 'ARCHIVE_UNREADABLE', { category: 'ReadError' }));
      let found = false;
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== MANIFEST) return zip.readEntry();
        found = true;
        if (entry.uncompressedSize > MAX_MANIFEST_BYTES) return reject(new StorageError(`${MANIFEST} in '${archivePath}' is implausibly large.`, 'MANIFEST_INVALID'));
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            zip.close();
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>);
            } catch (parseErr) {
              reject(new StorageError(`${MANIFEST} in '${archivePath}' is not valid JSON: ${(parseErr as Error).message}`, 'MANIFEST_INVALID'));
            }
          });
        });
      });
      zip.on('end', () => {
        if (!found) reject(new StorageError(`'${archivePath}' has no ${MANIFEST}: it is not an AlteryxBackup archive.`, 'MANIFEST_MISSING'));
      });
      zip.on('error', (e: Error) => reject(new StorageError(`Cannot read '${archivePath}': ${e.message}`, 'ARCHIVE_UNREADABLE')));
      zip.readEntry();
    });
  });
}
