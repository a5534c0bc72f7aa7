/**
 * Golden cases for the retention policy. Each case is a folder's worth of
 * backups (mode, age in days, verified) and the exact keep/remove outcome.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { archiveFileName, type BackupMode } from '../../../src/core/backup-mode';
import { ExitCode, ValidationError } from '../../../src/core/errors';
import { decideRetention, type BackupEntry } from '../../../src/retention/retention-policy';

const NOW = new Date(2026, 0, 31, 12, 0, 0);
const DAY = 24 * 60 * 60 * 1000;
const DEFAULTS: Record<BackupMode, number> = { Full: 30, DatabaseOnly: 14, ConfigOnly: 30 };

/** `V`erified or `U`nverified backup of `mode`, `days` before NOW (negative: in the future). */
function b(mode: BackupMode, days: number, verified: boolean): BackupEntry {
  const timestamp = new Date(NOW.getTime() - days * DAY);
  timestamp.setMilliseconds(0);
  return { name: archiveFileName(mode, timestamp), mode, timestamp, verified };
}
const V = (mode: BackupMode, days: number) => b(mode, days, true);
const U = (mode: BackupMode, days: number) => b(mode, days, false);

interface GoldenCase {
  title: string;
  backups: BackupEntry[];
  /** 'keep' or 'remove' per backup, in input order. */
  expected: Array<'keep' | 'remove'>;
  /** Optional reason fragments per backup, in input order. */
  reasons?: Array<RegExp | undefined>;
  days?: Record<BackupMode, number>;
}

const CASES: GoldenCase[] = [
  { title: 'no backups', backups: [], expected: [] },
  {
    title: 'a single expired verified backup is the newest verified: kept',
    backups: [V('Full', 90)],
    expected: ['keep'],
    reasons: [/newest verified Full/],
  },
  {
    title: 'expired verified backups go once a newer verified one exists',
    backups: [V('Full', 40), V('Full', 35), V('Full', 10)],
    expected: ['remove', 'remove', 'keep'],
    reasons: [/past the 30-day Full retention; newer verified backup ServerBackup_Full_/, undefined, /newest verified/],
  },
  {
    title: 'an unverified newest backup does not count as newer',
    backups: [V('Full', 40), U('Full', 10)],
    expected: ['keep', 'keep'],
    reasons: [/newest verified/, /within the 30-day/],
  },
  {
    title: 'an expired unverified backup with no newer verified one is kept',
    backups: [V('Full', 50), U('Full', 40)],
    expected: ['keep', 'keep'],
    reasons: [/newest verified/, /no newer verified Full backup exists/],
  },
  {
    title: 'expired unverified backups go once a newer verified one exists',
    backups: [V('Full', 50), U('Full', 40), V('Full', 5)],
    expected: ['remove', 'remove', 'keep'],
  },
  {
    title: 'a run of failed (unverified) backups never rotates away the last good one',
    backups: [V('Full', 60), U('Full', 45), U('Full', 31), U('Full', 2), U('Full', 1)],
    expected: ['keep', 'keep', 'keep', 'keep', 'keep'],
  },
  {
    title: 'a future-dated backup is kept and is never the newer backup that allows a deletion',
    backups: [V('Full', 50), V('Full', -3)],
    expected: ['keep', 'keep'],
    reasons: [/newest verified/, /dated in the future/],
  },
  {
    title: 'a future-dated backup does not replace the newest verified one',
    backups: [V('Full', 60), V('Full', 45), V('Full', -400)],
    expected: ['remove', 'keep', 'keep'],
  },
  {
    title: 'modes are independent: a newer DB backup does not allow deleting the only Full',
    backups: [V('Full', 40), V('DatabaseOnly', 1), V('ConfigOnly', 1)],
    expected: ['keep', 'keep', 'keep'],
  },
  {
    title: 'each mode has its own number of days',
    backups: [V('DatabaseOnly', 20), V('DatabaseOnly', 1), V('ConfigOnly', 20), V('ConfigOnly', 1)],
    expected: ['remove', 'keep', 'keep', 'keep'],
    reasons: [/14-day DatabaseOnly/, undefined, /within the 30-day ConfigOnly/, undefined],
  },
  {
    title: 'exactly the retention age is kept; one second more is removed',
    backups: [V('Full', 30), V('Full', 30 + 1 / 86400), V('Full', 0)],
    expected: ['keep', 'remove', 'keep'],
  },
  {
    title: 'a name not matching our pattern is never removed, whatever the entry claims',
    backups: [
      { name: 'ServerBackup_DatabaseOnly_20250101_000000.zip', mode: 'DatabaseOnly', timestamp: new Date(2025, 0, 1), verified: true },
      { name: 'ServerBackup_Full_20250101_000000.zip.bak', mode: 'Full', timestamp: new Date(2025, 0, 1), verified: true },
      V('Full', 1),
    ],
    expected: ['keep', 'keep', 'keep'],
    reasons: [/not one of our archive names/, /not one of our archive names/, undefined],
  },
  {
    title: 'input order is preserved, whatever the dates',
    backups: [V('Full', 1), V('Full', 100), V('Full', 50)],
    expected: ['keep', 'remove', 'remove'],
  },
  {
    title: 'custom retention: 1 day',
    backups: [V('ConfigOnly', 3), V('ConfigOnly', 2), V('ConfigOnly', 0.5)],
    expected: ['remove', 'remove', 'keep'],
    days: { Full: 1, DatabaseOnly: 1, ConfigOnly: 1 },
  },
];

describe('decideRetention: golden cases', () => {
  for (const c of CASES) {
    it(c.title, () => {
      const decisions = decideRetention(c.backups, c.days ?? DEFAULTS, NOW);
      assert.deepEqual(
        decisions.map((d) => d.name),
        c.backups.map((x) => x.name),
      );
      assert.deepEqual(
        decisions.map((d) => d.action),
        c.expected,
        decisions.map((d) => `${d.name}: ${d.action} (${d.reason})`).join('\n'),
      );
      c.reasons?.forEach((re, i) => {
        if (re) assert.match(decisions[i].reason, re);
      });
      for (const d of decisions) assert.ok(d.reason.length > 0);
    });
  }

  it('never removes the newest verified backup of any mode (property over many random folders)', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const modes: BackupMode[] = ['Full', 'DatabaseOnly', 'ConfigOnly'];
    for (let round = 0; round < 300; round++) {
      const seen = new Set<string>();
      const backups: BackupEntry[] = [];
      for (let i = 0; i < 12; i++) {
        const e = b(modes[Math.floor(rnd() * 3)], Math.floor(rnd() * 120) - 5, rnd() > 0.3);
        if (!seen.has(e.name)) {
          seen.add(e.name);
          backups.push(e);
        }
      }
      const decisions = decideRetention(backups, DEFAULTS, NOW);
      for (const mode of modes) {
        const verifiedPast = backups.filter((x) => x.mode === mode && x.verified && x.timestamp <= NOW);
        if (verifiedPast.length === 0) {
          assert.ok(decisions.filter((d, i) => backups[i].mode === mode).every((d) => d.action === 'keep'));
          continue;
        }
        const newest = verifiedPast.reduce((a, c) => (c.timestamp > a.timestamp ? c : a));
        assert.equal(decisions[backups.indexOf(newest)].action, 'keep');
      }
      decisions.forEach((d, i) => {
        if (backups[i].timestamp > NOW) assert.equal(d.action, 'keep');
        if (d.action === 'remove') {
          assert.ok(NOW.getTime() - backups[i].timestamp.getTime() > DEFAULTS[backups[i].mode] * DAY);
        }
      });
    }
  });
});

describe('decideRetention: refuses a policy that could delete everything', () => {
  const bad: Array<[string, unknown]> = [
    ['zero', { Full: 0, DatabaseOnly: 14, ConfigOnly: 30 }],
    ['negative', { Full: 30, DatabaseOnly: -1, ConfigOnly: 30 }],
    ['NaN', { Full: 30, DatabaseOnly: 14, ConfigOnly: Number.NaN }],
    ['Infinity', { Full: Number.POSITIVE_INFINITY, DatabaseOnly: 14, ConfigOnly: 30 }],
    ['a string', { Full: '7', DatabaseOnly: 14, ConfigOnly: 30 }],
    ['a missing mode', { Full: 30, DatabaseOnly: 14 }],
    ['an empty policy', {}],
  ];
  for (const [title, days] of bad) {
    it(`refuses ${title} with a ValidationError (exit 3), even with nothing to delete`, () => {
      assert.throws(
        () => decideRetention([], days as Record<BackupMode, number>, NOW),
        (err: unknown) => err instanceof ValidationError && err.exitCode === ExitCode.ValidationFailure && err.code === 'RETENTION_POLICY_INVALID',
      );
    });
  }

  it('names every bad setting at once', () => {
    try {
      decideRetention([], { Full: 0, DatabaseOnly: -2, ConfigOnly: 30 }, NOW);
      assert.fail('expected a ValidationError');
    } catch (err) {
      assert.ok(err instanceof ValidationError);
      assert.deepEqual(
        err.details.map((d) => d.split(':')[0]),
        ['RetentionDays.Full', 'RetentionDays.DatabaseOnly'],
      );
    }
  });
});
