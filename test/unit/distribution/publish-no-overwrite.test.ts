/**
 * The race the pre-check cannot see: a file appears under the final name
 * between our check and our publish. The publish itself must refuse.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { StorageError } from '../../../src/core/errors';
import { publishNoOverwrite, publishSidecar } from '../../../src/distribution/folder-copy';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axb-publish-'));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('publishNoOverwrite', () => {
  it('publishes when the name is free, and the temp name is gone', async () => {
    const temp = path.join(dir, '.a.partial');
    const final = path.join(dir, 'a.zip');
    fs.writeFileSync(temp, 'ours');
    assert.equal(await publishNoOverwrite(temp, final, sha('ours')), 'published');
    assert.equal(fs.readFileSync(final, 'utf8'), 'ours');
    assert.equal(fs.existsSync(temp), false);
  });

  it('refuses, and leaves the other file alone, when a different file took the name', async () => {
    const temp = path.join(dir, '.b.partial');
    const final = path.join(dir, 'b.zip');
    fs.writeFileSync(temp, 'ours');
    fs.writeFileSync(final, 'theirs');
    await assert.rejects(publishNoOverwrite(temp, final, sha('ours')), (e: unknown) => e instanceof StorageError && e.code === 'DESTINATION_TARGET_EXISTS');
    assert.equal(fs.readFileSync(final, 'utf8'), 'theirs');
  });

  it('accepts an identical file that took the name', async () => {
    const temp = path.join(dir, '.c.partial');
    const final = path.join(dir, 'c.zip');
    fs.writeFileSync(temp, 'ours');
    fs.writeFileSync(final, 'ours');
    assert.equal(await publishNoOverwrite(temp, final, sha('ours')), 'already-present');
  });
});

describe('publishSidecar', () => {
  it('writes the sidecar once, accepts an identical one, refuses a different one', async () => {
    const hex = sha('x');
    const p = await publishSidecar(dir, 'd.zip', hex);
    assert.equal(fs.readFileSync(p, 'utf8'), `${hex}  d.zip\n`);
    assert.equal(await publishSidecar(dir, 'd.zip', hex), p);
    await assert.rejects(publishSidecar(dir, 'd.zip', sha('y')), (e: unknown) => e instanceof StorageError && e.code === 'DESTINATION_TARGET_EXISTS');
    assert.equal(fs.readFileSync(p, 'utf8'), `${hex}  d.zip\n`);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('.d.zip') && n.endsWith('.partial')), []);
  });
});
