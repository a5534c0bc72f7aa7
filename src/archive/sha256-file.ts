import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { CancelledError } from '../core/errors';

const CHUNK = 1 << 20;

/** Lowercase hex SHA256 of a file, read in 1 MiB chunks so memory stays flat. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      if (signal?.aborted) throw new CancelledError(`Hashing ${path} was cancelled.`);
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

export const EMPTY_SHA256 = createHash('sha256').digest('hex');
