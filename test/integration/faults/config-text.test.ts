import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertFailed,
  assertUnharmed,
  createFaultHost,
  destroyFaultHost,
  eventNames,
  prepare,
  runCli,
  tail,
  type FaultHost,
} from './fault-harness';

/**
 * Config files that are valid JSON but wrong (RELIABILITY.md, "Faults to
 * test against": a duplicate key, a file saved as UTF-16). Decision: UTF-16
 * with a BOM is read correctly; UTF-32 is refused with "save it as UTF-8".
 */
describe('config file text: duplicate keys and encodings', () => {
  let h: FaultHost;
  before(async () => {
    h = await createFaultHost([], { fullBackup: false });
  });
  after(() => destroyFaultHost(h));

  const variant = (name: string, bytes: Buffer) => {
    const p = path.join(path.dirname(h.root), `${name}.backup-config.json`);
    fs.writeFileSync(p, bytes);
    return p;
  };

  test('a duplicate key ("Full": 30, "Full": 1): exit 3 CONFIG_DUPLICATE_KEY naming the key and its line; nothing stopped', async () => {
    const b = await prepare(h);
    const text = fs.readFileSync(h.configPath, 'utf8');
    const lines = text.split('\n');
    const i = lines.findIndex((l) => /"Full":\s*\d+/.test(l));
    assert.ok(i > 0, 'the generated config has RetentionDays.Full');
    lines.splice(i + 1, 0, lines[i].replace(/\d+/, '1').replace(/,?\s*$/, ','));
    if (!/,\s*$/.test(lines[i])) lines[i] = lines[i] + ',';
    const cfg = variant('dup', Buffer.from(lines.join('\n')));
    const r = await runCli('Invoke-AlteryxBackup', { configPath: cfg, parameters: { BackupMode: 'Full' } });
    assertFailed(r, 3, 'CONFIG_DUPLICATE_KEY');
    assert.match(r.result!.error!.message, /"Full" twice/);
    assert.match(r.result!.error!.message, new RegExp(`line ${i + 2}\\b`));
    assert.ok(!eventNames(b, h.root).includes('stop-requested'));
    await assertUnharmed(h, b);
  });

  test('the config saved as UTF-16 LE with a BOM (Notepad "Unicode"): read correctly, the backup succeeds', async () => {
    const b = await prepare(h);
    const cfg = variant('utf16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(fs.readFileSync(h.configPath, 'utf8'), 'utf16le')]));
    const r = await runCli('Invoke-AlteryxBackup', { configPath: cfg, parameters: { BackupMode: 'ConfigOnly' } });
    assert.equal(r.exitCode, 0, tail(r));
    const name = path.basename(r.result!.data.ArchivePath);
    await assertUnharmed(h, b, { allowNew: [name, `${name}.sha256`] });
  });

  test('the config saved as UTF-32: exit 3 CONFIG_ENCODING "save it as UTF-8", not a garbled JSON error; nothing stopped', async () => {
    const b = await prepare(h);
    const text = fs.readFileSync(h.configPath, 'utf8');
    const body = Buffer.alloc(4 + [...text].length * 4);
    body.set([0xff, 0xfe, 0, 0]);
    [...text].forEach((ch, k) => body.writeUInt32LE(ch.codePointAt(0)!, 4 + k * 4));
    const r = await runCli('Invoke-AlteryxBackup', { configPath: variant('utf32', body), parameters: { BackupMode: 'Full' } });
    assertFailed(r, 3, 'CONFIG_ENCODING');
    assert.match(r.result!.error!.message, /UTF-32 LE; save it as UTF-8/);
    assert.ok(!eventNames(b, h.root).includes('stop-requested'));
    await assertUnharmed(h, b);
  });
});
