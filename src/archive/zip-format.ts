/**
 * ZIP structures (APPNOTE 6.3.x) for the archive writer: local and central
 * headers with ZIP64 and Info-ZIP UTC timestamp extra fields, and the
 * (ZIP64) end of central directory. Pure functions over Buffers.
 */

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;
export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;
export const FLAG_UTF8 = 0x800;
export const MAX32 = 0xffffffff;
export const MAX16 = 0xffff;
const VERSION_DEFAULT = 20;
const VERSION_ZIP64 = 45;
/** Made by Unix, so extractors apply the permission bits in the external attributes. */
const MADE_BY_UNIX = 3 << 8;
const FILE_MODE = 0o100644;
const DIR_MODE = 0o040755;
const MSDOS_DIRECTORY = 0x10;

export interface ZipEntryRecord {
  name: Buffer;
  isDirectory: boolean;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  mtime: Date;
  /** Whether the local header carries a ZIP64 extra field (decided before the data is written). */
  localZip64: boolean;
}

/** DOS date and time in local time, as Windows tools read them; clamped to 1980–2107. */
export function dosDateTime(d: Date): { date: number; time: number } {
  let year = d.getFullYear();
  let month = d.getMonth() + 1;
  let day = d.getDate();
  let hours = d.getHours();
  let minutes = d.getMinutes();
  let seconds = d.getSeconds();
  if (Number.isNaN(year) || year < 1980) [year, month, day, hours, minutes, seconds] = [1980, 1, 1, 0, 0, 0];
  else if (year > 2107) [year, month, day, hours, minutes, seconds] = [2107, 12, 31, 23, 59, 58];
  return {
    date: ((year - 1980) << 9) | (month << 5) | day,
    time: (hours << 11) | (minutes << 5) | (seconds >> 1),
  };
}

/** Seconds since the epoch for the Info-ZIP "UT" field: a signed 32-bit value. */
function unixSeconds(d: Date): number {
  const s = Math.floor(d.getTime() / 1000);
  if (!Number.isFinite(s) || s < 0) return 0;
  return Math.min(s, 0x7fffffff);
}

function utExtra(mtime: Date): Buffer {
  const b = Buffer.alloc(9);
  b.writeUInt16LE(0x5455, 0);
  b.writeUInt16LE(5, 2);
  b.writeUInt8(1, 4); // modification time present
  b.writeUInt32LE(unixSeconds(mtime), 5);
  return b;
}

export function isAscii(name: string): boolean {
  return /^[\x20-\x7e]*$/.test(name);
}

export function encodeName(name: string): { bytes: Buffer; flags: number } {
  return { bytes: Buffer.from(name, 'utf8'), flags: isAscii(name) ? 0 : FLAG_UTF8 };
}

/** Entries whose size could reach 4 GiB once written get a ZIP64 local header up front. */
export function needsLocalZip64(uncompressedSize: number): boolean {
  // Stored fallback blocks cost 5 bytes per 64 KiB, plus a little; leave generous room.
  return uncompressedSize + Math.ceil(uncompressedSize / 8192) + (1 << 20) >= MAX32;
}

export function localHeaderLength(nameBytes: number, localZip64: boolean): number {
  return 30 + nameBytes + 9 + (localZip64 ? 20 : 0);
}

export function localHeader(e: ZipEntryRecord): Buffer {
  const { date, time } = dosDateTime(e.mtime);
  const flags = isAscii(e.name.toString('utf8')) ? 0 : FLAG_UTF8;
  const extraLen = 9 + (e.localZip64 ? 20 : 0);
  const b = Buffer.alloc(30 + e.name.length + extraLen);
  b.writeUInt32LE(SIG_LOCAL, 0);
  b.writeUInt16LE(e.localZip64 ? VERSION_ZIP64 : VERSION_DEFAULT, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt16LE(e.method, 8);
  b.writeUInt16LE(time, 10);
  b.writeUInt16LE(date, 12);
  b.writeUInt32LE(e.crc32 >>> 0, 14);
  if (e.localZip64) {
    b.writeUInt32LE(MAX32, 18);
    b.writeUInt32LE(MAX32, 22);
  } else {
    if (e.compressedSize >= MAX32 || e.uncompressedSize >= MAX32) throw new RangeError(`entry too large for a non-ZIP64 local header`);
    b.writeUInt32LE(e.compressedSize, 18);
    b.writeUInt32LE(e.uncompressedSize, 22);
  }
  b.writeUInt16LE(e.name.length, 26);
  b.writeUInt16LE(extraLen, 28);
  e.name.copy(b, 30);
  let p = 30 + e.name.length;
  if (e.localZip64) {
    b.writeUInt16LE(0x0001, p);
    b.writeUInt16LE(16, p + 2);
    b.writeBigUInt64LE(BigInt(e.uncompressedSize), p + 4);
    b.writeBigUInt64LE(BigInt(e.compressedSize), p + 12);
    p += 20;
  }
  utExtra(e.mtime).copy(b, p);
  return b;
}

export function centralHeader(e: ZipEntryRecord): Buffer {
  const { date, time } = dosDateTime(e.mtime);
  const flags = isAscii(e.name.toString('utf8')) ? 0 : FLAG_UTF8;
  const z64: bigint[] = [];
  if (e.uncompressedSize >= MAX32) z64.push(BigInt(e.uncompressedSize));
  if (e.compressedSize >= MAX32) z64.push(BigInt(e.compressedSize));
  if (e.localHeaderOffset >= MAX32) z64.push(BigInt(e.localHeaderOffset));
  const zip64 = z64.length > 0 || e.localZip64;
  const z64Len = z64.length ? 4 + 8 * z64.length : 0;
  const extraLen = z64Len + 9;
  const b = Buffer.alloc(46 + e.name.length + extraLen);
  const version = zip64 ? VERSION_ZIP64 : VERSION_DEFAULT;
  b.writeUInt32LE(SIG_CENTRAL, 0);
  b.writeUInt16LE(MADE_BY_UNIX | version, 4);
  b.writeUInt16LE(version, 6);
  b.writeUInt16LE(flags, 8);
  b.writeUInt16LE(e.method, 10);
  b.writeUInt16LE(time, 12);
  b.writeUInt16LE(date, 14);
  b.writeUInt32LE(e.crc32 >>> 0, 16);
  b.writeUInt32LE(e.compressedSize >= MAX32 ? MAX32 : e.compressedSize, 20);
  b.writeUInt32LE(e.uncompressedSize >= MAX32 ? MAX32 : e.uncompressedSize, 24);
  b.writeUInt16LE(e.name.length, 28);
  b.writeUInt16LE(extraLen, 30);
  b.writeUInt16LE(0, 32); // comment
  b.writeUInt16LE(0, 34); // disk number start
  b.writeUInt16LE(0, 36); // internal attributes
  b.writeUInt32LE((((e.isDirectory ? DIR_MODE : FILE_MODE) << 16) | (e.isDirectory ? MSDOS_DIRECTORY : 0)) >>> 0, 38);
  b.writeUInt32LE(e.localHeaderOffset >= MAX32 ? MAX32 : e.localHeaderOffset, 42);
  e.name.copy(b, 46);
  let p = 46 + e.name.length;
  if (z64.length) {
    b.writeUInt16LE(0x0001, p);
    b.writeUInt16LE(8 * z64.length, p + 2);
    z64.forEach((v, i) => b.writeBigUInt64LE(v, p + 4 + 8 * i));
    p += z64Len;
  }
  utExtra(e.mtime).copy(b, p);
  return b;
}

/** The end records: ZIP64 EOCD and locator when any count, size or offset overflows, then the classic EOCD. */
export function endOfCentralDirectory(entryCount: number, cdOffset: number, cdSize: number): Buffer {
  const zip64 = entryCount >= MAX16 || cdOffset >= MAX32 || cdSize >= MAX32;
  const parts: Buffer[] = [];
  if (zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(SIG_ZIP64_EOCD, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(MADE_BY_UNIX | VERSION_ZIP64, 12);
    rec.writeUInt16LE(VERSION_ZIP64, 14);
    rec.writeUInt32LE(0, 16);
    rec.writeUInt32LE(0, 20);
    rec.writeBigUInt64LE(BigInt(entryCount), 24);
    rec.writeBigUInt64LE(BigInt(entryCount), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(SIG_ZIP64_LOCATOR, 0);
    loc.writeUInt32LE(0, 4);
    loc.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    loc.writeUInt32LE(1, 16);
    parts.push(rec, loc);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(SIG_EOCD, 0);
  eocd.writeUInt16LE(0, 4);
  eocd.writeUInt16LE(0, 6);
  eocd.writeUInt16LE(Math.min(entryCount, MAX16), 8);
  eocd.writeUInt16LE(Math.min(entryCount, MAX16), 10);
  eocd.writeUInt32LE(Math.min(cdSize, MAX32), 12);
  eocd.writeUInt32LE(Math.min(cdOffset, MAX32), 16);
  eocd.writeUInt16LE(0, 20);
  parts.push(eocd);
  return Buffer.concat(parts);
}
