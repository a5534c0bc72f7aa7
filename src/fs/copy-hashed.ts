import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

export interface HashedCopy {
  sizeBytes: number;
  sha256: string;
  mtime: Date;
}

/**
 * Copies one file, hashing the bytes as they pass, flushes the copy to
 * disk, and keeps the source's modification time. Fails if the target
 * exists: staging is private, so an existing file means a logic error.
 */
export async function copyFileHashed(source: string, target: string, signal?: AbortSignal): Promise<HashedCopy> {
  const stat = await fs.promises.stat(source);
  const hash = crypto.createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  const out = fs.createWriteStream(target, { flags: 'wx' });
  await pipeline(fs.createReadStream(source), tap, out, { signal });
  const fd = await fs.promises.open(target, 'r+');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
  await fs.promises.utimes(target, stat.atime, stat.mtime);
  return { sizeBytes: size, sha256: hash.digest('hex'), mtime: stat.mtime };
}

/** Writes a small file atomically into staging: temp name, fsync, rename. */
export async function writeFileDurable(target: string, data: string | Buffer, mode?: number): Promise<void> {
  const tmp = `${target}.${process.pid}.tmp`;
  const fd = await fs.promises.open(tmp, 'wx', mode);
  try {
    await fd.writeFile(data);
    await fd.sync();
  } finally {
    await fd.close();
  }
  await fs.promises.rename(tmp, target);
}

export function sha256Of(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}
