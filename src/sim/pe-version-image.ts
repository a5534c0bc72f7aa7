/**
 * A minimal PE32+ image that holds nothing but a version resource: the
 * simulated host's `bin/AlteryxService.exe`, so the version fallback (the
 * file version of AlteryxService.exe when `getversion` fails) runs the same
 * parser here as on Windows (src/platform/pe-version.ts). Never executed.
 *
 * Layout per Microsoft's PE format page
 * (https://learn.microsoft.com/en-us/windows/win32/debug/pe-format) and
 * VS_VERSIONINFO / VS_FIXEDFILEINFO
 * (https://learn.microsoft.com/en-us/windows/win32/menurc/vs-versioninfo,
 * https://learn.microsoft.com/en-us/windows/win32/api/verrsrc/ns-verrsrc-vs_fixedfileinfo).
 * The parser is also tested on real MSVC-built images
 * (test/fixtures/windows/pe/), so it is not checked only against this writer.
 */
export function buildVersionImage(version: string): Buffer {
  const parts = version.split('.').map((p) => Number(p));
  while (parts.length < 4) parts.push(0);
  if (parts.length > 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 0xffff)) {
    throw new Error(`'${version}' is not a version of up to four numbers 0-65535.`);
  }
  const ms = ((parts[0] << 16) | parts[1]) >>> 0;
  const ls = ((parts[2] << 16) | parts[3]) >>> 0;

  const FILE_ALIGN = 0x200;
  const SECTION_RVA = 0x1000;
  const headers = Buffer.alloc(FILE_ALIGN);
  // DOS header: "MZ", e_lfanew = 0x40.
  headers.writeUInt16LE(0x5a4d, 0);
  headers.writeUInt32LE(0x40, 0x3c);
  const pe = 0x40;
  headers.writeUInt32LE(0x00004550, pe);
  // COFF header: AMD64, one section, 240-byte optional header, executable image.
  headers.writeUInt16LE(0x8664, pe + 4);
  headers.writeUInt16LE(1, pe + 6);
  headers.writeUInt16LE(240, pe + 20);
  headers.writeUInt16LE(0x0022, pe + 22);
  const opt = pe + 24;
  headers.writeUInt16LE(0x20b, opt); // PE32+
  headers.writeUInt32LE(SECTION_RVA, opt + 32); // SectionAlignment
  headers.writeUInt32LE(FILE_ALIGN, opt + 36); // FileAlignment
  headers.writeUInt16LE(3, opt + 68); // Subsystem: console
  headers.writeUInt32LE(16, opt + 108); // NumberOfRvaAndSizes

  // .rsrc: root (type 16) -> name 1 -> language 0x409 -> data entry -> VS_VERSIONINFO.
  const rsrc = Buffer.alloc(0x200);
  const dir = (at: number, idEntries: number) => rsrc.writeUInt16LE(idEntries, at + 14);
  const entry = (at: number, id: number, offset: number, subdir: boolean) => {
    rsrc.writeUInt32LE(id, at);
    rsrc.writeUInt32LE((offset | (subdir ? 0x80000000 : 0)) >>> 0, at + 4);
  };
  dir(0, 1);
  entry(16, 16, 0x18, true);
  dir(0x18, 1);
  entry(0x18 + 16, 1, 0x30, true);
  dir(0x30, 1);
  entry(0x30 + 16, 0x409, 0x48, false);
  const VI = 0x58;
  const key = Buffer.from('VS_VERSION_INFO\0', 'utf16le'); // 32 bytes: 6 + 32 = 38, padded to 40
  const fixedAt = VI + 40;
  const viLength = 40 + 52;
  rsrc.writeUInt32LE(SECTION_RVA + VI, 0x48); // data RVA
  rsrc.writeUInt32LE(viLength, 0x48 + 4);
  rsrc.writeUInt16LE(viLength, VI);
  rsrc.writeUInt16LE(52, VI + 2);
  rsrc.writeUInt16LE(0, VI + 4);
  key.copy(rsrc, VI + 6);
  rsrc.writeUInt32LE(0xfeef04bd, fixedAt);
  rsrc.writeUInt32LE(0x00010000, fixedAt + 4);
  rsrc.writeUInt32LE(ms, fixedAt + 8);
  rsrc.writeUInt32LE(ls, fixedAt + 12);
  rsrc.writeUInt32LE(ms, fixedAt + 16);
  rsrc.writeUInt32LE(ls, fixedAt + 20);
  rsrc.writeUInt32LE(0x3f, fixedAt + 24);
  rsrc.writeUInt32LE(0x40004, fixedAt + 32); // VOS_NT_WINDOWS32
  rsrc.writeUInt32LE(1, fixedAt + 36); // VFT_APP

  headers.writeUInt32LE(SECTION_RVA + rsrc.length, opt + 56); // SizeOfImage
  headers.writeUInt32LE(FILE_ALIGN, opt + 60); // SizeOfHeaders
  headers.writeUInt32LE(SECTION_RVA, opt + 112 + 2 * 8); // resource table RVA
  headers.writeUInt32LE(VI + viLength, opt + 112 + 2 * 8 + 4);
  const sec = opt + 240;
  headers.write('.rsrc', sec, 'latin1');
  headers.writeUInt32LE(rsrc.length, sec + 8);
  headers.writeUInt32LE(SECTION_RVA, sec + 12);
  headers.writeUInt32LE(rsrc.length, sec + 16);
  headers.writeUInt32LE(FILE_ALIGN, sec + 20);
  headers.writeUInt32LE(0x40000040, sec + 36); // initialized data, readable
  return Buffer.concat([headers, rsrc]);
}
