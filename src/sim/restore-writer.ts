import * as fs from 'node:fs';
import * as path from 'node:path';
import { Catalog, CATALOG_FILE } from './data-generator';
import { documentOffsets, logLine } from './dump-writer';
import { appendEvent } from './events';
import { readHostInfo } from './host-layout';
import { readServiceRecord } from './service-control';

/**
 * `AlteryxService emongorestore=<source>,<target>`: loads a dump folder into
 * a data directory and writes mongoRestore.log (in the target) in
 * mongorestore's words, including the summary line the backup tool checks.
 */
export async function emongoRestore(root: string, source: string, target: string): Promise<number> {
  const info = readHostInfo(root);
  appendEvent(root, info.hostname, 'restore-started', { source, target });
  const state = readServiceRecord(root).state;
  if (state !== 'Stopped') {
    process.stdout.write(`EMongoRestore failed: AlteryxService is ${state}; stop it first.\r\n`);
    appendEvent(root, info.hostname, 'restore-finished', { ok: false, reason: 'service-not-stopped' });
    return 1;
  }
  if (!fs.existsSync(source) || !fs.statSync(source).isDirectory()) {
    process.stdout.write(`EMongoRestore failed: source ${source} is not a folder.\r\n`);
    appendEvent(root, info.hostname, 'restore-finished', { ok: false, reason: 'no-source' });
    return 1;
  }
  fs.mkdirSync(target, { recursive: true });
  const lines: string[] = [];
  const catalog: Catalog = { seed: info.seed, databases: {} };
  let restored = 0;
  let failed = 0;
  for (const db of fs.readdirSync(source).sort()) {
    const dbDir = path.join(source, db);
    if (!fs.statSync(dbDir).isDirectory()) continue;
    fs.mkdirSync(path.join(target, db), { recursive: true });
    for (const f of fs.readdirSync(dbDir).sort()) {
      if (!f.endsWith('.bson')) continue;
      const coll = f.slice(0, -'.bson'.length);
      const src = path.join(dbDir, f);
      lines.push(logLine(`restoring ${db}.${coll} from ${src}`));
      const offsets = documentOffsets(src);
      const whole = offsets.length - 1;
      const size = fs.statSync(src).size;
      const bad = offsets[offsets.length - 1] < size ? 1 : 0;
      fs.copyFileSync(src, path.join(target, db, f));
      const meta = path.join(dbDir, `${coll}.metadata.json`);
      if (fs.existsSync(meta)) fs.copyFileSync(meta, path.join(target, db, `${coll}.metadata.json`));
      (catalog.databases[db] ??= {})[coll] = {
        documents: whole,
        bytes: offsets[offsets.length - 1],
        file: path.join(db, f),
        metadataFile: path.join(db, `${coll}.metadata.json`),
      };
      lines.push(logLine(`finished restoring ${db}.${coll} (${whole} document${whole === 1 ? '' : 's'}, ${bad} failure${bad === 1 ? '' : 's'})`));
      restored += whole;
      failed += bad;
    }
  }
  lines.push(logLine(`${restored} document(s) restored successfully. ${failed} document(s) failed to restore.`));
  fs.writeFileSync(path.join(target, CATALOG_FILE), JSON.stringify(catalog, null, 2) + '\n');
  fs.writeFileSync(path.join(target, 'mongoRestore.log'), lines.join('\n') + '\n');
  const ok = failed === 0;
  process.stdout.write(ok ? `Embedded MongoDB restore complete: ${restored} documents.\r\n` : `EMongoRestore failed: ${failed} document(s) failed to restore.\r\n`);
  appendEvent(root, info.hostname, 'restore-finished', { ok, restored, failed });
  return ok ? 0 : 1;
}
