import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BSON, BSONRegExp } from 'bson';
import { BsonStreamVerifier, checkBsonDocument, MAX_BSON_DOCUMENT_BYTES, type BsonCheckMode } from '../../../src/mongo/bson-validate';
import { checkBsonStream } from '../../../src/mongo/bson-file-verify';
import { bsonStream, richDocument, seeded } from './dump-samples';

const MODES: BsonCheckMode[] = ['walk', 'deserialize'];

function verify(data: Buffer, mode: BsonCheckMode, chunkSize = data.length || 1): BsonStreamVerifier {
  const v = new BsonStreamVerifier(mode);
  for (let i = 0; i < data.length; i += chunkSize) v.push(data.subarray(i, Math.min(i + chunkSize, data.length)));
  v.end();
  return v;
}

function flipBit(data: Buffer, byte: number, bit: number): Buffer {
  const copy = Buffer.from(data);
  copy[byte] ^= 1 << bit;
  return copy;
}

describe('BsonStreamVerifier', () => {
  const good = bsonStream(50);
  const firstSize = good.readInt32LE(0);

  for (const mode of MODES) {
    it(`${mode}: accepts a good stream whatever the chunking`, () => {
      for (const chunk of [1, 3, 4, 5, 7, 64, 4096, good.length]) {
        const v = verify(good, mode, chunk);
        assert.equal(v.problem, undefined, `chunk ${chunk}`);
        assert.equal(v.documents, 50, `chunk ${chunk}`);
        assert.equal(v.bytes, good.length);
      }
    });

    it(`${mode}: an empty stream is zero documents, not an error`, () => {
      const v = verify(Buffer.alloc(0), mode);
      assert.equal(v.problem, undefined);
      assert.equal(v.documents, 0);
    });

    it(`${mode}: reports a stream truncated inside a document or a length prefix`, () => {
      for (const cut of [1, 3, firstSize - 1, firstSize + 2, good.length - 1, good.length - 17]) {
        for (const chunk of [7, good.length]) {
          const v = verify(good.subarray(0, cut), mode, chunk);
          assert.ok(v.problem, `cut at ${cut}, chunk ${chunk}`);
          assert.match(v.problem.message, /truncated/);
        }
      }
    });

    it(`${mode}: rejects length prefixes out of range`, () => {
      for (const size of [0, 4, -1, MAX_BSON_DOCUMENT_BYTES + 1, 0x7fffffff]) {
        const bad = Buffer.from(good);
        bad.writeInt32LE(size, firstSize);
        const v = verify(bad, mode);
        assert.ok(v.problem, `size ${size}`);
        assert.equal(v.problem.documentIndex, 1);
        assert.equal(v.problem.offset, firstSize);
        assert.equal(v.documents, 1);
      }
    });

    it(`${mode}: detects flipped bits in length prefixes, type bytes and terminators`, () => {
      const doc = Buffer.from(BSON.serialize(richDocument(0)));
      const size = doc.length;
      // Offsets of the 3rd document: its length prefix bytes 0 and 1, its first type byte, its terminator.
      const base = 2 * firstSize;
      assert.equal(size, firstSize, 'the sample documents have a fixed size');
      for (const [offset, bit] of [
        [base, 0],
        [base, 3],
        [base + 1, 0],
        [base + 4, 6],
        [base + size - 1, 0],
        [base + size - 1, 7],
      ] as const) {
        const v = verify(flipBit(good, offset, bit), mode, 1000);
        assert.ok(v.problem, `offset ${offset} bit ${bit}`);
        assert.ok(v.documents <= 2, `stops at the damaged document (offset ${offset})`);
      }
    });
  }

  it('a cut exactly between documents parses; only a count check can catch it', () => {
    const v = verify(good.subarray(0, firstSize * 10), 'walk');
    assert.equal(v.problem, undefined);
    assert.equal(v.documents, 10);
  });

  it('accepts a document of exactly the maximum size and rejects one byte more', () => {
    const max = Buffer.from(BSON.serialize({ d: Buffer.alloc(MAX_BSON_DOCUMENT_BYTES - 13) }));
    assert.equal(max.length, MAX_BSON_DOCUMENT_BYTES);
    const ok = verify(max, 'walk', 1 << 20);
    assert.equal(ok.problem, undefined);
    assert.equal(ok.documents, 1);
    const over = Buffer.from(BSON.serialize({ d: Buffer.alloc(MAX_BSON_DOCUMENT_BYTES - 12) }));
    assert.match(verify(over, 'walk').problem?.message ?? '', /outside \[5, 16793600\]/);
  });

  it('assembles a document larger than the read chunk without growing past it', () => {
    const big = Buffer.from(BSON.serialize({ _id: 1, data: Buffer.alloc(3 * 1024 * 1024, 7), s: 'x'.repeat(100000) }));
    const data = Buffer.concat([good, big, good]);
    const v = verify(data, 'walk', 65536);
    assert.equal(v.problem, undefined);
    assert.equal(v.documents, 101);
  });
});

describe('walk and BSON.deserialize agree', () => {
  it('on every single-bit flip of a document that uses every BSON type', () => {
    const doc = Buffer.from(BSON.serialize(richDocument(3)));
    let rejected = 0;
    for (let byte = 0; byte < doc.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = flipBit(doc, byte, bit);
        const walk = checkBsonDocument(flipped, 'walk');
        const deser = checkBsonDocument(flipped, 'deserialize');
        assert.equal(walk === undefined, deser === undefined, `byte ${byte} bit ${bit}: walk=${walk} deserialize=${deser}`);
        if (walk) rejected++;
      }
    }
    assert.ok(rejected > doc.length, `many flips are detectable (${rejected})`);
  });

  it('on random multi-byte damage, truncation and invalid UTF-8', () => {
    const rnd = seeded(42);
    const doc = Buffer.from(BSON.serialize(richDocument(5)));
    for (let n = 0; n < 3000; n++) {
      const copy = Buffer.from(doc);
      const hits = 1 + Math.floor(rnd() * 4);
      for (let h = 0; h < hits; h++) copy[Math.floor(rnd() * copy.length)] = Math.floor(rnd() * 256);
      const walk = checkBsonDocument(copy, 'walk');
      const deser = checkBsonDocument(copy, 'deserialize');
      assert.equal(walk === undefined, deser === undefined, `case ${n}: walk=${walk} deserialize=${deser}`);
    }
    const utf8 = Buffer.from(BSON.serialize({ s: 'abcé' }));
    utf8[utf8.indexOf(0xc3)] = 0xff;
    assert.match(checkBsonDocument(utf8, 'walk') ?? '', /UTF-8/);
    assert.ok(checkBsonDocument(utf8, 'deserialize'));
  });

  it('accepts a regex that is valid for MongoDB but not for JavaScript', () => {
    const doc = Buffer.from(BSON.serialize({ re: new BSONRegExp('(?i)a++[', 'x') }));
    assert.equal(checkBsonDocument(doc, 'walk'), undefined);
    assert.equal(checkBsonDocument(doc, 'deserialize'), undefined);
  });
});

describe('checkBsonStream (e.g. an entry read back from the archive)', () => {
  it('counts a good stream and reports a truncated one', async () => {
    const data = bsonStream(20);
    async function* chunks(buf: Buffer, size: number) {
      for (let i = 0; i < buf.length; i += size) yield new Uint8Array(buf.subarray(i, i + size));
    }
    assert.deepEqual(await checkBsonStream(chunks(data, 333)), { documents: 20, bsonBytes: data.length, problem: undefined });
    const cut = await checkBsonStream(chunks(data.subarray(0, data.length - 3), 333));
    assert.equal(cut.documents, 19);
    assert.match(cut.problem ?? '', /^document #20 at byte offset \d+: .*truncated/);
  });
});

