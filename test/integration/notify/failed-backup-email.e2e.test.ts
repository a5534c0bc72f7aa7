/**
 * The "done when": a failed backup sends an email that a real SMTP
 * server receives, with the right subject and the log excerpt. Run through
 * the real CLI on the simulated host, with emongodump made to fail.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createHost, destroyHost } from '../backup/backup-harness';
import { setFaults } from '../sim/sim-harness';
import { runCli } from '../../helpers/cli-harness';
import { startSmtpServer, type SmtpTestServer } from '../../helpers/test-servers';

const SMTP_PASSWORD = 'Mail-Pa55-Only-On-Stdin';

describe('a failed backup emails the admin', () => {
  let root: string;
  let configPath: string;
  let smtp: SmtpTestServer;

  before(async () => {
    [{ root, configPath }, smtp] = await Promise.all([createHost(), startSmtpServer({ username: 'alteryx-backup', password: SMTP_PASSWORD })]);
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    config.NotificationConfiguration = {
      Enabled: true,
      SMTPServer: '127.0.0.1',
      SMTPPort: smtp.port,
      // This test server offers no STARTTLS; the STARTTLS path is covered in email.test.ts.
      UseSSL: false,
      Username: 'alteryx-backup',
      FromAddress: 'alteryx-backup@example.com',
      ToAddresses: ['admin@example.com'],
      OnlyOnFailure: true,
      AttachLog: true,
      LogLinesInBody: 50,
    };
    fs.writeFileSync(configPath, JSON.stringify(config, null, 2));
  });

  after(async () => {
    destroyHost(root);
    await smtp?.stop();
  });

  it('a successful run sends nothing (OnlyOnFailure)', async () => {
    const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'ConfigOnly' }, secrets: { SmtpPassword: SMTP_PASSWORD } });
    assert.equal(r.exitCode, 0, r.stdout.slice(-3000));
    assert.equal(smtp.messages.length, 0);
  });

  it('emongodump failing: exit 5, and the email has the subject, the summary and the last log lines', async () => {
    setFaults(root, { dumpExitCode: 3 });
    try {
      const r = await runCli('Invoke-AlteryxBackup', {
        configPath,
        parameters: { BackupMode: 'Full' },
        secrets: { SmtpPassword: SMTP_PASSWORD },
        timeoutMs: 180_000,
      });
      assert.equal(r.exitCode, 5, r.stdout.slice(-3000));
      assert.equal(r.result!.data.Status, 'Failed');
      assert.equal(r.result!.data.NotificationSent, true);
      assert.equal(smtp.messages.length, 1);
      const mail = smtp.messages[0];
      assert.equal(mail.parsed.subject, `[AlteryxBackup] FAILED Full backup on ${r.result!.data.Host}`);
      assert.ok(String(r.result!.data.Host).length > 0);
      assert.equal(mail.authUser, 'alteryx-backup');
      const body = mail.parsed.text ?? '';
      assert.match(body, /Status:\s+Failed \(exit code 5\)/);
      assert.match(body, /Last \d+ log lines/);
      // The excerpt is the end of the run's own log up to the moment of sending: consecutive lines of the log file.
      const logText = fs.readFileSync(r.result!.data.LogPath, 'utf8');
      const excerpt = body.slice(body.search(/Last \d+ log lines[^\n]*:\n\n/)).split('\n').slice(2).filter((l) => l.length > 0);
      assert.ok(excerpt.length >= 10, `excerpt: ${excerpt.join('\n')}`);
      assert.ok(logText.replace(/\r\n/g, '\n').includes(excerpt.join('\n')), 'the excerpt is a run of consecutive log lines');
      assert.ok(excerpt.some((l) => /\[ERROR\]/.test(l)), 'the failure is in the excerpt');
      assert.match(body, /\[ERROR\]/);
      assert.equal(mail.parsed.attachments.length, 1);
      assert.match(mail.parsed.attachments[0].filename ?? '', /^BackupLog_Full_\d{8}_\d{6}(_\d+)?\.log$/);
      for (const where of [r.stdout, r.stderr, mail.raw.toString('utf8'), fs.readFileSync(r.result!.data.LogPath, 'utf8')]) {
        assert.ok(!where.includes(SMTP_PASSWORD), 'the SMTP password never appears');
      }
    } finally {
      setFaults(root, {}, true);
    }
  });
});
