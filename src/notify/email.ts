import * as path from 'node:path';
import type * as Nodemailer from 'nodemailer';
import type { BackupConfigFile, Secrets } from '../config/config-types';
import { errorMessage, redactSecrets, toLogSink, type LogTarget } from '../distribution/log-sink';
import { formatBackupSummaryText, type BackupStatus, type BackupSummary } from './backup-summary';
import { readLastLines, readTail } from './log-tail';

export type NotificationSettings = BackupConfigFile['NotificationConfiguration'];

/**
 * What one notification says, whatever the run (a backup, a restore): the
 * sending, the decision (OnlyOnFailure), the log excerpt and the attachment
 * are the same for every kind.
 */
export interface NotificationContent {
  /** Decides OnlyOnFailure and the status word: Failed is a failure; Warning and Success are not. */
  Status: BackupStatus;
  ExitCode: number;
  /** `backup` or `restore`: in the log lines and the skip reason. */
  Kind: string;
  /** The whole subject line. */
  Subject: string;
  /** The summary block under the first line of the body. */
  SummaryText: string;
  /** The run's log: the excerpt and the attachment come from it. */
  LogPath: string | null;
}

interface NotificationDelivery {
  settings: NotificationSettings;
  /** SmtpPassword arrives here, from the secure channel like every other secret. */
  secrets?: Secrets;
  /** Defaults to the summary's (the content's) LogPath. */
  logPath?: string;
  /**
   * The last log lines, when the caller already has them (the run's logger
   * keeps a redacted tail). Otherwise they are read from the end of the log file.
   */
  logLines?: string[];
  log?: LogTarget;
  /**
   * Extra trust for the SMTP server's certificate (a private CA, or the test
   * server's self-signed certificate). Certificate checks are never turned off.
   */
  tls?: { ca?: string | Buffer; servername?: string };
  /** Removes run-specific secrets (e.g. a restored controller token) besides those in `secrets`. */
  redact?: (text: string) => string;
}

export interface NotificationInput extends NotificationDelivery {
  summary: BackupSummary;
}

export interface ContentNotificationInput extends NotificationDelivery {
  content: NotificationContent;
}

export interface NotificationResult {
  Sent: boolean;
  /** Why nothing was sent when that was the right thing (disabled, success with OnlyOnFailure). */
  Skipped?: string;
  /** Why sending failed. A warning only: it never changes the backup's exit code. */
  Warning?: string;
  MessageId?: string;
  Recipients: string[];
}

/** Attach at most this much log; a bigger log is attached from its end. */
const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

/** Sent on failure; on every run when OnlyOnFailure is false. A run with only warnings is not a failure. */
export function shouldNotify(summary: { Status: BackupStatus }, settings: NotificationSettings, kind = 'backup'): { send: boolean; reason: string } {
  if (!settings.Enabled) return { send: false, reason: 'notifications are disabled' };
  if (settings.OnlyOnFailure && summary.Status !== 'Failed') {
    return { send: false, reason: `the ${kind} did not fail (${summary.Status}) and OnlyOnFailure is set` };
  }
  return { send: true, reason: summary.Status === 'Failed' ? `the ${kind} failed` : 'OnlyOnFailure is off' };
}

/** SUCCESS, WARNING or FAILED: the word after `[AlteryxBackup]` in every subject. */
export const STATUS_WORD = { Success: 'SUCCESS', Warning: 'WARNING', Failed: 'FAILED' } as const;

/** `[AlteryxBackup] FAILED Full backup on ALTERYX-PROD-01`. */
export function notificationSubject(summary: BackupSummary): string {
  return `[AlteryxBackup] ${STATUS_WORD[summary.Status]} ${summary.BackupMode} backup on ${summary.Host}`;
}

/** A backup summary as notification content. */
export function backupNotificationContent(summary: BackupSummary): NotificationContent {
  return { Status: summary.Status, ExitCode: summary.ExitCode, Kind: 'backup', Subject: notificationSubject(summary), SummaryText: formatBackupSummaryText(summary), LogPath: summary.LogPath };
}

/** The body: the subject as a first line, the summary, a note, then the last log lines. */
export function contentBody(content: NotificationContent, logLines: string[], logPath: string | null, note?: string): string {
  const parts = [content.Subject.replace('[AlteryxBackup] ', 'AlteryxBackup: '), '', content.SummaryText];
  if (note) parts.push('', note);
  if (logLines.length > 0) {
    parts.push('', `Last ${logLines.length} log lines${logPath ? ` (${logPath})` : ''}:`, '', ...logLines);
  }
  return parts.join('\n') + '\n';
}

export function notificationBody(summary: BackupSummary, logLines: string[], logPath: string | null, note?: string): string {
  return contentBody(backupNotificationContent(summary), logLines, logPath, note);
}

/**
 * Sends the backup email when the settings ask for it. Never throws: any
 * failure (bad settings, unreachable server, refused login, unreadable log)
 * comes back as `Warning`, is logged as a WARNING, and leaves the backup's
 * exit code alone. Every secret value is removed from the body, the
 * attachment and the warning before they leave this function.
 */
export async function sendBackupNotification(input: NotificationInput): Promise<NotificationResult> {
  const { summary, ...delivery } = input;
  return sendNotification({ ...delivery, content: backupNotificationContent(summary) });
}

/**
 * Sends one notification email (a backup's, a restore's) when the settings
 * ask for it. Never throws; the same guarantees as sendBackupNotification.
 */
export async function sendNotification(input: ContentNotificationInput): Promise<NotificationResult> {
  const log = toLogSink(input.log);
  const { content, settings } = input;
  const secrets = input.secrets ?? {};
  const clean = (text: string) => {
    const once = redactSecrets(text, secrets);
    return input.redact ? input.redact(once) : once;
  };
  const recipients = (settings.ToAddresses ?? []).filter((a) => a.trim().length > 0);

  const decision = shouldNotify(content, settings, content.Kind);
  if (!decision.send) {
    log('DEBUG', `No email sent: ${decision.reason}.`);
    return { Sent: false, Skipped: decision.reason, Recipients: recipients };
  }
  const warn = (message: string): NotificationResult => {
    const warning = clean(message);
    log('WARNING', warning);
    return { Sent: false, Warning: warning, Recipients: recipients };
  };

  const missing = [
    !settings.SMTPServer ? 'NotificationConfiguration.SMTPServer' : undefined,
    !settings.FromAddress ? 'NotificationConfiguration.FromAddress' : undefined,
    recipients.length === 0 ? 'NotificationConfiguration.ToAddresses' : undefined,
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) return warn(`Email notification not sent: ${missing.join(', ')} not set.`);

  try {
    const logPath = input.logPath ?? content.LogPath ?? null;
    let lines: string[] = [];
    let note: string | undefined;
    if (input.logLines) {
      lines = settings.LogLinesInBody > 0 ? input.logLines.slice(-settings.LogLinesInBody) : [];
    } else if (logPath && settings.LogLinesInBody > 0) {
      try {
        lines = await readLastLines(logPath, settings.LogLinesInBody);
      } catch (err) {
        note = `(The log file could not be read: ${errorMessage(err)})`;
      }
    }
    const attachments: Array<{ filename: string; content: string; contentType: string }> = [];
    if (settings.AttachLog && logPath) {
      try {
        const tail = await readTail(logPath, MAX_ATTACHMENT_BYTES);
        const header = tail.truncated ? `[Only the last ${MAX_ATTACHMENT_BYTES / 1048576} MB of the log are attached.]\n` : '';
        attachments.push({ filename: path.basename(logPath), content: clean(header + tail.text), contentType: 'text/plain; charset=utf-8' });
      } catch (err) {
        note = `${note ? `${note}\n` : ''}(The log file could not be attached: ${errorMessage(err)})`;
      }
    }

    let auth: { user: string; pass: string } | undefined;
    if (settings.Username) {
      if (secrets.SmtpPassword) auth = { user: settings.Username, pass: secrets.SmtpPassword };
      else log('WARNING', 'NotificationConfiguration.Username is set but no SMTP password was supplied; sending without authentication.');
    }
    // 465 is implicit TLS; anything else (587 by default) starts plain and must upgrade with STARTTLS when UseSSL is set.
    const implicitTls = settings.UseSSL && settings.SMTPPort === 465;
    // Loaded only when a mail is sent: about 0.1 s of CPU per node start otherwise.
    const nodemailer = require('nodemailer') as typeof Nodemailer;
    const transport = nodemailer.createTransport({
      host: settings.SMTPServer,
      port: settings.SMTPPort,
      secure: implicitTls,
      requireTLS: settings.UseSSL && !implicitTls,
      auth,
      tls: { minVersion: 'TLSv1.2', ...input.tls },
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
      logger: false,
      debug: false,
    });
    try {
      log('INFO', `Sending ${STATUS_WORD[content.Status]} ${content.Kind} notification to ${recipients.join(', ')} via ${settings.SMTPServer}:${settings.SMTPPort}.`);
      const info = await transport.sendMail({
        from: settings.FromAddress,
        to: recipients,
        subject: clean(content.Subject),
        text: clean(contentBody(content, lines, logPath, note)),
        attachments,
        headers: { 'X-AlteryxBackup-Status': content.Status, 'X-AlteryxBackup-ExitCode': String(content.ExitCode) },
      });
      log('SUCCESS', `Notification email sent (${info.messageId}).`);
      return { Sent: true, MessageId: info.messageId, Recipients: recipients };
    } finally {
      transport.close();
    }
  } catch (err) {
    return warn(`Email notification could not be sent via ${settings.SMTPServer}:${settings.SMTPPort}: ${errorMessage(err)}`);
  }
}
