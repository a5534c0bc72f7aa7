import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { armorCms, cmsToDer, CmsError, decryptEnvelopedData, encryptEnvelopedData, listRecipients, recipientMatchesCertificate } from '../../../src/secrets/cms-envelope';
import { loadRecipientCertificateFile } from '../../../src/secrets/recipient-certificate';
import { makeTempDir } from '../../helpers/temp-dir';
import { makeCertificate, opensslDecrypt, type TestCertificate } from '../../helpers/openssl-cert';

// Interop with the real openssl both ways (RFC 5652 EnvelopedData). openssl cms -decrypt is the
// reference reader; Windows' Unprotect-CmsMessage cannot run here (see docs/secrets-encryption.md).

let tmp: { dir: string; cleanup: () => void };
let alice: TestCertificate;
let bob: TestCertificate;
const key = (c: TestCertificate) => crypto.createPrivateKey(fs.readFileSync(c.keyPath));
const der = (c: TestCertificate) => loadRecipientCertificateFile(c.certPath, 'test').der;

before(() => {
  tmp = makeTempDir('axb-cms-');
  alice = makeCertificate(tmp.dir, 'alice', { keyUsage: 'keyEncipherment,dataEncipherment', extendedKeyUsage: '1.3.6.1.4.1.311.80.1' });
  bob = makeCertificate(tmp.dir, 'bob');
});
after(() => tmp.cleanup());

// Bytes that a text round trip would damage: CRLF, a NUL, high bytes, and more than one AES block.
const PLAINTEXT = Buffer.concat([Buffer.from('Admin: p@ss\u00e9w0rd\r\nNon-Admin: x\r\n', 'utf8'), Buffer.from([0, 255, 10, 13]), crypto.randomBytes(100)]);

test('our encrypt -> openssl cms -decrypt gives exactly the plaintext, for each of two recipients (PEM armor and DER)', () => {
  const message = encryptEnvelopedData(PLAINTEXT, [loadRecipientCertificateFile(alice.certPath, 't'), loadRecipientCertificateFile(bob.certPath, 't')]);
  const pemFile = path.join(tmp.dir, 'two.p7m');
  fs.writeFileSync(pemFile, armorCms(message));
  const derFile = path.join(tmp.dir, 'two.der');
  fs.writeFileSync(derFile, message);
  assert.deepEqual(opensslDecrypt(pemFile, 'PEM', alice), PLAINTEXT);
  assert.deepEqual(opensslDecrypt(pemFile, 'PEM', bob), PLAINTEXT);
  assert.deepEqual(opensslDecrypt(derFile, 'DER', alice), PLAINTEXT);
});

test('what we write is EnvelopedData v0, RSAES-OAEP SHA-256/MGF1-SHA-256, AES-256-CBC (as openssl parses it)', () => {
  const file = path.join(tmp.dir, 'one.der');
  fs.writeFileSync(file, encryptEnvelopedData(Buffer.from('x'), [loadRecipientCertificateFile(alice.certPath, 't')]));
  const dump = execFileSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', file], { encoding: 'utf8' });
  assert.match(dump, /contentType: pkcs7-envelopedData/);
  assert.match(dump, /algorithm: rsaesOaep/);
  // RSAES-OAEP-params: [0] hashAlgorithm sha256, [1] maskGenAlgorithm mgf1(sha256), pSource left at its default.
  assert.match(dump, /cont \[ 0 \][\s\S]*?OBJECT\s+:sha256[\s\S]*?cont \[ 1 \][\s\S]*?OBJECT\s+:mgf1[\s\S]*?OBJECT\s+:sha256/);
  assert.doesNotMatch(dump, /cont \[ 2 \]/);
  assert.match(dump, /algorithm: aes-256-cbc/);
  assert.match(dump, /issuerAndSerialNumber/);
});

test('a wrong key cannot open it, and openssl agrees', () => {
  const message = encryptEnvelopedData(PLAINTEXT, [loadRecipientCertificateFile(alice.certPath, 't')]);
  assert.throws(() => decryptEnvelopedData(message, key(bob)), (e: unknown) => e instanceof CmsError && e.reason === 'decrypt-failed');
  assert.throws(() => decryptEnvelopedData(message, key(bob), der(bob)), (e: unknown) => e instanceof CmsError && e.reason === 'no-matching-recipient');
  const file = path.join(tmp.dir, 'alice-only.p7m');
  fs.writeFileSync(file, armorCms(message));
  assert.throws(() => opensslDecrypt(file, 'PEM', bob));
  assert.deepEqual(decryptEnvelopedData(message, key(alice), der(alice)), PLAINTEXT);
});

const opensslVariants: Array<[string, string[]]> = [
  ['-aes256 (default RSAES-PKCS1-v1_5 key transport)', ['-aes256']],
  ['-aes256 with RSAES-OAEP (SHA-1 defaults)', ['-aes256', '-keyopt', 'rsa_padding_mode:oaep']],
  ['-aes256 with RSAES-OAEP SHA-256', ['-aes256', '-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256', '-keyopt', 'rsa_mgf1_md:sha256']],
  ['-aes128 with a subjectKeyIdentifier recipient', ['-aes128', '-keyid']],
  ['-des3 (old Protect-CmsMessage default)', ['-des3']],
];
for (const [name, args] of opensslVariants) {
  for (const outform of ['PEM', 'DER', 'SMIME'] as const) {
    test(`openssl cms -encrypt ${name}, ${outform} -> our decrypt gives exactly the plaintext`, () => {
      const inFile = path.join(tmp.dir, 'plain.bin');
      fs.writeFileSync(inFile, PLAINTEXT);
      const out = path.join(tmp.dir, `openssl-${outform}.p7m`);
      // -keyopt applies to the -recip before it.
      const [cipher, ...keyopts] = args;
      execFileSync('openssl', ['cms', '-encrypt', '-binary', cipher, '-in', inFile, '-outform', outform, '-out', out, '-recip', alice.certPath, ...keyopts], { stdio: 'pipe' });
      const message = fs.readFileSync(out);
      assert.deepEqual(decryptEnvelopedData(message, key(alice)), PLAINTEXT);
      assert.deepEqual(decryptEnvelopedData(message, key(alice), der(alice)), PLAINTEXT);
      const [r] = listRecipients(message);
      assert.equal(recipientMatchesCertificate(r, der(alice)), true);
      assert.equal(recipientMatchesCertificate(r, der(bob)), false);
    });
  }
}

test('armor is what Unprotect-CmsMessage reads: BEGIN/END CMS, base64 lines, CRLF', () => {
  const message = encryptEnvelopedData(Buffer.from('t'), [loadRecipientCertificateFile(alice.certPath, 't')]);
  const text = armorCms(message);
  assert.match(text, /^-----BEGIN CMS-----\r\n([A-Za-z0-9+/=]{1,64}\r\n)+-----END CMS-----\r\n$/);
  assert.deepEqual(cmsToDer(Buffer.from(text)), message);
  assert.throws(() => cmsToDer(Buffer.from('hello')), CmsError);
});

test('each encryption uses a fresh content key and IV', () => {
  const r = [loadRecipientCertificateFile(alice.certPath, 't')];
  const a = encryptEnvelopedData(PLAINTEXT, r);
  const b = encryptEnvelopedData(PLAINTEXT, r);
  assert.notDeepEqual(a, b);
  assert.ok(!a.includes(PLAINTEXT.subarray(0, 16)), 'the plaintext does not appear in the message');
});
