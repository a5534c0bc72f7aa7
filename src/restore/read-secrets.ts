import * as crypto from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ValidationError } from '../core/errors';
import type { Secrets } from '../config/config-types';
import type * as CmsEnvelope from '../secrets/cms-envelope';

// The ASN.1 packages behind it (@peculiar/*) cost about 0.2 s of CPU per node start: loaded only for an encrypted token (issue 14).
const cms = (): typeof CmsEnvelope => require('../secrets/cms-envelope') as typeof CmsEnvelope;
import { ENCRYPTED_SUFFIX } from '../secrets/secrets-encryption';

/**
 * The one place the restore reads secrets from an extracted archive.
 * Issue 15: when the backup had SecurityConfiguration.EncryptSecretsTo,
 * `Config/ControllerToken.txt.p7m` (CMS EnvelopedData) replaces the plain
 * file. It is opened with the restore's decryption material: the token the
 * PowerShell layer already decrypted (Restore-AlteryxBackup
 * -DecryptionCertificate <thumbprint|.pfx>, EnvelopedCms), or a PEM private
 * key (secret `DecryptionKey`). Without a matching key the restore stops
 * here, in Extract, before the service is touched: exit 3, naming the
 * certificates that would work.
 */

export const CONTROLLER_TOKEN_FILE = 'Config/ControllerToken.txt';
export const ENCRYPTED_CONTROLLER_TOKEN_FILE = CONTROLLER_TOKEN_FILE + ENCRYPTED_SUFFIX;

export interface ArchiveSecrets {
  /** The controller token, or undefined when the archive holds none. */
  controllerToken?: string;
  /** Where it came from, for the log (never the value). */
  source?: string;
  /** True when it was stored encrypted (CMS). */
  encrypted?: boolean;
}

export interface ReadSecretsOptions {
  /** DecryptionKey (PEM private key) and/or ArchiveControllerToken (already decrypted). */
  secrets?: Pick<Secrets, 'DecryptionKey' | 'ArchiveControllerToken'>;
  /** The archive's manifest: its SecretsEncryption names the certificates that can open the secrets. */
  manifest?: Record<string, any>;
}

/** "CN=x (thumbprint ABC…)" for each certificate the manifest records; or what the CMS message itself names. */
export function describeRecipients(manifest: Record<string, any> | undefined, message?: Buffer): string {
  const recorded: Array<{ Thumbprint?: string; Subject?: string; NotAfter?: string }> = Array.isArray(manifest?.SecretsEncryption?.Recipients) ? manifest!.SecretsEncryption.Recipients : [];
  const named = recorded.filter((r) => r.Thumbprint).map((r) => `${r.Subject || 'certificate'} (thumbprint ${r.Thumbprint})`);
  if (named.length > 0) return named.join(', ');
  if (message) {
    try {
      return cms()
        .listRecipients(message)
        .map((r) => (r.serialNumber ? `the certificate with serial number ${r.serialNumber}` : `the certificate with key identifier ${r.subjectKeyIdentifier ?? '?'}`))
        .join(', ');
    } catch {
      /* fall through */
    }
  }
  return 'the certificate(s) in SecurityConfiguration.EncryptSecretsTo at backup time';
}

function cleanToken(text: string): string {
  return text.replace(/^\ufeff/, '').trim();
}

/** Reads the secrets of an extracted archive rooted at `extractDir`. */
export async function readArchiveSecrets(extractDir: string, o: ReadSecretsOptions = {}): Promise<ArchiveSecrets> {
  const plain = path.join(extractDir, ...CONTROLLER_TOKEN_FILE.split('/'));
  let text: string | undefined;
  try {
    text = await fs.readFile(plain, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text !== undefined) {
    const token = cleanToken(text);
    return token ? { controllerToken: token, source: CONTROLLER_TOKEN_FILE } : {};
  }

  let message: Buffer;
  try {
    message = await fs.readFile(path.join(extractDir, ...ENCRYPTED_CONTROLLER_TOKEN_FILE.split('/')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  const whoCan = describeRecipients(o.manifest, message);
  const given = o.secrets?.ArchiveControllerToken;
  if (given) {
    const token = cleanToken(given);
    return token ? { controllerToken: token, source: `${ENCRYPTED_CONTROLLER_TOKEN_FILE} (opened by the PowerShell layer)`, encrypted: true } : {};
  }
  const keyPem = o.secrets?.DecryptionKey;
  if (!keyPem) {
    throw new ValidationError(
      `The archive's controller token is encrypted (${ENCRYPTED_CONTROLLER_TOKEN_FILE}) to ${whoCan}. ` +
        'Give Restore-AlteryxBackup -DecryptionCertificate with the thumbprint of that certificate (its private key in Cert:\\LocalMachine\\My or Cert:\\CurrentUser\\My) or the path of its .pfx (with -PfxPassword). Nothing was changed.',
      'DECRYPTION_CERTIFICATE_REQUIRED',
      { category: 'PermissionDenied' },
    );
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(keyPem);
  } catch {
    throw new ValidationError('The decryption key is not a PEM private key that node can read. Nothing was changed.', 'DECRYPTION_KEY_INVALID', { category: 'PermissionDenied' });
  }
  try {
    const token = cleanToken(cms().decryptEnvelopedData(message, key).toString('utf8'));
    return token ? { controllerToken: token, source: `${ENCRYPTED_CONTROLLER_TOKEN_FILE} (decrypted)`, encrypted: true } : {};
  } catch (err) {
    if (!(err instanceof cms().CmsError)) throw err;
    throw new ValidationError(
      `The decryption key does not open ${ENCRYPTED_CONTROLLER_TOKEN_FILE} (${err.message}) It is encrypted to ${whoCan}; use the private key of one of those. Nothing was changed.`,
      'DECRYPTION_KEY_MISMATCH',
      { category: 'PermissionDenied' },
    );
  }
}
