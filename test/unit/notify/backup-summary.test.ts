import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildBackupSummary, formatBackupSummaryText, formatDuration, type BackupSummaryInput } from '../../../src/notify/backup-summary';
import { notificationBody, notificationSubject, shouldNotify, type NotificationSettings } from '../../../src/notify/email';
import { readLastLines, readTail } from '../../../src/notify/log-tail';

describe('formatDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [45, '45s'],
    [59.4, '59s'],
    [60, '1m 00s'],
    [2538, '42m 18s'],
    [3599, '59m 59s'],
    [3600, '1h 00m 00s'],
    [3723, '1h 02m 03s'],
    [90061, '25h 01m 01s'],
    [-5, '0s'],
    [Number.NaN, '0s'],
  ];
  for (const [seconds, text] of cases) it(`${seconds} s → ${text}`, () => assert.equal(formatDuration(seconds), text));
});

const BASE: BackupSummaryInput = {
  backupMode: 'Full',
  exitCode: 0,
  host: 'ALTERYX-PROD-01',
  startTime: new Date('2026-01-14T02:00:15Z'),
  endTime: new Date('2026-01-14T02:42:33Z'),
  archivePath: 'D:\\Backups\\ServerBackup_Full_20260114_020015.zip',
  archiveSha256: 'e7'.repeat(32),
  archiveSizeBytes: 1523.47 * 1024 * 1024,
  contentSizeBytes: 1537.25 * 1024 * 1024,
  downtimeSeconds: 1130.4,
  destinations: [
    { Destination: 'D:\\Backups', Kind: 'Local', Success: true },
    { Destination: '\\\\nas\\alteryx', Kind: 'Network', Success: true },
    { Destination: 's3://b/p/', Kind: 'S3', Success: true },
  ],
  warnings: [],
  errors: [],
  logPath: 'D:\\Logs\\BackupLog_Full_20260114_020015.log',
};

describe('buildBackupSummary', () => {
  it('builds the data model summary of a clean run', () => {
    const s = buildBackupSummary(BASE);
    assert.deepEqual(s, {
      Status: 'Success',
      ExitCode: 0,
      BackupMode: 'Full',
      ArchivePath: BASE.archivePath,
      ArchiveSHA256: BASE.archiveSha256,
      ArchiveSizeMB: 1523.47,
      CompressionRatio: 0.99,
      DurationSeconds: 2538,
      DurationFormatted: '42m 18s',
      DowntimeSeconds: 1130,
      DowntimeFormatted: '18m 50s',
      DestinationsSucceeded: 3,
      DestinationsTotal: 3,
      FailedDestinations: [],
      Warnings: [],
      Errors: [],
      LogPath: BASE.logPath,
      Host: 'ALTERYX-PROD-01',
      StartTime: '2026-01-14T02:00:15.000Z',
      EndTime: '2026-01-14T02:42:33.000Z',
    });
  });

  it('a run with warnings is distinguishable from a clean one', () => {
    assert.equal(buildBackupSummary({ ...BASE, warnings: ['Keys folder missing'] }).Status, 'Warning');
  });

  it('any non-zero exit code is a failure, and failed destinations are named', () => {
    const s = buildBackupSummary({
      ...BASE,
      exitCode: 4,
      destinations: [...BASE.destinations!, { Destination: '\\\\nas2\\x', Kind: 'Network', Success: false }],
      errors: ['Copy failed'],
    });
    assert.equal(s.Status, 'Failed');
    assert.equal(s.DestinationsSucceeded, 3);
    assert.equal(s.DestinationsTotal, 4);
    assert.deepEqual(s.FailedDestinations, ['Network: \\\\nas2\\x']);
  });

  it('a run that failed before the archive existed has nulls, not made-up values', () => {
    const s = buildBackupSummary({
      backupMode: 'ConfigOnly',
      exitCode: 3,
      host: 'H',
      startTime: new Date(0),
      endTime: new Date(45_000),
      errors: ['config invalid'],
    });
    assert.equal(s.ArchivePath, null);
    assert.equal(s.ArchiveSizeMB, null);
    assert.equal(s.CompressionRatio, null);
    assert.equal(s.DowntimeSeconds, null);
    assert.equal(s.DurationFormatted, '45s');
    assert.equal(s.DestinationsTotal, 0);
    assert.match(formatBackupSummaryText(s), /Downtime:\s+none/);
  });
});

function settings(over: Partial<NotificationSettings> = {}): NotificationSettings {
  return {
    Enabled: true,
    SMTPServer: 'smtp.example.com',
    SMTPPort: 587,
    UseSSL: true,
    Username: '',
    CredentialFile: '',
    FromAddress: 'backup@example.com',
    ToAddresses: ['admin@example.com'],
    OnlyOnFailure: true,
    AttachLog: false,
    LogLinesInBody: 50,
    ...over,
  };
}

describe('when to send, and what the subject says', () => {
  const ok = buildBackupSummary(BASE);
  const warn = buildBackupSummary({ ...BASE, warnings: ['w'] });
  const failed = buildBackupSummary({ ...BASE, exitCode: 5 });
  const table: Array<[string, NotificationSettings, typeof ok, boolean]> = [
    ['disabled, failed', settings({ Enabled: false }), failed, false],
    ['OnlyOnFailure, failed', settings(), failed, true],
    ['OnlyOnFailure, success', settings(), ok, false],
    ['OnlyOnFailure, warning', settings(), warn, false],
    ['always, success', settings({ OnlyOnFailure: false }), ok, true],
    ['always, warning', settings({ OnlyOnFailure: false }), warn, true],
  ];
  for (const [title, s, summary, expected] of table) {
    it(title, () => assert.equal(shouldNotify(summary, s).send, expected));
  }

  it('subject carries status, mode and host', () => {
    assert.equal(notificationSubject(failed), '[AlteryxBackup] FAILED Full backup on ALTERYX-PROD-01');
    assert.equal(notificationSubject(ok), '[AlteryxBackup] SUCCESS Full backup on ALTERYX-PROD-01');
    assert.equal(notificationSubject(buildBackupSummary({ ...BASE, backupMode: 'DatabaseOnly', warnings: ['x'] })), '[AlteryxBackup] WARNING DatabaseOnly backup on ALTERYX-PROD-01');
  });

  it('body holds the summary, then the log lines', () => {
    const body = notificationBody(failed, ['line a', 'line b'], 'C:\\log.log');
    assert.match(body, /Status:\s+Failed \(exit code 5\)/);
    assert.match(body, /Duration:\s+42m 18s/);
    assert.match(body, /Last 2 log lines \(C:\\log\.log\):\n\nline a\nline b\n$/);
  });
});

describe('readLastLines / readTail', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axb-tail-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  it('returns the last N lines of a large file, LF or CRLF, without a trailing empty line', async () => {
    const file = path.join(dir, 'big.log');
    const all = Array.from({ length: 20000 }, (_, i) => `2026-01-14 02:00:00 [INFO] line ${i} ${'x'.repeat(i % 50)}`);
    fs.writeFileSync(file, all.join('\r\n') + '\r\n');
    assert.deepEqual(await readLastLines(file, 50), all.slice(-50));
    assert.deepEqual(await readLastLines(file, 1), all.slice(-1));
    assert.deepEqual(await readLastLines(file, 0), []);
  });
  it('returns every line of a short file, and nothing for an empty one', async () => {
    const file = path.join(dir, 'short.log');
    fs.writeFileSync(file, 'a\nb\nc');
    assert.deepEqual(await readLastLines(file, 50), ['a', 'b', 'c']);
    fs.writeFileSync(file, '');
    assert.deepEqual(await readLastLines(file, 50), []);
  });
  it('keeps multi-byte characters whole', async () => {
    const file = path.join(dir, 'utf8.log');
    const lines = Array.from({ length: 30000 }, (_, i) => `ÄÖÜ ✓ ${i}`);
    fs.writeFileSync(file, lines.join('\n'));
    assert.deepEqual(await readLastLines(file, 3), lines.slice(-3));
  });
  it('readTail starts at a line boundary and says when it cut', async () => {
    const file = path.join(dir, 'cut.log');
    fs.writeFileSync(file, 'first line\nsecond line\nthird\n');
    assert.deepEqual(await readTail(file, 1000), { text: 'first line\nsecond line\nthird\n', truncated: false });
    assert.deepEqual(await readTail(file, 15), { text: 'third\n', truncated: true });
  });
});
