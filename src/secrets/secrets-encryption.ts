import { ValidationError } from '../core/errors';
import type { ResolvedConfig } from '../config/config-types';
import type * as CmsEnvelope from './cms-envelope';
import type * as RecipientCertificates from './recipient-certificate';
import type { RecipientCertificate } from './recipient-certificate';

// The ASN.1 packages behind these (@peculiar/*) cost about 0.2 s of CPU per node
// start; they are loaded only when a certificate is configured (issue 14, start-up).
const cms = (): typeof CmsEnvelope => require('./cms-envelope') as typeof CmsEnvelope;
const certificates = (): typeof RecipientCertificates => require('./recipient-certificate') as typeof RecipientCertificates;

/** The secret files of a Full or ConfigOnly archive, in plain text. */
export const SECRET_FILES = ['Config/ControllerToken.txt', 'Config/MongoPasswords.txt'] as const;
export const ENCRYPTED_SUFFIX = '.p7m';

const EXPIRY_WARNING_DAYS = 30;

/** Said once per Full/ConfigOnly run without a certificate: in the log, the summary and the email. */
export const PLAINTEXT_SECRETS_WARNING =
  'This archive holds the controller token and the MongoDB passwords in plain text (Config/ControllerToken.txt, Config/MongoPasswords.txt): ' +
  'anyone who can read the backup can join a worker to this controller and open the database. ' +
  'To encrypt them, run New-AlteryxBackupCertificate, keep the private key off this server, and list the public .cer in ' +
  'SecurityConfiguration.EncryptSecretsTo (README: "Protecting the secrets in your backups").';

/** The manifest's `SecretsEncryption` section. */
export interface SecretsEncryptionRecord {
  Encrypted: boolean;
  Format?: string;
  ContentEncryption?: string;
  KeyTransport?: string;
  Recipients?: Array<{ Thumbprint: string; Subject: string; SerialNumber: string; NotAfter: string; Source: string }>;
  Files: string[];
}

export interface SecretsEncryptionPlan {
  recipients: RecipientCertificate[];
  /** Certificates that expire soon: worth a warning, not a failure. */
  warnings: string[];
}

/**
 * Loads and checks every certificate in SecurityConfiguration.EncryptSecretsTo.
 * Every problem is reported at once, in one exit-3 ValidationError: this runs
 * in Initialize, before the service is touched.
 */
export function resolveSecretsEncryption(config: Pick<ResolvedConfig, 'EncryptSecretsTo' | 'certificateStore'>, now: Date = new Date(), platform: NodeJS.Platform = process.platform): SecretsEncryptionPlan {
  const recipients: RecipientCertificate[] = [];
  const errors: ValidationError[] = [];
  config.EncryptSecretsTo.forEach((entry, i) => {
    const setting = `SecurityConfiguration.EncryptSecretsTo[${i}]`;
    try {
      const { normalizeThumbprint, loadRecipientCertificateFile, checkRecipientCertificate } = certificates();
      const thumbprint = normalizeThumbprint(entry);
      if (!thumbprint) {
        recipients.push(loadRecipientCertificateFile(entry, setting, now));
        return;
      }
      const der = config.certificateStore[thumbprint];
      if (!der) {
        const why =
          platform === 'win32'
            ? `no certificate with thumbprint ${thumbprint} is in Cert:\\LocalMachine\\My (list them with Get-ChildItem Cert:\\LocalMachine\\My). Import the public certificate there, or give the path of its .cer file instead.`
            : `thumbprint ${thumbprint}: certificates are looked up by thumbprint only in the Windows store (Cert:\\LocalMachine\\My); on this platform give the path of the .cer file.`;
        throw new ValidationError(`${setting}: ${why}`, 'ENCRYPTION_CERTIFICATE_NOT_FOUND', { category: 'ObjectNotFound' });
      }
      const cert = checkRecipientCertificate(Buffer.from(der, 'base64'), `Cert:\\LocalMachine\\My\\${thumbprint}`, setting, now);
      if (cert.thumbprint !== thumbprint) {
        throw new ValidationError(`${setting}: the certificate found for thumbprint ${thumbprint} has thumbprint ${cert.thumbprint}.`, 'ENCRYPTION_CERTIFICATE_INVALID');
      }
      recipients.push(cert);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      errors.push(err);
    }
  });
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    throw new ValidationError(errors.map((e) => e.message).join('\n'), errors[0].code, { details: errors.map((e) => e.message) });
  }
  const warnings = recipients
    .filter((r) => r.notAfter.getTime() - now.getTime() < EXPIRY_WARNING_DAYS * 86_400_000)
    .map(
      (r) =>
        `The certificate ${r.source} (thumbprint ${r.thumbprint}) that encrypts the backup's secrets expires on ${r.notAfter.toISOString()}; after that the backup refuses to run. Add a new one to SecurityConfiguration.EncryptSecretsTo now.`,
    );
  return { recipients, warnings };
}

/**
 * RequireEncryptedSecrets without a certificate: exit 3 before anything is
 * touched. Returns the warning to log when the secrets will be in plain text.
 */
export function plaintextSecretsCheck(config: Pick<ResolvedConfig, 'RequireEncryptedSecrets'>, plan: SecretsEncryptionPlan): string | null {
  if (plan.recipients.length > 0) return null;
  if (config.RequireEncryptedSecrets) {
    throw new ValidationError(
      'SecurityConfiguration.RequireEncryptedSecrets is true but SecurityConfiguration.EncryptSecretsTo names no certificate: the controller token and MongoDB passwords would be stored in plain text. ' +
        'Run New-AlteryxBackupCertificate, keep the private key off this server, and list the public .cer in EncryptSecretsTo.',
      'SECRETS_ENCRYPTION_REQUIRED',
    );
  }
  return PLAINTEXT_SECRETS_WARNING;
}

export function secretsEncryptionRecord(recipients: readonly RecipientCertificate[], files: string[]): SecretsEncryptionRecord {
  if (recipients.length === 0) return { Encrypted: false, Files: files };
  return {
    Encrypted: true,
    ...cms().SECRETS_CMS_PROFILE,
    Recipients: recipients.map((r) => ({ Thumbprint: r.thumbprint, Subject: r.subject, SerialNumber: r.serialNumber, NotAfter: r.notAfter.toISOString(), Source: r.source })),
    Files: files,
  };
}
