import { isUtf8 } from 'node:buffer';
import { BSON } from 'bson';

/**
 * Structural validation of BSON documents, and a streaming splitter that
 * turns a `.bson` byte stream into whole documents.
 *
 * `walkBsonDocument` accepts exactly what `BSON.deserialize` (bson@6,
 * default options: UTF-8 validation on) accepts: every element type, length,
 * terminator and UTF-8 string is checked, without building JavaScript
 * objects. A differential test holds the two to the same verdicts. It cannot
 * see a flipped bit inside a number or string payload; nothing can, since
 * mongodump writes no checksums. Counting against mongoDump.log covers lost
 * documents.
 */

/** MongoDB's BSONObjMaxInternalSize: 16 MiB user documents plus 16 KiB for internal fields. */
export const MAX_BSON_DOCUMENT_BYTES = 16 * 1024 * 1024 + 16 * 1024;
export const MIN_BSON_DOCUMENT_BYTES = 5;

export type BsonCheckMode = 'walk' | 'deserialize';

class Corrupt extends Error {}

const REGEX_FLAGS = new Set([...'imxlsu'].map((c) => c.charCodeAt(0)));
/**
 * Regex patterns are PCRE, not JavaScript: compiling them as JS RegExp (the
 * bson default) would reject valid dumps, so patterns stay opaque strings.
 */
const DESERIALIZE_OPTIONS = { bsonRegExp: true } as const;

function int32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

/** Offset just past a NUL-terminated C string starting at `i`, or throws. */
function cstringEnd(b: Buffer, i: number, end: number): number {
  // Element names are short: a plain loop is about twice as fast as Buffer.indexOf here.
  let z = i;
  while (z < end && b[z] !== 0) z++;
  if (z >= end) throw new Corrupt('unterminated element name or C string');
  return z + 1;
}

/** Validates a BSON string body (int32 length incl. NUL, bytes, NUL) at `i`; returns the offset after it. */
function stringEnd(b: Buffer, i: number, end: number): number {
  if (i + 4 > end) throw new Corrupt('string length runs past the document');
  const n = int32(b, i);
  const start = i + 4;
  if (n <= 0 || n > end - start || b[start + n - 1] !== 0) throw new Corrupt('bad string length');
  if (!asciiOrUtf8(b, start, start + n - 1)) throw new Corrupt('invalid UTF-8 in a string');
  return start + n;
}

function asciiOrUtf8(b: Buffer, start: number, end: number): boolean {
  // Short ASCII strings dominate real data; a byte loop beats a native call for them.
  if (end - start < 32) {
    let i = start;
    while (i < end && b[i] < 0x80) i++;
    if (i === end) return true;
  }
  return isUtf8(b.subarray(start, end));
}

/** Validates the document at [start, start+size) and returns its size. */
function walkDocument(b: Buffer, start: number, limit: number, depth: number): number {
  if (depth > 200) throw new Corrupt('nesting deeper than 200 levels');
  if (start + 5 > limit) throw new Corrupt('embedded document runs past its parent');
  const size = int32(b, start);
  if (size < 5 || size > limit - start) throw new Corrupt('bad embedded document length');
  const end = start + size;
  if (b[end - 1] !== 0) throw new Corrupt('document does not end with 0x00');
  let i = start + 4;
  for (;;) {
    if (i >= end) throw new Corrupt('element runs past the end of its document');
    const type = b[i++];
    if (type === 0) break;
    i = cstringEnd(b, i, end - 1);
    switch (type) {
      case 0x01: // double
      case 0x09: // UTC datetime
      case 0x11: // timestamp
      case 0x12: // int64
        i += 8;
        break;
      case 0x10: // int32
        i += 4;
        break;
      case 0x07: // ObjectId
        i += 12;
        break;
      case 0x13: // decimal128
        i += 16;
        break;
      case 0x08: // boolean
        if (i >= end || b[i] > 1) throw new Corrupt('illegal boolean value');
        i += 1;
        break;
      case 0x06: // undefined
      case 0x0a: // null
      case 0xff: // MinKey
      case 0x7f: // MaxKey
        break;
      case 0x02: // string
      case 0x0d: // JavaScript code
      case 0x0e: // symbol
        i = stringEnd(b, i, end);
        break;
      case 0x03: // document
      case 0x04: // array
        i += walkDocument(b, i, end, depth + 1);
        break;
      case 0x05: {
        // binary
        if (i + 5 > end) throw new Corrupt('binary header runs past the document');
        const n = int32(b, i);
        const subtype = b[i + 4];
        if (n < 0) throw new Corrupt('negative binary length');
        i += 5;
        if (subtype === 0x02) {
          if (i + 4 > end) throw new Corrupt('binary header runs past the document');
          const inner = int32(b, i);
          if (inner < 0 || inner !== n - 4) throw new Corrupt('binary subtype 2 length mismatch');
          i += 4 + inner;
        } else {
          i += n;
        }
        break;
      }
      case 0x0b: {
        // regex: pattern, then options limited to the flags MongoDB accepts
        i = cstringEnd(b, i, end);
        const optionsEnd = cstringEnd(b, i, end);
        for (let k = i; k < optionsEnd - 1; k++) {
          if (!REGEX_FLAGS.has(b[k])) throw new Corrupt(`unsupported regular expression option 0x${b[k].toString(16)}`);
        }
        i = optionsEnd;
        break;
      }
      case 0x0c: // DBPointer
        i = stringEnd(b, i, end) + 12;
        break;
      case 0x0f: {
        // code with scope
        if (i + 4 > end) throw new Corrupt('code_w_scope runs past the document');
        const total = int32(b, i);
        if (total < 14) throw new Corrupt('code_w_scope total size too short');
        const afterString = stringEnd(b, i + 4, end);
        const scopeSize = walkDocument(b, afterString, end, depth + 1);
        if (total !== afterString + scopeSize - i) throw new Corrupt('code_w_scope total size mismatch');
        i = afterString + scopeSize;
        break;
      }
      default:
        throw new Corrupt(`unknown element type 0x${type.toString(16).padStart(2, '0')}`);
    }
    if (i > end - 1) throw new Corrupt('element runs past the end of its document');
  }
  if (i !== end) throw new Corrupt('document length does not match its elements');
  return size;
}

/** Returns undefined when `doc` (exactly one document) is valid, else the reason. */
export function checkBsonDocument(doc: Buffer, mode: BsonCheckMode = 'walk'): string | undefined {
  try {
    if (mode === 'deserialize') {
      BSON.deserialize(doc, DESERIALIZE_OPTIONS);
    } else {
      const size = walkDocument(doc, 0, doc.length, 0);
      if (size !== doc.length) return 'document length does not match the buffer';
    }
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export interface BsonStreamProblem {
  /** 0-based index of the document where the stream went wrong. */
  documentIndex: number;
  /** Byte offset of that document in the (uncompressed) stream. */
  offset: number;
  message: string;
}

/**
 * Splits a byte stream into BSON documents and checks each one. Memory is
 * bounded by one document (≤ 16 MiB + 16 KiB) plus the caller's chunk.
 * After the first problem it stops checking: there is no way to find the
 * next document boundary in a damaged stream.
 */
export class BsonStreamVerifier {
  documents = 0;
  bytes = 0;
  problem: BsonStreamProblem | undefined;
  private readonly header = Buffer.alloc(4);
  private headerFilled = 0;
  private pending: Buffer | undefined;
  private pendingFilled = 0;

  constructor(private readonly mode: BsonCheckMode = 'walk') {}

  get failed(): boolean {
    return this.problem !== undefined;
  }

  push(chunk: Buffer): void {
    if (this.problem) return;
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      if (this.pending) {
        const take = Math.min(this.pending.length - this.pendingFilled, len - pos);
        chunk.copy(this.pending, this.pendingFilled, pos, pos + take);
        this.pendingFilled += take;
        pos += take;
        if (this.pendingFilled === this.pending.length) {
          const doc = this.pending;
          this.pending = undefined;
          this.pendingFilled = 0;
          if (!this.accept(doc, 0, doc.length)) return;
        }
        continue;
      }
      if (this.headerFilled > 0 || len - pos < 4) {
        const take = Math.min(4 - this.headerFilled, len - pos);
        chunk.copy(this.header, this.headerFilled, pos, pos + take);
        this.headerFilled += take;
        pos += take;
        if (this.headerFilled < 4) return;
        const size = this.header.readInt32LE(0);
        this.headerFilled = 0;
        if (!this.sizeInRange(size)) return;
        this.pending = Buffer.allocUnsafe(size);
        this.header.copy(this.pending, 0, 0, 4);
        this.pendingFilled = 4;
        continue;
      }
      // Fast path: whole documents inside this chunk are checked in place.
      const size = int32(chunk, pos);
      if (!this.sizeInRange(size)) return;
      if (size <= len - pos) {
        if (!this.accept(chunk, pos, pos + size)) return;
        pos += size;
      } else {
        this.pending = Buffer.allocUnsafe(size);
        chunk.copy(this.pending, 0, pos, len);
        this.pendingFilled = len - pos;
        pos = len;
      }
    }
  }

  /** Call once at end of stream; reports a document cut off by the end. */
  end(): void {
    if (this.problem) return;
    if (this.pending) {
      this.fail(`stream ends inside a document: ${this.pendingFilled} of ${this.pending.length} bytes present (truncated)`);
    } else if (this.headerFilled > 0) {
      this.fail(`stream ends inside a document length prefix: ${this.headerFilled} stray byte(s) (truncated)`);
    }
  }

  private sizeInRange(size: number): boolean {
    if (size < MIN_BSON_DOCUMENT_BYTES || size > MAX_BSON_DOCUMENT_BYTES) {
      this.fail(`document length prefix ${size} is outside [${MIN_BSON_DOCUMENT_BYTES}, ${MAX_BSON_DOCUMENT_BYTES}]`);
      return false;
    }
    return true;
  }

  private accept(buf: Buffer, start: number, end: number): boolean {
    const size = end - start;
    let reason: string | undefined;
    if (buf[end - 1] !== 0) {
      reason = 'document does not end with 0x00';
    } else if (this.mode === 'deserialize') {
      reason = checkBsonDocument(start === 0 && end === buf.length ? buf : buf.subarray(start, end), 'deserialize');
    } else {
      try {
        walkDocument(buf, start, end, 0);
      } catch (err) {
        reason = err instanceof Error ? err.message : String(err);
      }
    }
    if (reason) {
      this.fail(reason);
      return false;
    }
    this.documents++;
    this.bytes += size;
    return true;
  }

  private fail(message: string): void {
    this.problem = { documentIndex: this.documents, offset: this.bytes, message };
  }
}
