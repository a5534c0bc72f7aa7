import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ARCHIVE_NAME_PATTERN } from '../../../src/core/backup-mode';
import { directChildren, normalizePrefix } from '../../../src/distribution/cloud-target';
import { tempNameFor } from '../../../src/distribution/folder-copy';
import { errorMessage, redactSecrets, toLogSink } from '../../../src/distribution/log-sink';
import { multipartPartSize } from '../../../src/distribution/s3';
import { azureBlockSize } from '../../../src/distribution/azure-blob';
import { formatSidecar, parseSidecar, sidecarName } from '../../../src/distribution/sidecar';

const HEX = '0123456789abcdef'.repeat(4);
const NAME = 'ServerBackup_Full_20260114_020015.zip';

describe('sidecar format (sha256sum)', () => {
  it('formats `<hex>  <name>\\n` in lowercase', () => {
    assert.equal(formatSidecar(HEX.toUpperCase(), NAME), `${HEX}  ${NAME}\n`);
    assert.equal(sidecarName(NAME), `${NAME}.sha256`);
  });
  const table: Array<[string, string, boolean]> = [
    ['text mode', `${HEX}  ${NAME}\n`, true],
    ['binary mode', `${HEX} *${NAME}\n`, true],
    ['CRLF', `${HEX}  ${NAME}\r\n`, true],
    ['no newline', `${HEX}  ${NAME}`, true],
    ['BOM', `\uFEFF${HEX}  ${NAME}\n`, true],
    ['uppercase hex', `${HEX.toUpperCase()}  ${NAME}\n`, true],
    ['another archive’s name', `${HEX}  ServerBackup_Full_20260114_020016.zip\n`, false],
    ['short hash', `${HEX.slice(1)}  ${NAME}\n`, false],
    ['not hex', `${'g'.repeat(64)}  ${NAME}\n`, false],
    ['two lines', `${HEX}  ${NAME}\n${HEX}  ${NAME}\n`, false],
    ['empty', '', false],
    ['hash only', `${HEX}\n`, false],
  ];
  for (const [title, text, ok] of table) {
    it(`${title} → ${ok ? 'well-formed' : 'rejected'}`, () => {
      const parsed = parseSidecar(text, NAME);
      assert.equal(parsed !== undefined, ok);
      if (parsed) assert.equal(parsed.sha256, HEX);
    });
  }
});

describe('temp names never look like an archive', () => {
  it('starts with a dot and ends in .partial', () => {
    for (let i = 0; i < 50; i++) {
      const t = tempNameFor(NAME);
      assert.ok(!ARCHIVE_NAME_PATTERN.test(t));
      assert.match(t, /^\.ServerBackup_Full_20260114_020015\.zip\.[0-9a-f]{12}\.partial$/);
    }
  });
});

describe('cloud prefixes', () => {
  const table: Array<[string, string]> = [
    ['', ''],
    ['/', ''],
    ['alteryx', 'alteryx/'],
    ['alteryx/prod', 'alteryx/prod/'],
    ['/alteryx/prod/', 'alteryx/prod/'],
    ['alteryx\\prod', 'alteryx/prod/'],
  ];
  for (const [input, out] of table) it(`'${input}' → '${out}'`, () => assert.equal(normalizePrefix(input), out));
  it('directChildren keeps only names directly under the prefix', () => {
    assert.deepEqual(directChildren(['p/a.zip', 'p/sub/b.zip', 'q/c.zip', 'p/', 'p/d.zip.sha256'], 'p/'), ['a.zip', 'd.zip.sha256']);
  });
});

describe('multipartPartSize', () => {
  it('is at least 8 MiB and keeps any archive under 10,000 parts', () => {
    const MiB = 1024 * 1024;
    assert.equal(multipartPartSize(100 * MiB), 8 * MiB);
    for (const gb of [1, 50, 500, 5000]) {
      const size = gb * 1024 * MiB;
      const part = multipartPartSize(size);
      assert.ok(part >= 8 * MiB);
      assert.ok(Math.ceil(size / part) < 10_000, `${gb} GB`);
    }
  });
});

describe('azureBlockSize', () => {
  it('is 8 MiB up to the limit, then grows so that even 500 GB stays under 50,000 blocks', () => {
    const MiB = 1024 * 1024;
    assert.equal(azureBlockSize(20 * MiB), 8 * MiB);
    assert.equal(azureBlockSize(300 * 1024 * MiB), 8 * MiB);
    for (const gb of [390, 500, 1000, 4000]) {
      const size = gb * 1024 * MiB;
      const block = azureBlockSize(size);
      assert.ok(Math.ceil(size / block) <= 50_000, `${gb} GB`);
      assert.equal(block % MiB, 0);
    }
  });
});

describe('log helpers', () => {
  it('redactSecrets masks every secret value, bare and URL-encoded SAS too', () => {
    const sas = '?sv=2024&sig=abc%2Bdef%3D&se=2026';
    const text = redactSecrets(`key=K3yValue url=https://x/c?sv=2024&sig=abc%2Bdef%3D&se=2026 pw=pa ss`, {
      AzureStorageKey: 'K3yValue',
      AzureSasToken: sas,
      SmtpPassword: 'pa ss',
    });
    assert.ok(!text.includes('K3yValue') && !text.includes('sig=abc') && !text.includes('pa ss'), text);
  });
  it('errorMessage says what an HTTP error with an empty body was', () => {
    assert.equal(errorMessage(Object.assign(new Error(''), { statusCode: 403, code: 'AuthenticationFailed' })), 'HTTP 403 AuthenticationFailed');
    assert.equal(errorMessage(Object.assign(new Error('no space left'), { code: 'ENOSPC' })), 'ENOSPC: no space left');
    assert.equal(errorMessage('plain'), 'plain');
  });
  it('toLogSink adapts a level logger', () => {
    const seen: string[] = [];
    const sink = toLogSink({
      debug: (m) => seen.push(`D ${m}`),
      info: (m) => seen.push(`I ${m}`),
      warn: (m) => seen.push(`W ${m}`),
      error: (m) => seen.push(`E ${m}`),
      success: (m) => seen.push(`S ${m}`),
    });
    for (const l of ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'SUCCESS'] as const) sink(l, 'x');
    assert.deepEqual(seen, ['D x', 'I x', 'W x', 'E x', 'S x']);
  });
});
