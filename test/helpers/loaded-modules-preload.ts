/**
 * Preloaded with `node --require` (through NODE_OPTIONS) by
 * test/integration/cli/startup-modules.test.ts: when the process exits,
 * writes the files in require.cache to `<LOADED_MODULES_DIR>/<pid>.json`.
 * Child processes inherit NODE_OPTIONS; each writes its own file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const dir = process.env.LOADED_MODULES_DIR;
if (dir) {
  process.on('exit', () => {
    fs.writeFileSync(path.join(dir, `${process.pid}.json`), JSON.stringify({ argv: process.argv.slice(1), modules: Object.keys(require.cache) }));
  });
}
