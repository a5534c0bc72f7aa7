import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { CancelledError, StorageError } from '../../../src/core/errors';
import { MAX_RETRY_DELAY_MS, RetriesExhausted, isPermanentCopyError, realSleep, retryDelayMs, withRetry } from '../../../src/distribution/retry';

const errno = (code: string) => Object.assign(new Error(code), { code });

describe('retryDelayMs', () => {
  it('starts at the configured delay and doubles by default', () => {
    const p = { count: 3, delaySeconds: 30 };
    assert.deepEqual([1, 2, 3].map((r) => retryDelayMs(p, r)), [30_000, 60_000, 120_000]);
  });
  it('a factor of 1 gives a fixed delay; 0 s gives no wait', () => {
    assert.deepEqual([1, 2, 3].map((r) => retryDelayMs({ count: 3, delaySeconds: 30, backoffFactor: 1 }, r)), [30_000, 30_000, 30_000]);
    assert.equal(retryDelayMs({ count: 3, delaySeconds: 0 }, 3), 0);
  });
  it('never waits longer than the cap', () => {
    assert.equal(retryDelayMs({ count: 20, delaySeconds: 3600 }, 10), MAX_RETRY_DELAY_MS);
  });
});

describe('isPermanentCopyError', () => {
  const table: Array<[string, unknown, boolean]> = [
    ['ENOSPC (disk full)', errno('ENOSPC'), true],
    ['EDQUOT (quota)', errno('EDQUOT'), true],
    ['EACCES (access denied)', errno('EACCES'), true],
    ['EPERM', errno('EPERM'), true],
    ['EROFS (read-only)', errno('EROFS'), true],
    ['EEXIST', errno('EEXIST'), true],
    ['ENOTDIR', errno('ENOTDIR'), true],
    ['target exists', new StorageError('x', 'DESTINATION_TARGET_EXISTS'), true],
    ['source changed', new StorageError('x', 'SOURCE_CHANGED'), true],
    ['cloud not configured', new StorageError('x', 'CLOUD_NOT_CONFIGURED'), true],
    ['cancelled', new CancelledError('x'), true],
    ['HTTP 403', Object.assign(new Error('forbidden'), { statusCode: 403 }), true],
    ['S3 403', Object.assign(new Error('denied'), { $metadata: { httpStatusCode: 403 } }), true],
    ['ENOENT (share gone for a moment)', errno('ENOENT'), false],
    ['ECONNRESET', errno('ECONNRESET'), false],
    ['ETIMEDOUT', errno('ETIMEDOUT'), false],
    ['EIO', errno('EIO'), false],
    ['verify mismatch', new StorageError('x', 'DESTINATION_VERIFY_MISMATCH'), false],
    ['HTTP 503', Object.assign(new Error('busy'), { statusCode: 503 }), false],
  ];
  for (const [title, err, permanent] of table) it(`${title} → ${permanent ? 'permanent' : 'transient'}`, () => assert.equal(isPermanentCopyError(err), permanent));
});

describe('withRetry', () => {
  it('retries transient errors with the backoff delays and reports the attempts', async () => {
    const waits: number[] = [];
    const retries: number[] = [];
    let calls = 0;
    const out = await withRetry(
      async (n) => {
        calls++;
        if (n < 3) throw errno('ECONNRESET');
        return 'done';
      },
      { policy: { count: 3, delaySeconds: 2 }, sleep: async (ms) => void waits.push(ms), onRetry: ({ attempt }) => retries.push(attempt) },
    );
    assert.deepEqual(out, { value: 'done', attempts: 3 });
    assert.equal(calls, 3);
    assert.deepEqual(waits, [2000, 4000]);
    assert.deepEqual(retries, [1, 2]);
  });

  it('gives up after count + 1 attempts with the last error', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(async () => {
        calls++;
        throw errno('ENOENT');
      }, { policy: { count: 2, delaySeconds: 1 }, sleep: async () => undefined }),
      (err: unknown) => err instanceof RetriesExhausted && err.attempts === 3 && !err.permanent && (err.lastError as NodeJS.ErrnoException).code === 'ENOENT',
    );
    assert.equal(calls, 3);
  });

  it('count 0 means exactly one attempt', async () => {
    await assert.rejects(
      withRetry(async () => {
        throw errno('ENOENT');
      }, { policy: { count: 0, delaySeconds: 30 }, sleep: async () => assert.fail('no wait expected') }),
      (err: unknown) => err instanceof RetriesExhausted && err.attempts === 1,
    );
  });

  it('stops at once on a permanent error', async () => {
    await assert.rejects(
      withRetry(async () => {
        throw errno('ENOSPC');
      }, { policy: { count: 5, delaySeconds: 30 }, sleep: async () => assert.fail('no wait expected') }),
      (err: unknown) => err instanceof RetriesExhausted && err.attempts === 1 && err.permanent,
    );
  });

  it('a cancellation during the wait ends the retries', async () => {
    const controller = new AbortController();
    await assert.rejects(
      withRetry(
        async () => {
          throw errno('ENOENT');
        },
        {
          policy: { count: 5, delaySeconds: 3600 },
          signal: controller.signal,
          sleep: (ms, signal) => {
            const p = realSleep(ms, signal);
            controller.abort();
            return p;
          },
        },
      ),
      (err: unknown) => err instanceof RetriesExhausted && err.lastError instanceof CancelledError && err.attempts === 1,
    );
  });
});

describe('withLocalDestination / distributionFailure', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { withLocalDestination, distributionFailure } = require('../../../src/distribution/copy-to-destinations') as typeof import('../../../src/distribution/copy-to-destinations');
  const ok = { Destination: '/net/a', Kind: 'Network' as const, Success: true, Attempts: 1, DurationSeconds: 1, SHA256Verified: true, AlreadyPresent: false };
  const bad = { ...ok, Destination: '/net/b', Success: false, SHA256Verified: false, Error: 'ENOSPC: no space left on device' };

  it('puts the Local entry first and keeps success when everything succeeded', () => {
    const r = withLocalDestination({ Success: true, Destinations: [ok] }, { archivePath: '/local/ServerBackup_Full_20260114_020015.zip', verified: true });
    assert.deepEqual(r.Destinations.map((d) => [d.Kind, d.Destination, d.Success]), [['Local', '/local', true], ['Network', '/net/a', true]]);
    assert.equal(r.Success, true);
    assert.equal(distributionFailure(r), undefined);
  });

  it('exit 4 with every failed destination named', () => {
    const r = withLocalDestination({ Success: false, Destinations: [ok, bad] }, { archivePath: '/local/x.zip', verified: true });
    const err = distributionFailure(r)!;
    assert.equal(err.exitCode, 4);
    assert.match(err.message, /1 of 3 destination\(s\): \/net\/b/);
    assert.deepEqual(err.details, ["Network '/net/b': ENOSPC: no space left on device"]);
  });
});
