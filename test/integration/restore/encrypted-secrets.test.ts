import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { backup, createHost, destroyHost, diffSnapshots, hostJson, restore, snapshot, state } from './restore-harness';
import { makeCertificate, type TestCertificate } from '../../helpers/openssl-cert';

/**
 * Issue 15, restore side: host A backs up with its secrets encrypted to a certificate made by
 * `openssl req`; the archive is restored onto host C (same hostname, other token). Without the
 * private key, or with another one, the restore stops before touching C (exit 3, naming the
 * thumbprint that would work); with it, C gets A's token.
 */
describe('restore of an archive whose secrets are encrypted', { timeout: 600_000 }, () => {
  let A: { root: string; configPath: string };
  let C: { root: string; configPath: string };
  let admin: TestCertificate;
  let other: TestCertificate;
  let archive: string;
  let thumbprint: string;

  before(async () => {
    [A, C] = await Promise.all([createHost(['--seed', 'enc-a']), createHost(['--seed', 'enc-c', '--db-mb', '0.3'])]);
    const certDir = path.join(path.dirname(A.root), 'certs');
    fs.mkdirSync(certDir);
    admin = makeCertificate(certDir, 'admin', { keyUsage: 'keyEncipherment,dataEncipherment', extendedKeyUsage: '1.3.6.1.4.1.311.80.1' });
    other = makeCertificate(certDir, 'other');
    const cfg = JSON.parse(fs.readFileSync(A.configPath, 'utf8'));
    cfg.SecurityConfiguration = { EncryptSecretsTo: [admin.certPath], RequireEncryptedSecrets: true };
    fs.writeFileSync(A.configPath, JSON.stringify(cfg, null, 2));
    archive = await backup(A.root, A.configPath, 'ConfigOnly');
  });
  after(() => {
    destroyHost(A?.root);
    destroyHost(C?.root);
  });

  it('the catalog shows that the secrets are encrypted, and to whom', async () => {
    const { runCli } = await import('../../helpers/cli-harness');
    const r = await runCli('Get-AlteryxBackup', { configPath: A.configPath });
    assert.equal(r.exitCode, 0, JSON.stringify(r.result?.error));
    const e = r.result!.data.find((x: { FileName: string }) => x.FileName === path.basename(archive));
    assert.equal(e.SecretsEncrypted, true);
    assert.equal(e.SecretsEncryptedTo.length, 1);
    thumbprint = e.SecretsEncryptedTo[0];
    assert.match(thumbprint, /^[0-9A-F]{40}$/);
  });

  it('without a key: exit 3 naming the thumbprint that would work, and C is untouched', async () => {
    const before = snapshot(C.root);
    const r = await restore(C.root, C.configPath, archive);
    assert.equal(r.exitCode, 3, JSON.stringify(r.result?.error));
    assert.equal(r.result!.error!.code, 'DECRYPTION_CERTIFICATE_REQUIRED');
    assert.ok(r.result!.error!.message.includes(thumbprint), r.result!.error!.message);
    assert.match(r.result!.error!.message, /-DecryptionCertificate/);
    assert.deepEqual(diffSnapshots(before, snapshot(C.root)), []);
    assert.ok(!r.lines.some((l) => l.type === 'service'), 'the service was never touched');
    assert.equal(await state(C.root), 'Running');
  });

  it('with the wrong private key: exit 3, C untouched', async () => {
    const before = snapshot(C.root);
    const r = await restore(C.root, C.configPath, archive, {}, { secrets: { DecryptionKey: fs.readFileSync(other.keyPath, 'utf8') } });
    assert.equal(r.exitCode, 3, JSON.stringify(r.result?.error));
    assert.equal(r.result!.error!.code, 'DECRYPTION_KEY_MISMATCH');
    assert.ok(r.result!.error!.message.includes(thumbprint));
    assert.deepEqual(diffSnapshots(before, snapshot(C.root)), []);
    assert.ok(!r.lines.some((l) => l.type === 'service'));
  });

  it('with the private key: the round trip works and C gets A\'s token; the key never reaches the output', async () => {
    assert.notEqual(hostJson(C.root).serverSecret, hostJson(A.root).serverSecret, 'C starts with another token');
    const keyPem = fs.readFileSync(admin.keyPath, 'utf8');
    const r = await restore(C.root, C.configPath, archive, {}, { secrets: { DecryptionKey: keyPem } });
    assert.equal(r.exitCode, 0, JSON.stringify(r.result?.error) + r.stdout.slice(-2000));
    assert.equal(hostJson(C.root).serverSecret, hostJson(A.root).serverSecret);
    assert.equal(await state(C.root), 'Running');
    const keyBody = keyPem.split('\n')[1];
    assert.ok(!r.stdout.includes(keyBody) && !r.stdout.includes(hostJson(A.root).serverSecret), 'no key or token in the output');
  });
});
