import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root, found from the compiled test's location (dist/test/...). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

/** A recorded output, decoded the way runCommand decodes it (UTF-8, OEM bytes and all). */
export function fixture(name: string): string {
  return fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'windows', name)).toString('utf8');
}
