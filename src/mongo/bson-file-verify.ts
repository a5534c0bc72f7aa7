import { createReadStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BsonStreamVerifier, type BsonCheckMode } from './bson-validate';

export interface BsonFileCheck {
  documents: number;
  /** Uncompressed BSON bytes that were checked. */
  bsonBytes: number;
  /** Undefined when the whole file is a sequence of valid documents. */
  problem?: string;
}

const READ_CHUNK = 4 * 1024 * 1024;

/** Streams one `.bson` or `.bson.gz` file through the verifier. Memory: one chunk plus one document. */
export async function checkBsonFile(file: string, mode: BsonCheckMode = 'walk', signal?: AbortSignal): Promise<BsonFileCheck> {
  const verifier = new BsonStreamVerifier(mode);
  if (file.endsWith('.gz')) {
    try {
      await pipeline(
        createReadStream(file, { highWaterMark: 1024 * 1024, signal }),
        createGunzip({ chunkSize: 1024 * 1024 }),
        async function (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            verifier.push(chunk);
            // A damaged stream cannot be resynchronised; stop reading.
            if (verifier.failed) return;
          }
        },
      );
    } catch (err) {
      if (signal?.aborted) throw err;
      // Returning early from the sink aborts the pipeline; the verifier already holds the reason.
      if (verifier.failed) return result(verifier);
      const e = err as NodeJS.ErrnoException;
      if (e.code && /^Z_|ERR_/.test(e.code)) {
        return { documents: verifier.documents, bsonBytes: verifier.bytes, problem: `gzip stream is corrupt or truncated after ${verifier.bytes} bytes (${e.message})` };
      }
      throw err;
    }
  } else {
    const fh = await fs.open(file, 'r');
    try {
      const buf = Buffer.allocUnsafe(READ_CHUNK);
      for (;;) {
        if (signal?.aborted) throw signal.reason ?? new Error('aborted');
        const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, null);
        if (bytesRead === 0) break;
        verifier.push(bytesRead === READ_CHUNK ? buf : buf.subarray(0, bytesRead));
        if (verifier.failed) break;
      }
    } finally {
      await fh.close();
    }
  }
  verifier.end();
  return result(verifier);
}

/**
 * The same check on any byte stream, e.g. a `.bson` entry read back out of
 * the zip archive (Test-BackupIntegrity's deep check). Gunzip first for
 * `.bson.gz` entries. Stops reading at the first problem.
 */
export async function checkBsonStream(source: AsyncIterable<Buffer | Uint8Array>, mode: BsonCheckMode = 'walk'): Promise<BsonFileCheck> {
  const verifier = new BsonStreamVerifier(mode);
  for await (const chunk of source) {
    verifier.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (verifier.failed) break;
  }
  verifier.end();
  return result(verifier);
}

function result(verifier: BsonStreamVerifier): BsonFileCheck {
  const p = verifier.problem;
  return {
    documents: verifier.documents,
    bsonBytes: verifier.bytes,
    problem: p ? `document #${p.documentIndex + 1} at byte offset ${p.offset}: ${p.message}` : undefined,
  };
}
