import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ARCHIVE_NAME_PATTERN } from '../../../src/core/backup-mode';
import { makeTempDir } from '../../helpers/test-servers';

export interface ArchiveFixture {
  dir: string;
  archivePath: string;
  name: string;
  sha256: string;
  size: number;
}

/** A published archive as the archive module leaves it: random bytes under a final name, plus its sidecar. */
export function makeArchive(sizeBytes: number, name = 'ServerBackup_Full_20260114_020015.zip'): ArchiveFixture {
  const dir = makeTempDir('local');
  fs.chmodSync(dir, 0o755);
  const archivePath = path.join(dir, name);
  const data = randomBytes(sizeBytes);
  fs.writeFileSync(archivePath, data);
  const sha256 = createHash('sha256').update(data).digest('hex');
  fs.writeFileSync(`${archivePath}.sha256`, `${sha256}  ${name}\n`);
  return { dir, archivePath, name, sha256, size: sizeBytes };
}

export function sha256File(p: string): string {
  return createHash('sha256').update(fs.readFileSync(p)).digest('hex');
}

/** Every file in a folder whose name is an archive or a temp file: what a fault may have left behind. */
export function leftovers(dir: string): { finals: string[]; partials: string[] } {
  if (!fs.existsSync(dir)) return { finals: [], partials: [] };
  const names = fs.readdirSync(dir);
  return {
    finals: names.filter((n) => ARCHIVE_NAME_PATTERN.test(n)),
    partials: names.filter((n) => n.endsWith('.partial')),
  };
}
