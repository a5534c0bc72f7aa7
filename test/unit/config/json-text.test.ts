import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNoDuplicateKeys, decodeConfigText } from '../../../src/config/json-text';
import { ValidationError } from '../../../src/core/errors';

const json = '{\n  "A": { "Ü": "é" }\n}\n';

test('decodeConfigText: UTF-8 with and without BOM, UTF-16 LE and BE by BOM are read the same', () => {
  // BOM bytes: https://www.unicode.org/faq/utf_bom.html#bom4
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]);
  const beBody = Buffer.from(json, 'utf16le');
  for (let i = 0; i < beBody.length; i += 2) [beBody[i], beBody[i + 1]] = [beBody[i + 1], beBody[i]];
  const be = Buffer.concat([Buffer.from([0xfe, 0xff]), beBody]);
  for (const bytes of [Buffer.from(json), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]), le, be]) {
    assert.equal(decodeConfigText(bytes, 'c.json'), json);
  }
});

test('decodeConfigText: UTF-32 (by BOM) and BOM-less UTF-16 are refused with "save it as UTF-8"', () => {
  const utf32le = Buffer.alloc(4 + json.length * 4);
  utf32le.set([0xff, 0xfe, 0, 0]);
  [...json].forEach((ch, i) => utf32le.writeUInt32LE(ch.codePointAt(0)!, 4 + i * 4));
  const utf32be = Buffer.from([0, 0, 0xfe, 0xff, 0, 0, 0, 0x7b]);
  for (const [bytes, what] of [
    [utf32le, /UTF-32 LE/],
    [utf32be, /UTF-32 BE/],
    [Buffer.from(json, 'utf16le'), /without a byte-order mark/],
  ] as const) {
    assert.throws(
      () => decodeConfigText(bytes, 'c.json'),
      (e: unknown) => e instanceof ValidationError && e.exitCode === 3 && e.code === 'CONFIG_ENCODING' && what.test(e.message) && /save it as UTF-8/.test(e.message),
    );
  }
});

test('assertNoDuplicateKeys names the key, its path and the line of the second occurrence', () => {
  const text = '{\n  "BackupConfiguration": {\n    "RetentionDays": {\n      "Full": 30,\n      "Full": 1\n    }\n  }\n}\n';
  assert.throws(
    () => assertNoDuplicateKeys(text, 'c.json'),
    (e: unknown) =>
      e instanceof ValidationError &&
      e.exitCode === 3 &&
      e.code === 'CONFIG_DUPLICATE_KEY' &&
      /"Full" twice/.test(e.message) &&
      /BackupConfiguration\.RetentionDays\.Full/.test(e.message) &&
      /line 5/.test(e.message),
  );
  // Same key in different objects, keys inside strings, escaped quotes, arrays of objects: fine.
  assertNoDuplicateKeys('{"a":{"x":1},"b":{"x":2},"s":"\\"a\\": 1, \\"a\\"","l":[{"k":1},{"k":2}]}', 'c.json');
  assert.throws(() => assertNoDuplicateKeys('{"l":[{"k":1},{"k":2,"k":3}]}', 'c.json'), /l\[1\]\.k/);
  assert.throws(() => assertNoDuplicateKeys('{"a\\u0041":1,"aA":2}', 'c.json'), /"aA" twice/, 'keys compare after unescaping');
});
