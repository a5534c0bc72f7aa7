import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';

/** Streams a file through SHA256; memory stays constant whatever the size. */
export async function sha256OfFile(filePath: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const stream = createReadStream(filePath, { highWaterMark: 1024 * 1024, signal });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Hashes any byte stream (a downloaded blob or object). */
export async function sha256OfStream(stream: AsyncIterable<unknown>): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
    bytes += buf.byteLength;
    hash.update(buf);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** A pass-through that hashes and counts what flows through it (the source side of an upload). */
export function hashingPassThrough(onBytes?: (total: number) => void): { stream: Transform; digest: () => string; bytes: () => number } {
  const hash = createHash('sha256');
  let total = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      hash.update(chunk);
      total += chunk.length;
      onBytes?.(total);
      callback(null, chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex'), bytes: () => total };
}
