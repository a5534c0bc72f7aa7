/**
 * Email against a real SMTP server (npm smtp-server on 127.0.0.1) with
 * authentication and STARTTLS using a self-signed certificate made offline by
 * openssl; the client trusts exactly that certificate (no verification is
 * switched off). Delivered messages are parsed with mailparser.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LogLevel } from '../../../src/distribution/log-sink';
import { buildBackupSummary, type BackupSummaryInput } from '../../../src/notify/backup-summary';
import { sendBackupNotification, type NotificationSettings } from '../../../src/notify/email';
import { freePort, makeTempDir, startSmtpServer, type SmtpTestServer } from '../../helpers/test-servers';

const PASSWORD = 'S3cr3t-SMTP-pa55word!';
const USER = 'backup-bot';

describe('email notifications (smtp-server with AUTH and STARTTLS)', () => {
  let tlsServer: SmtpTestServer;
  let plainServer: SmtpTestServer;
  let dir: string;
  let logPath: string;
  let logLines: string[];

  before(async () => {
    [tlsServer, plainServer] = await Promise.all([
      startSmtpServer({ username: USER, password: PASSWORD, tls: true }),
      startSmtpServer({ username: USER, password: PASSWORD }),
    ]);
    dir = makeTempDir('mail');
    logPath = path.join(dir, 'BackupLog_Full_20260114_020015.log');
    logLines = Array.from({ length: 200 }, (_, i) => `2026-01-14 02:${String(i % 60).padStart(2, '0')}:00 [INFO] step ${i + 1}`);
    // A careless line that echoes the password: it must not leave the machine.
    logLines[195] = `2026-01-14 02:40:00 [ERROR] login with ${PASSWORD} rejected`;
    logLines[199] = '2026-01-14 02:42:33 [ERROR] MongoDB dump failed: EMongoDump failed';
    fs.writeFileSync(logPath, logLines.join('\r\n') + '\r\n');
  });

  after(async () => {
    await Promise.all([tlsServer?.stop(), plainServer?.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const failedInput = (): BackupSummaryInput => ({
    backupMode: 'Full',
    exitCode: 5,
    host: 'ALTERYX-PROD-01',
    startTime: new Date('2026-01-14T02:00:15Z'),
    endTime: new Date('2026-01-14T02:42:33Z'),
    errors: ['MongoDB dump failed: EMongoDump failed'],
    logPath,
  });

  function settings(server: SmtpTestServer, over: Partial<NotificationSettings> = {}): NotificationSettings {
    return {
      Enabled: true,
      SMTPServer: '127.0.0.1',
      SMTPPort: server.port,
      UseSSL: true,
      Username: USER,
      CredentialFile: '',
      FromAddress: 'alteryx-backup@example.com',
      ToAddresses: ['admin@example.com', 'oncall@example.com'],
      OnlyOnFailure: true,
      AttachLog: true,
      LogLinesInBody: 50,
      ...over,
    };
  }

  function collect(): { lines: Array<[LogLevel, string]>; log: (l: LogLevel, m: string) => void } {
    const lines: Array<[LogLevel, string]> = [];
    return { lines, log: (l, m) => lines.push([l, m]) };
  }

  it('a failed backup sends an email over STARTTLS with auth: subject, summary, last 50 log lines, attachment', async () => {
    const before = tlsServer.messages.length;
    const { lines, log } = collect();
    const result = await sendBackupNotification({
      summary: buildBackupSummary(failedInput()),
      settings: settings(tlsServer),
      secrets: { SmtpPassword: PASSWORD },
      log,
      tls: { ca: tlsServer.certPem },
    });
    assert.equal(result.Sent, true, result.Warning);
    assert.deepEqual(result.Recipients, ['admin@example.com', 'oncall@example.com']);
    assert.equal(tlsServer.messages.length, before + 1);
    const mail = tlsServer.messages[tlsServer.messages.length - 1];
    assert.equal(mail.secure, true, 'the session was upgraded with STARTTLS');
    assert.equal(mail.authUser, USER);
    assert.deepEqual(mail.envelopeTo, ['admin@example.com', 'oncall@example.com']);
    assert.equal(mail.parsed.subject, '[AlteryxBackup] FAILED Full backup on ALTERYX-PROD-01');
    assert.equal(mail.parsed.headers.get('x-alteryxbackup-exitcode'), '5');
    const body = mail.parsed.text ?? '';
    assert.match(body, /Status:\s+Failed \(exit code 5\)/);
    assert.match(body, /Duration:\s+42m 18s/);
    assert.match(body, /Last 50 log lines/);
    assert.ok(body.includes('[INFO] step 151'), 'the 50th line from the end is in the body');
    assert.ok(!body.includes('[INFO] step 150\n'), 'older lines are not');
    assert.ok(body.includes('EMongoDump failed'));
    assert.ok(body.includes('login with ******** rejected'));

    assert.equal(mail.parsed.attachments.length, 1);
    const att = mail.parsed.attachments[0];
    assert.equal(att.filename, 'BackupLog_Full_20260114_020015.log');
    const attText = att.content.toString('utf8');
    assert.ok(attText.includes('[INFO] step 1\r\n'), 'the whole log is attached');
    assert.ok(attText.includes('EMongoDump failed'));

    // The password appears nowhere: not in the delivered bytes, the result, or our own log lines.
    assert.ok(!mail.raw.toString('utf8').includes(PASSWORD));
    assert.ok(!JSON.stringify(result).includes(PASSWORD));
    assert.ok(!lines.some(([, m]) => m.includes(PASSWORD)));
    assert.ok(lines.some(([l]) => l === 'SUCCESS'));
  });

  it('sends nothing for a successful backup when OnlyOnFailure is set', async () => {
    const before = tlsServer.messages.length;
    const result = await sendBackupNotification({
      summary: buildBackupSummary({ ...failedInput(), exitCode: 0, errors: [] }),
      settings: settings(tlsServer),
      secrets: { SmtpPassword: PASSWORD },
      tls: { ca: tlsServer.certPem },
    });
    assert.equal(result.Sent, false);
    assert.match(result.Skipped ?? '', /OnlyOnFailure/);
    assert.equal(tlsServer.messages.length, before);
  });

  it('sends for a successful backup when OnlyOnFailure is false, without attachment when AttachLog is off', async () => {
    const before = plainServer.messages.length;
    const result = await sendBackupNotification({
      summary: buildBackupSummary({ ...failedInput(), exitCode: 0, errors: [], backupMode: 'ConfigOnly' }),
      settings: settings(plainServer, { OnlyOnFailure: false, AttachLog: false, UseSSL: false, LogLinesInBody: 5 }),
      secrets: { SmtpPassword: PASSWORD },
    });
    assert.equal(result.Sent, true, result.Warning);
    assert.equal(plainServer.messages.length, before + 1);
    const mail = plainServer.messages[plainServer.messages.length - 1];
    assert.equal(mail.parsed.subject, '[AlteryxBackup] SUCCESS ConfigOnly backup on ALTERYX-PROD-01');
    assert.equal(mail.parsed.attachments.length, 0);
    assert.match(mail.parsed.text ?? '', /Last 5 log lines/);
    assert.equal(mail.secure, false);
  });

  it('UseSSL refuses to send in clear text to a server without STARTTLS: a warning, not an exception', async () => {
    const before = plainServer.messages.length;
    const authBefore = plainServer.authAttempts.length;
    const { lines, log } = collect();
    const result = await sendBackupNotification({
      summary: buildBackupSummary(failedInput()),
      settings: settings(plainServer, { UseSSL: true }),
      secrets: { SmtpPassword: PASSWORD },
      log,
    });
    assert.equal(result.Sent, false);
    assert.match(result.Warning ?? '', /STARTTLS|TLS/i);
    assert.equal(plainServer.messages.length, before);
    assert.equal(plainServer.authAttempts.length, authBefore, 'the password was never sent over a clear-text connection');
    assert.ok(!lines.some(([, m]) => m.includes(PASSWORD)));
  });

  it('an untrusted certificate is a warning (verification is never switched off)', async () => {
    const result = await sendBackupNotification({
      summary: buildBackupSummary(failedInput()),
      settings: settings(tlsServer),
      secrets: { SmtpPassword: PASSWORD },
    });
    assert.equal(result.Sent, false);
    assert.match(result.Warning ?? '', /certificate/i);
  });

  it('a refused login is a warning that never contains the password', async () => {
    const wrong = 'not-the-password-42';
    const { lines, log } = collect();
    const result = await sendBackupNotification({
      summary: buildBackupSummary(failedInput()),
      settings: settings(tlsServer),
      secrets: { SmtpPassword: wrong },
      log,
      tls: { ca: tlsServer.certPem },
    });
    assert.equal(result.Sent, false);
    assert.match(result.Warning ?? '', /Invalid login|auth/i);
    assert.ok(tlsServer.authAttempts.some((a) => a.username === USER && !a.ok));
    assert.ok(!JSON.stringify(result).includes(wrong));
    assert.ok(lines.some(([l]) => l === 'WARNING') && !lines.some(([, m]) => m.includes(wrong)));
  });

  it('an unreachable server is a warning, not an exception', async () => {
    const port = await freePort();
    const result = await sendBackupNotification({
      summary: buildBackupSummary(failedInput()),
      settings: { ...settings(tlsServer), SMTPPort: port },
      secrets: { SmtpPassword: PASSWORD },
    });
    assert.equal(result.Sent, false);
    assert.match(result.Warning ?? '', /ECONNREFUSED/);
  });

  it('missing settings and a missing log file are warnings or notes, never exceptions', async () => {
    const noRecipients = await sendBackupNotification({
      summary: buildBackupSummary(failedInput()),
      settings: { ...settings(tlsServer), ToAddresses: [] },
    });
    assert.equal(noRecipients.Sent, false);
    assert.match(noRecipients.Warning ?? '', /ToAddresses/);

    const before = plainServer.messages.length;
    const missingLog = await sendBackupNotification({
      summary: buildBackupSummary({ ...failedInput(), logPath: path.join(dir, 'nope.log') }),
      settings: settings(plainServer, { UseSSL: false }),
      secrets: { SmtpPassword: PASSWORD },
    });
    assert.equal(missingLog.Sent, true, missingLog.Warning);
    assert.equal(plainServer.messages.length, before + 1);
    assert.match(plainServer.messages[plainServer.messages.length - 1].parsed.text ?? '', /could not be read/);
  });
});
