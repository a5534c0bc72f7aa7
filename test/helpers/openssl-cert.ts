import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

export interface TestCertificate {
  certPath: string;
  keyPath: string;
}

export interface CertOptions {
  /** `rsa:2048` (default), `rsa:1024`, `ec` (P-256). */
  key?: 'rsa:2048' | 'rsa:1024' | 'ec';
  /** e.g. `keyEncipherment,dataEncipherment`; omitted: no keyUsage extension. */
  keyUsage?: string;
  /** e.g. `1.3.6.1.4.1.311.80.1` or `serverAuth`; omitted: no EKU extension. */
  extendedKeyUsage?: string;
  /** Expired yesterday (openssl x509 -days -1). */
  expired?: boolean;
  /** `der` writes the certificate as a DER .cer, as Export-Certificate does. */
  format?: 'pem' | 'der';
  cn?: string;
  /** Validity in days (default 400; under 30 the backup warns that it expires soon). */
  days?: number;
}

/** A self-signed certificate and its unencrypted private key, made by the real openssl. */
export function makeCertificate(dir: string, name: string, o: CertOptions = {}): TestCertificate {
  const keyPath = path.join(dir, `${name}.key.pem`);
  const pemPath = path.join(dir, `${name}.pem`);
  const cn = o.cn ?? `AlteryxBackup test ${name}`;
  const keyArgs = o.key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', o.key ?? 'rsa:2048'];
  const ext: string[] = [];
  if (o.keyUsage) ext.push('-addext', `keyUsage=${o.keyUsage}`);
  if (o.extendedKeyUsage) ext.push('-addext', `extendedKeyUsage=${o.extendedKeyUsage}`);
  if (o.expired) {
    const csr = path.join(dir, `${name}.csr`);
    execFileSync('openssl', ['req', '-new', ...keyArgs, '-nodes', '-keyout', keyPath, '-out', csr, '-subj', `/CN=${cn}`], { stdio: 'pipe' });
    execFileSync('openssl', ['x509', '-req', '-in', csr, '-signkey', keyPath, '-days', '-1', '-out', pemPath], { stdio: 'pipe' });
  } else {
    execFileSync('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-keyout', keyPath, '-out', pemPath, '-days', String(o.days ?? 400), '-subj', `/CN=${cn}`, ...ext], { stdio: 'pipe' });
  }
  if (o.format === 'der') {
    const cerPath = path.join(dir, `${name}.cer`);
    execFileSync('openssl', ['x509', '-in', pemPath, '-outform', 'DER', '-out', cerPath], { stdio: 'pipe' });
    return { certPath: cerPath, keyPath };
  }
  return { certPath: pemPath, keyPath };
}

/** `openssl cms -decrypt` of a file; returns the plaintext bytes. */
export function opensslDecrypt(inPath: string, inform: 'PEM' | 'DER' | 'SMIME', cert: TestCertificate): Buffer {
  return execFileSync('openssl', ['cms', '-decrypt', '-binary', '-inform', inform, '-in', inPath, '-recip', cert.certPath, '-inkey', cert.keyPath], { stdio: ['ignore', 'pipe', 'pipe'] });
}
