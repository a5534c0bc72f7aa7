import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as yauzl from 'yauzl';
import type { ArchiveEntryInfo } from '../../../src/archive';

/** A staging tree: path → content; a path ending in '/' is an empty folder. */
export type TreeSpec = Record<string, string | Buffer>;

export function makeTempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `archive-${label}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function writeTree(root: string, spec: TreeSpec): void {
  for (const [rel, content] of Object.entries(spec)) {
    const full = join(root, rel);
    if (rel.endsWith('/')) {
      mkdirSync(full, { recursive: true });
    } else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }
}

/** Compressible text that looks like a small-document BSON dump. */
export function textLike(bytes: number, seed = 1): Buffer {
  const parts: string[] = [];
  let n = 0;
  let x = seed;
  while (n < bytes) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const s = `{"_id":"${x.toString(16)}","owner":"user${x % 977}","state":"${x % 3 ? 'Completed' : 'Queued'}","n":${x % 10007}}\n`;
    parts.push(s);
    n += s.length;
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}

export function randomData(bytes: number): Buffer {
  return randomBytes(bytes);
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The manifest the lead's code writes: ArchiveEntries lists every entry but the manifest. */
export function manifestFor(entries: ArchiveEntryInfo[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      BackupMetadata: { BackupMode: 'Full' },
      ...extra,
      ArchiveEntries: entries.map((e) => ({ Path: e.archivePath, SHA256: e.sha256, SizeBytes: e.sizeBytes })),
    }),
  );
}

export interface ReadEntry {
  name: string;
  method: number;
  data: Buffer;
  isDirectory: boolean;
  generalPurposeBitFlag: number;
  mtime: Date;
}

/** Reads every entry with yauzl, independently of our verifier. */
export function readZip(path: string): Promise<ReadEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zf) => {
      if (err || !zf) return reject(err);
      const out: ReadEntry[] = [];
      zf.on('error', reject);
      zf.on('end', () => resolve(out));
      zf.on('entry', (e: yauzl.Entry) => {
        const base = { name: e.fileName, method: e.compressionMethod, generalPurposeBitFlag: e.generalPurposeBitFlag, mtime: e.getLastModDate() };
        if (e.fileName.endsWith('/')) {
          out.push({ ...base, data: Buffer.alloc(0), isDirectory: true });
          zf.readEntry();
          return;
        }
        zf.openReadStream(e, (err2, rs) => {
          if (err2 || !rs) return reject(err2);
          const chunks: Buffer[] = [];
          rs.on('data', (c: Buffer) => chunks.push(c));
          rs.on('error', reject);
          rs.on('end', () => {
            out.push({ ...base, data: Buffer.concat(chunks), isDirectory: false });
            zf.readEntry();
          });
        });
      });
      zf.readEntry();
    });
  });
}

export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}
