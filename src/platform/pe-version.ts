import * as fs from 'node:fs';

/**
 * The version resource of a Windows executable, read from the file itself
 * (no Windows API): the fallback for the Alteryx Server version when
 * `AlteryxService.exe getversion` fails (issue 11 point 6). Works the same on
 * the simulated host, whose `bin/AlteryxService.exe` image carries a version
 * resource (src/sim/pe-version-image.ts).
 *
 * Layout, from Microsoft's documentation:
 * - PE format (DOS header e_lfanew at 0x3C, "PE\0\0", COFF header, optional
 *   header PE32 0x10B / PE32+ 0x20B, data directory 2 = resource table,
 *   section table, resource directory tables/entries/data entries; offsets
 *   in the tree are relative to the start of the resource section):
 *   https://learn.microsoft.com/en-us/windows/win32/debug/pe-format
 * - RT_VERSION is resource type 16 (winuser.h):
 *   https://learn.microsoft.com/en-us/windows/win32/menurc/resource-types
 * - VS_VERSIONINFO (wLength, wValueLength, wType, szKey "VS_VERSION_INFO",
 *   padding to 32 bits, then VS_FIXEDFILEINFO):
 *   https://learn.microsoft.com/en-us/windows/win32/menurc/vs-versioninfo
 * - VS_FIXEDFILEINFO (dwSignature 0xFEEF04BD, dwStrucVersion,
 *   dwFileVersionMS/LS, dwProductVersionMS/LS, ...):
 *   https://learn.microsoft.com/en-us/windows/win32/api/verrsrc/ns-verrsrc-vs_fixedfileinfo
 *
 * "File version" is the binary dwFileVersionMS.dwFileVersionLS as four
 * 16-bit numbers, what Explorer's Details tab shows as "File version".
 */
export interface PeVersion {
  FileVersion: string;
  ProductVersion: string;
}

const RT_VERSION = 16;
const VS_FIXEDFILEINFO_SIGNATURE = 0xfeef04bd;
const MAX_IMAGE_BYTES = 1024 * 1024 * 1024;

export class PeVersionError extends Error {}

function fail(file: string, what: string): never {
  throw new PeVersionError(`${file}: ${what}`);
}

/** Reads the version resource of a PE file; throws PeVersionError saying what is wrong. */
export async function readPeVersion(file: string): Promise<PeVersion> {
  const st = await fs.promises.stat(file);
  if (!st.isFile()) fail(file, 'is not a file');
  if (st.size > MAX_IMAGE_BYTES) fail(file, `is ${st.size} bytes, larger than any executable image`);
  return parsePeVersion(await fs.promises.readFile(file), file);
}

/** Pure: the version resource of a PE image held in memory. */
export function parsePeVersion(b: Buffer, name = 'image'): PeVersion {
  const need = (off: number, len: number, what: string) => {
    if (off < 0 || off + len > b.length) fail(name, `${what} lies outside the file (offset ${off}, ${len} bytes, file ${b.length} bytes)`);
  };
  need(0, 0x40, 'the DOS header');
  if (b.readUInt16LE(0) !== 0x5a4d) fail(name, 'is not a Windows executable (no MZ header)');
  const pe = b.readUInt32LE(0x3c);
  need(pe, 24, 'the PE header');
  if (b.readUInt32LE(pe) !== 0x00004550) fail(name, 'is not a PE image (no PE signature)');
  const sections = b.readUInt16LE(pe + 6);
  const optSize = b.readUInt16LE(pe + 20);
  const opt = pe + 24;
  need(opt, optSize, 'the optional header');
  const magic = b.readUInt16LE(opt);
  let dirs: number;
  let countAt: number;
  if (magic === 0x10b) {
    countAt = opt + 92;
    dirs = opt + 96;
  } else if (magic === 0x20b) {
    countAt = opt + 108;
    dirs = opt + 112;
  } else {
    fail(name, `has an unknown optional header magic 0x${magic.toString(16)}`);
  }
  if (b.readUInt32LE(countAt) < 3 || dirs + 3 * 8 > opt + optSize) fail(name, 'has no resource table directory');
  const rsrcRva = b.readUInt32LE(dirs + 2 * 8);
  if (rsrcRva === 0) fail(name, 'has no resources (no version resource)');

  const table = opt + optSize;
  need(table, sections * 40, 'the section table');
  const rvaToOffset = (rva: number): number => {
    for (let i = 0; i < sections; i++) {
      const s = table + i * 40;
      const vsize = b.readUInt32LE(s + 8);
      const va = b.readUInt32LE(s + 12);
      const rawSize = b.readUInt32LE(s + 16);
      const raw = b.readUInt32LE(s + 20);
      if (rva >= va && rva < va + Math.max(vsize, rawSize)) return raw + (rva - va);
    }
    return fail(name, `RVA 0x${rva.toString(16)} is in no section`);
  };
  const rsrc = rvaToOffset(rsrcRva);

  /** The entries of one resource directory table: [id or -1 for a named entry, offset, isSubdirectory]. */
  const entries = (dirOffset: number): Array<{ id: number; offset: number; subdir: boolean }> => {
    const at = rsrc + dirOffset;
    need(at, 16, 'a resource directory table');
    const count = b.readUInt16LE(at + 12) + b.readUInt16LE(at + 14);
    need(at + 16, count * 8, 'resource directory entries');
    const out: Array<{ id: number; offset: number; subdir: boolean }> = [];
    for (let i = 0; i < count; i++) {
      const e = at + 16 + i * 8;
      const nameField = b.readUInt32LE(e);
      const data = b.readUInt32LE(e + 4);
      out.push({ id: nameField & 0x80000000 ? -1 : nameField & 0xffff, offset: data & 0x7fffffff, subdir: (data & 0x80000000) !== 0 });
    }
    return out;
  };
  const type = entries(0).find((e) => e.id === RT_VERSION && e.subdir);
  if (!type) fail(name, 'has no version resource (RT_VERSION)');
  const nameEntry = entries(type.offset).find((e) => e.subdir);
  if (!nameEntry) fail(name, 'has an empty version resource directory');
  const langEntry = entries(nameEntry.offset).find((e) => !e.subdir);
  if (!langEntry) fail(name, 'has a version resource without data');
  need(rsrc + langEntry.offset, 16, 'the version resource data entry');
  const dataRva = b.readUInt32LE(rsrc + langEntry.offset);
  const dataSize = b.readUInt32LE(rsrc + langEntry.offset + 4);
  const vi = rvaToOffset(dataRva);
  need(vi, Math.min(dataSize, 92), 'the version resource');

  const KEY = 'VS_VERSION_INFO';
  const keyAt = vi + 6;
  need(keyAt, (KEY.length + 1) * 2, 'VS_VERSIONINFO.szKey');
  if (b.toString('utf16le', keyAt, keyAt + KEY.length * 2) !== KEY) fail(name, 'has a version resource that does not start with VS_VERSION_INFO');
  const valueLength = b.readUInt16LE(vi + 2);
  if (valueLength < 52) fail(name, 'has a version resource without VS_FIXEDFILEINFO');
  let fixed = keyAt + (KEY.length + 1) * 2;
  fixed = vi + Math.ceil((fixed - vi) / 4) * 4;
  need(fixed, 52, 'VS_FIXEDFILEINFO');
  if (b.readUInt32LE(fixed) !== VS_FIXEDFILEINFO_SIGNATURE) fail(name, 'has a VS_FIXEDFILEINFO without its 0xFEEF04BD signature');
  const four = (ms: number, ls: number) => `${ms >>> 16}.${ms & 0xffff}.${ls >>> 16}.${ls & 0xffff}`;
  return {
    FileVersion: four(b.readUInt32LE(fixed + 8), b.readUInt32LE(fixed + 12)),
    ProductVersion: four(b.readUInt32LE(fixed + 16), b.readUInt32LE(fixed + 20)),
  };
}
