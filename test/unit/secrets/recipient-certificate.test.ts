import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ValidationError } from '../../../src/core/errors';
import { loadRecipientCertificateFile, normalizeThumbprint } from '../../../src/secrets/recipient-certificate';
import { makeTempDir } from '../../helpers/temp-dir';
import { makeCertificate } from '../../helpers/openssl-cert';

let tmp: { dir: string; cleanup: () => void };
before(() => {
  tmp = makeTempDir('axb-cert-');
});
after(() => tmp.cleanup());

const SETTING = 'SecurityConfiguration.EncryptSecretsTo[0]';
function rejects(file: string, code: string, pattern: RegExp) {
  assert.throws(
    () => loadRecipientCertificateFile(file, SETTING),
    (e: unknown) => {
      assert.ok(e instanceof ValidationError, String(e));
      assert.equal(e.exitCode, 3);
      assert.equal(e.code, code);
      assert.match(e.message, pattern);
      assert.ok(e.message.includes(SETTING), e.message);
      return true;
    },
  );
}

test('a document-encryption certificate (PEM) is accepted; its thumbprint is the SHA-1 openssl reports', () => {
  const c = makeCertificate(tmp.dir, 'good', { keyUsage: 'keyEncipherment,dataEncipherment', extendedKeyUsage: '1.3.6.1.4.1.311.80.1' });
  const r = loadRecipientCertificateFile(c.certPath, SETTING);
  const fp = execFileSync('openssl', ['x509', '-in', c.certPath, '-noout', '-fingerprint', '-sha1'], { encoding: 'utf8' });
  assert.equal(r.thumbprint, fp.split('=')[1].trim().replace(/:/g, ''));
  assert.match(r.subject, /CN=AlteryxBackup test good/);
  assert.ok(r.notAfter.getTime() > Date.now());
});

test('a DER .cer (what Export-Certificate writes) and a certificate without extensions are accepted', () => {
  const c = makeCertificate(tmp.dir, 'der', { format: 'der' });
  assert.equal(fs.readFileSync(c.certPath)[0], 0x30);
  assert.match(loadRecipientCertificateFile(c.certPath, SETTING).thumbprint, /^[0-9A-F]{40}$/);
});

test('an expired certificate: exit 3, names the file and the date', () => {
  const c = makeCertificate(tmp.dir, 'old', { expired: true });
  rejects(c.certPath, 'ENCRYPTION_CERTIFICATE_EXPIRED', /expired on \d{4}-\d\d-\d\d/);
});

test('wrong key usage: keyUsage without keyEncipherment, or a TLS-only EKU', () => {
  rejects(makeCertificate(tmp.dir, 'sign', { keyUsage: 'digitalSignature' }).certPath, 'ENCRYPTION_CERTIFICATE_WRONG_USAGE', /digitalSignature.*needs keyEncipherment/);
  rejects(makeCertificate(tmp.dir, 'tls', { keyUsage: 'digitalSignature,keyEncipherment', extendedKeyUsage: 'serverAuth' }).certPath, 'ENCRYPTION_CERTIFICATE_WRONG_USAGE', /1\.3\.6\.1\.5\.5\.7\.3\.1.*Document Encryption/);
});

test('not RSA, or a short RSA key', () => {
  rejects(makeCertificate(tmp.dir, 'ec', { key: 'ec' }).certPath, 'ENCRYPTION_CERTIFICATE_INVALID', /ec key.*RSA/);
  rejects(makeCertificate(tmp.dir, 'short', { key: 'rsa:1024' }).certPath, 'ENCRYPTION_CERTIFICATE_INVALID', /1024-bit/);
});

test('a missing file, a non-certificate, and a file holding a private key', () => {
  rejects(path.join(tmp.dir, 'nope.cer'), 'ENCRYPTION_CERTIFICATE_NOT_FOUND', /does not exist/);
  const junk = path.join(tmp.dir, 'junk.cer');
  fs.writeFileSync(junk, 'hello');
  rejects(junk, 'ENCRYPTION_CERTIFICATE_INVALID', /is not a certificate/);
  const c = makeCertificate(tmp.dir, 'withkey');
  const both = path.join(tmp.dir, 'both.pem');
  fs.writeFileSync(both, fs.readFileSync(c.certPath, 'utf8') + fs.readFileSync(c.keyPath, 'utf8'));
  rejects(both, 'ENCRYPTION_CERTIFICATE_INVALID', /private key/);
});

test('thumbprints are normalised as Windows shows them', () => {
  assert.equal(normalizeThumbprint('0f 8a b1 ab e0 ce 35 1d 67 d2 f2 6f a2 d2 00 c1 22 a9 b9 85'), '0F8AB1ABE0CE351D67D2F26FA2D200C122A9B985');
  assert.equal(normalizeThumbprint('C:\\certs\\a.cer'), null);
  assert.equal(normalizeThumbprint('ABC'), null);
});
