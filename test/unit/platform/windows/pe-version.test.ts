import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parsePeVersion, PeVersionError, readPeVersion } from '../../../../src/platform/pe-version';
import { buildVersionImage } from '../../../../src/sim/pe-version-image';
import { repoRoot } from './fixture-path';

/**
 * The version resource reader behind the Server-version fallback (issue 11
 * point 6). Real images: distlib 0.3.8's w64.exe (PE32+) and w32.exe (PE32),
 * MSVC-built launchers vendored in pip 24.2, with every section but the
 * headers and .rsrc zeroed (test/fixtures/windows/README.md). Their version
 * resource says FileVersion 1.1.0.14 (also its StringFileInfo text), and
 * their .rsrc sits at a raw offset different from its RVA, so the RVA
 * mapping is exercised.
 */
function realImage(name: string): Buffer {
  return gunzipSync(fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'windows', 'pe', name)));
}

test('reads the file version of real PE32+ and PE32 images', () => {
  for (const name of ['distlib-0.3.8-w64-headers-and-rsrc.exe.gz', 'distlib-0.3.8-w32-headers-and-rsrc.exe.gz']) {
    const b = realImage(name);
    // The StringFileInfo text in the same resource names the version the binary fields must give.
    assert.ok(b.includes(Buffer.from('1.1.0.14', 'utf16le')), name);
    assert.deepEqual(parsePeVersion(b, name), { FileVersion: '1.1.0.14', ProductVersion: '1.1.0.14' }, name);
  }
});

test('reads the simulated host image, Alteryx-style four-part versions included', () => {
  for (const v of ['2024.1.1.93', '2022.3.1.395', '65535.0.0.1']) assert.equal(parsePeVersion(buildVersionImage(v)).FileVersion, v);
  assert.equal(parsePeVersion(buildVersionImage('2023.2')).FileVersion, '2023.2.0.0');
  assert.throws(() => buildVersionImage('70000.1'), /0-65535/);
});

test('readPeVersion reads a file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pever-'));
  try {
    const f = path.join(dir, 'AlteryxService.exe');
    fs.writeFileSync(f, buildVersionImage('2024.1.1.93'));
    assert.equal((await readPeVersion(f)).FileVersion, '2024.1.1.93');
    await assert.rejects(readPeVersion(path.join(dir, 'missing.exe')), /ENOENT/);
    await assert.rejects(readPeVersion(dir), /is not a file/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('says what is wrong with a file that is not a versioned PE image', () => {
  const real = realImage('distlib-0.3.8-w64-headers-and-rsrc.exe.gz');
  const cases: Array<[string, Buffer, RegExp]> = [
    ['a script', Buffer.from('#!/bin/sh\nexec node alteryx-service.js "$@"\n'.padEnd(80, ' ')), /no MZ header/],
    ['too short', Buffer.from('MZ'), /outside the file/],
    ['truncated after the headers', real.subarray(0, 1024), /outside the file/],
  ];
  const noPe = Buffer.from(real);
  noPe.writeUInt32LE(0, noPe.readUInt32LE(0x3c));
  cases.push(['no PE signature', noPe, /no PE signature/]);
  const noRsrc = Buffer.from(real);
  const opt = noRsrc.readUInt32LE(0x3c) + 24;
  noRsrc.writeUInt32LE(0, opt + 112 + 16);
  cases.push(['no resource table', noRsrc, /no resources/]);
  const badSig = Buffer.from(real);
  badSig.writeUInt32LE(0, badSig.indexOf(Buffer.from([0xbd, 0x04, 0xef, 0xfe])));
  cases.push(['a damaged VS_FIXEDFILEINFO', badSig, /0xFEEF04BD/]);
  const noVersion = Buffer.from(buildVersionImage('1.2.3.4'));
  noVersion.writeUInt32LE(3, 0x200 + 16); // the root's only type becomes RT_ICON
  cases.push(['no RT_VERSION', noVersion, /no version resource/]);
  for (const [what, b, re] of cases) {
    assert.throws(() => parsePeVersion(b, what), (e: unknown) => e instanceof PeVersionError && re.test((e as Error).message) && (e as Error).message.startsWith(what), what);
  }
});
