import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { centralHeader, dosDateTime, encodeName, endOfCentralDirectory, localHeader, needsLocalZip64, type ZipEntryRecord } from '../../../src/archive/zip-format';

const rec = (over: Partial<ZipEntryRecord> = {}): ZipEntryRecord => ({
  name: Buffer.from('MongoDB/x.bson'),
  isDirectory: false,
  method: 8,
  crc32: 0xdeadbeef,
  compressedSize: 10,
  uncompressedSize: 20,
  localHeaderOffset: 0,
  mtime: new Date(2026, 10, 26, 8, 0, 7),
  localZip64: false,
  ...over,
});

describe('zip-format', () => {
  it('encodes DOS time in local time with 2-second precision, clamped to 1980..2107', () => {
    const { date, time } = dosDateTime(new Date(2026, 10, 26, 8, 0, 7));
    assert.equal(date, ((2026 - 1980) << 9) | (11 << 5) | 26);
    assert.equal(time, (8 << 11) | (0 << 5) | 3);
    assert.deepEqual(dosDateTime(new Date(0)), { date: (1 << 5) | 1, time: 0 });
    assert.equal(dosDateTime(new Date(3000, 0, 1)).date >> 9, 127);
  });

  it('flags non-ASCII names as UTF-8 and leaves ASCII names alone', () => {
    assert.equal(encodeName('Config/a b.xml').flags, 0);
    assert.equal(encodeName('Config/名前.xml').flags, 0x800);
    assert.ok(encodeName('Config/名前.xml').bytes.equals(Buffer.from('Config/名前.xml', 'utf8')));
  });

  it('writes a classic local header with a UTC timestamp extra field', () => {
    const h = localHeader(rec());
    assert.equal(h.readUInt32LE(0), 0x04034b50);
    assert.equal(h.readUInt16LE(4), 20);
    assert.equal(h.readUInt32LE(14), 0xdeadbeef);
    assert.equal(h.readUInt32LE(18), 10);
    assert.equal(h.readUInt32LE(22), 20);
    const extra = h.subarray(30 + 14);
    assert.equal(extra.readUInt16LE(0), 0x5455);
    assert.equal(extra.readUInt32LE(5), Math.floor(rec().mtime.getTime() / 1000));
  });

  it('gives a large entry a ZIP64 local header with both sizes', () => {
    const big = 4.5 * 1024 ** 3;
    assert.equal(needsLocalZip64(big), true);
    assert.equal(needsLocalZip64(1024 ** 3), false);
    assert.equal(needsLocalZip64(0xffffffff - 100), true, 'margin for deflate overhead');
    const h = localHeader(rec({ localZip64: true, uncompressedSize: big, compressedSize: big - 1 }));
    assert.equal(h.readUInt16LE(4), 45);
    assert.equal(h.readUInt32LE(18), 0xffffffff);
    assert.equal(h.readUInt32LE(22), 0xffffffff);
    const z = h.subarray(30 + 14);
    assert.equal(z.readUInt16LE(0), 1);
    assert.equal(z.readUInt16LE(2), 16);
    assert.equal(Number(z.readBigUInt64LE(4)), big);
    assert.equal(Number(z.readBigUInt64LE(12)), big - 1);
    assert.throws(() => localHeader(rec({ uncompressedSize: big })), RangeError);
  });

  it('puts only the overflowing fields in the central ZIP64 extra, in the order the spec gives', () => {
    const off = 5 * 1024 ** 3;
    const c = centralHeader(rec({ localHeaderOffset: off }));
    assert.equal(c.readUInt32LE(20), 10);
    assert.equal(c.readUInt32LE(24), 20);
    assert.equal(c.readUInt32LE(42), 0xffffffff);
    const z = c.subarray(46 + 14);
    assert.equal(z.readUInt16LE(0), 1);
    assert.equal(z.readUInt16LE(2), 8);
    assert.equal(Number(z.readBigUInt64LE(4)), off);
    const both = centralHeader(rec({ uncompressedSize: 2 ** 33, compressedSize: 2 ** 32, localHeaderOffset: 3 }));
    const z2 = both.subarray(46 + 14);
    assert.equal(z2.readUInt16LE(2), 16);
    assert.equal(Number(z2.readBigUInt64LE(4)), 2 ** 33);
    assert.equal(Number(z2.readBigUInt64LE(12)), 2 ** 32);
    assert.equal(both.readUInt32LE(42), 3);
  });

  it('marks folders with a trailing slash and the directory attribute', () => {
    const c = centralHeader(rec({ name: Buffer.from('Empty/'), isDirectory: true, method: 0, compressedSize: 0, uncompressedSize: 0 }));
    assert.equal(c.readUInt32LE(38) & 0x10, 0x10);
    assert.equal(c.readUInt32LE(38) >>> 16, 0o040755);
  });

  it('writes ZIP64 end records only when needed', () => {
    assert.equal(endOfCentralDirectory(10, 100, 50).length, 22);
    const many = endOfCentralDirectory(70000, 100, 50);
    assert.equal(many.length, 56 + 20 + 22);
    assert.equal(many.readUInt32LE(0), 0x06064b50);
    assert.equal(Number(many.readBigUInt64LE(32)), 70000);
    assert.equal(many.readUInt32LE(56), 0x07064b50);
    assert.equal(Number(many.readBigUInt64LE(64)), 150, 'locator points at the ZIP64 record');
    assert.equal(many.readUInt16LE(76 + 10), 0xffff);
    const far = endOfCentralDirectory(3, 2 ** 33, 50);
    assert.equal(far.readUInt32LE(76 + 16), 0xffffffff);
    assert.equal(far.readUInt16LE(76 + 10), 3);
  });
});
