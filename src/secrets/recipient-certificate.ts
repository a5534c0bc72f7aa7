import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, ExtendedKeyUsage, KeyUsage, KeyUsageFlags, id_ce_extKeyUsage, id_ce_keyUsage } from '@peculiar/asn1-x509';
import { ValidationError } from '../core/errors';
import type { CmsRecipient } from './cms-envelope';

/** Document Encryption, what New-SelfSignedCertificate -Type DocumentEncryptionCert and Protect-CmsMessage use. */
export const EKU_DOCUMENT_ENCRYPTION = '1.3.6.1.4.1.311.80.1';
const EKU_EMAIL_PROTECTION = '1.3.6.1.5.5.7.3.4';
const EKU_ANY = '2.5.29.37.0';
const MIN_RSA_BITS = 2048;

/** A certificate the secrets can be encrypted to, with what the manifest records about it. */
export interface RecipientCertificate extends CmsRecipient {
  /** Where it came from: the configured file, or `Cert:\LocalMachine\My\<thumbprint>`. */
  source: string;
  /** SHA-1 of the DER, upper-case hex: the Windows thumbprint. */
  thumbprint: string;
  sha256: string;
  subject: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

/** A thumbprint as Windows shows it, with or without spaces or colons. */
export function normalizeThumbprint(s: string): string | null {
  const t = s.replace(/[\s:]/g, '').toUpperCase();
  return /^[0-9A-F]{40}$/.test(t) ? t : null;
}

/** The certificate DER from a .cer/.crt/.pem file's bytes: DER or PEM "CERTIFICATE". */
export function certificateDerFrom(bytes: Buffer): Buffer | null {
  if (bytes.length > 0 && bytes[0] === 0x30) return bytes;
  const text = bytes.toString('latin1');
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  if (m) return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
  // Export-Certificate -Type CERT writes DER; certutil -encode writes the PEM body only sometimes with no label.
  const b64 = text.replace(/\s+/g, '');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(b64) && b64.startsWith('MI')) return Buffer.from(b64, 'base64');
  return null;
}

/**
 * Parses and checks one recipient certificate. Every problem is an exit-3
 * ValidationError naming the setting, the source and what is wrong, so the
 * backup stops in Initialize, before the service is touched.
 */
export function checkRecipientCertificate(der: Buffer, source: string, setting: string, now: Date = new Date()): RecipientCertificate {
  const fail = (why: string, code = 'ENCRYPTION_CERTIFICATE_INVALID') =>
    new ValidationError(`${setting}: the certificate ${source} ${why}`, code, { category: 'InvalidData', details: [`${setting}: ${source}: ${why}`] });
  let x509: crypto.X509Certificate;
  let cert: Certificate;
  try {
    x509 = new crypto.X509Certificate(der);
    cert = AsnConvert.parse(der, Certificate);
  } catch (err) {
    throw fail(`is not an X.509 certificate (${(err as Error).message}).`);
  }
  const key = x509.publicKey;
  if (key.asymmetricKeyType !== 'rsa') {
    throw fail(`has a ${key.asymmetricKeyType ?? 'unknown'} key; the secrets are encrypted by RSA key transport, so it must be an RSA certificate (New-AlteryxBackupCertificate makes one).`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw fail(`has a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits are required.`);
  const notBefore = cert.tbsCertificate.validity.notBefore.getTime();
  const notAfter = cert.tbsCertificate.validity.notAfter.getTime();
  if (notAfter.getTime() < now.getTime()) {
    throw fail(`expired on ${notAfter.toISOString()}. Make a new one (New-AlteryxBackupCertificate), keep its private key off the server, and put the new public certificate in the configuration.`, 'ENCRYPTION_CERTIFICATE_EXPIRED');
  }
  if (notBefore.getTime() > now.getTime()) throw fail(`is not valid before ${notBefore.toISOString()}.`, 'ENCRYPTION_CERTIFICATE_EXPIRED');
  for (const ext of cert.tbsCertificate.extensions ?? []) {
    if (ext.extnID === id_ce_keyUsage) {
      const usage = AsnConvert.parse(ext.extnValue, KeyUsage);
      if ((usage.toNumber() & KeyUsageFlags.keyEncipherment) === 0) {
        throw fail(`has key usage ${usage.toJSON().join(', ') || 'none'}; encrypting to it needs keyEncipherment.`, 'ENCRYPTION_CERTIFICATE_WRONG_USAGE');
      }
    }
    if (ext.extnID === id_ce_extKeyUsage) {
      const ekus = [...AsnConvert.parse(ext.extnValue, ExtendedKeyUsage)];
      if (!ekus.some((e) => e === EKU_DOCUMENT_ENCRYPTION || e === EKU_EMAIL_PROTECTION || e === EKU_ANY)) {
        throw fail(
          `has enhanced key usage ${ekus.join(', ')}; it must allow Document Encryption (${EKU_DOCUMENT_ENCRYPTION}) or Secure Email (${EKU_EMAIL_PROTECTION}). Do not reuse a TLS or signing certificate.`,
          'ENCRYPTION_CERTIFICATE_WRONG_USAGE',
        );
      }
    }
  }
  return {
    der,
    publicKey: key,
    source,
    thumbprint: crypto.createHash('sha1').update(der).digest('hex').toUpperCase(),
    sha256: crypto.createHash('sha256').update(der).digest('hex').toUpperCase(),
    subject: x509.subject.replace(/\n/g, ', '),
    serialNumber: x509.serialNumber.toUpperCase(),
    notBefore,
    notAfter,
  };
}

/** Reads a certificate file (.cer DER, .crt/.pem PEM) and checks it. */
export function loadRecipientCertificateFile(file: string, setting: string, now: Date = new Date()): RecipientCertificate {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? 'cannot be read: access is denied' : `cannot be read (${code ?? String(err)})`;
    throw new ValidationError(`${setting}: the certificate file '${file}' ${why}.`, 'ENCRYPTION_CERTIFICATE_NOT_FOUND', { category: 'ObjectNotFound' });
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(bytes.toString('latin1'))) {
    throw new ValidationError(
      `${setting}: '${file}' contains a private key. Give the backup only the public certificate (.cer); the private key belongs off this server.`,
      'ENCRYPTION_CERTIFICATE_INVALID',
    );
  }
  const der = certificateDerFrom(bytes);
  if (!der) throw new ValidationError(`${setting}: '${file}' is not a certificate (expected DER .cer or PEM "BEGIN CERTIFICATE").`, 'ENCRYPTION_CERTIFICATE_INVALID');
  return checkRecipientCertificate(der, `'${file}'`, setting, now);
}
