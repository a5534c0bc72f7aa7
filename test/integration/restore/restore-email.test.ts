import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSmtpServer, type SmtpTestServer } from '../../helpers/test-servers';
import { backup, createHost, destroyHost, hostJson, restore, secretsFor, state } from './restore-harness';

/**
 * Issue 12: a restore "sends the same email ... notifications as the backup".
 * One simulated host restores its own Full backup (a success mail), then a
 * corrupt copy of it (a failure mail), to a real SMTP server (smtp-server)
 * that requires the login the backup uses.
 */

const SMTP_PASSWORD = 'Restore-Mail-Pa55-Stdin-Only';

describe('restore notifications: the same email as the backup', { timeout: 600_000 }, () => {
  let H: { root: string; configPath: string };
  let smtp: SmtpTestServer;
  let archive: string;

  function notify(onlyOnFailure: boolean): void {
    const config = JSON.parse(fs.readFileSync(H.configPath, 'utf8'));
    config.NotificationConfiguration = {
      Enabled: true,
      SMTPServer: '127.0.0.1',
      SMTPPort: smtp.port,
      // This test server offers no STARTTLS; the STARTTLS path is covered in test/integration/notify/email.test.ts.
      UseSSL: false,
      Username: 'alteryx-backup',
      FromAddress: 'alteryx-backup@example.com',
      ToAddresses: ['admin@example.com'],
      OnlyOnFailure: onlyOnFailure,
      AttachLog: true,
      LogLinesInBody: 40,
    };
    fs.writeFileSync(H.configPath, JSON.stringify(config, null, 2));
  }
  const secrets = () => ({ ...secretsFor(H.root), SmtpPassword: SMTP_PASSWORD });

  before(async () => {
    [H, smtp] = await Promise.all([createHost(['--seed', 'restore-mail', '--db-mb', '0.2']), startSmtpServer({ username: 'alteryx-backup', password: SMTP_PASSWORD })]);
    archive = await backup(H.root, H.configPath, 'Full');
  });
  after(async () => {
    destroyHost(H?.root);
    await smtp?.stop();
  });

  it('a successful restore mails its result: subject and body name the restore and the archive, no secret', async () => {
    notify(false);
    const before = smtp.messages.length;
    const r = await restore(H.root, H.configPath, archive, {}, { secrets: secrets() });
    assert.equal(r.exitCode, 0, JSON.stringify(r.result?.error));
    const data = r.result!.data;
    assert.equal(data.Status, 'Success');
    assert.equal(data.NotificationSent, true);
    assert.equal(smtp.messages.length, before + 1);
    const mail = smtp.messages[smtp.messages.length - 1];
    assert.equal(mail.authUser, 'alteryx-backup');
    const word = data.Warnings.length > 0 ? 'WARNING' : 'SUCCESS';
    assert.equal(mail.parsed.subject, `[AlteryxBackup] ${word} Full restore on ${data.Host} from ${path.basename(archive)}`);
    assert.equal(mail.parsed.headers.get('x-alteryxbackup-exitcode'), '0');
    const body = mail.parsed.text ?? '';
    assert.match(body, /Status:\s+Success \(exit code 0\)/);
    assert.ok(body.includes(`Archive:       ${archive}`), body);
    assert.match(body, new RegExp(`Documents:\\s+${data.DocumentsRestored} restored of ${data.DocumentsExpected} expected`));
    assert.match(body, /Last \d+ log lines/);
    assert.match(body, /Restore phase Verify\./, 'the excerpt is the restore log');
    assert.equal(mail.parsed.attachments.length, 1);
    assert.match(mail.parsed.attachments[0].filename ?? '', /^RestoreLog_\d{8}_\d{6}(_\d+)?\.log$/);
    const token = String(hostJson(H.root).serverSecret);
    assert.ok(token.length >= 8);
    for (const where of [mail.raw.toString('utf8'), r.stdout, r.stderr, fs.readFileSync(data.LogPath, 'utf8')]) {
      assert.ok(!where.includes(SMTP_PASSWORD), 'the SMTP password never appears');
      assert.ok(!where.includes(token), 'the controller token never appears');
    }
    assert.equal(await state(H.root), 'Running');
  });

  it('a corrupt archive: exit 4 and a FAILED mail naming the archive and the reason (OnlyOnFailure)', async () => {
    notify(true);
    const bad = path.join(path.dirname(H.root), path.basename(archive));
    const bytes = fs.readFileSync(archive);
    bytes[Math.floor(bytes.length / 3)] ^= 0xff;
    fs.writeFileSync(bad, bytes);
    const before = smtp.messages.length;
    try {
      const r = await restore(H.root, H.configPath, bad, {}, { secrets: secrets() });
      assert.equal(r.exitCode, 4, JSON.stringify(r.result?.error));
      assert.equal(r.result?.error?.code, 'ARCHIVE_CORRUPT');
      assert.equal(smtp.messages.length, before + 1);
      const mail = smtp.messages[smtp.messages.length - 1];
      // The mode is not known: the manifest could not be trusted.
      assert.equal(mail.parsed.subject, `[AlteryxBackup] FAILED restore on ${r.result!.data.Host} from ${path.basename(bad)}`);
      assert.equal(mail.parsed.headers.get('x-alteryxbackup-exitcode'), '4');
      const body = mail.parsed.text ?? '';
      assert.match(body, /Status:\s+Failed \(exit code 4\)/);
      assert.ok(body.includes(`Archive:       ${bad}`));
      assert.match(body, /The archive is corrupt or cannot be verified; nothing was changed/);
      assert.match(body, /\[ERROR\] Restore failed/);
      assert.ok(!mail.raw.toString('utf8').includes(SMTP_PASSWORD));
    } finally {
      fs.rmSync(bad, { force: true });
    }
  });
});
