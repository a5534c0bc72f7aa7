import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHost, destroyHost, hostJson, readEventsOf } from './backup-harness';
import { runCli } from '../../helpers/cli-harness';
import { readZip } from '../../helpers/zip-reader';
import { listTree } from '../../helpers/temp-dir';
import { makeCertificate, opensslDecrypt, type TestCertificate } from '../../helpers/openssl-cert';
import { readServiceRecord } from '../../../src/sim/service-control';
import { decryptEnvelopedData } from '../../../src/secrets/cms-envelope';

// Issue 15: the token and passwords in every archive encrypted to the admin's certificate.
// Certificates are made by the real `openssl req`; the archive's secrets are opened by the real
// `openssl cms -decrypt`. The simulated host's AlteryxService prints the token and passwords the
// way getserversecret / getemongopassword do (test/README.md).

let root: string;
let configPath: string;
let certDir: string;
let admin: TestCertificate;
let second: TestCertificate;
let expired: TestCertificate;
let signing: TestCertificate;

before(async () => {
  ({ root, configPath } = await createHost(['--db-mb', '1']));
  certDir = path.join(path.dirname(root), 'certs');
  fs.mkdirSync(certDir);
  admin = makeCertificate(certDir, 'admin', { keyUsage: 'keyEncipherment,dataEncipherment', extendedKeyUsage: '1.3.6.1.4.1.311.80.1' });
  second = makeCertificate(certDir, 'second', { format: 'der' });
  expired = makeCertificate(certDir, 'expired', { expired: true });
  signing = makeCertificate(certDir, 'signing', { keyUsage: 'digitalSignature' });
});
after(() => destroyHost(root));

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** A copy of the host's config with a SecurityConfiguration section. */
function configWith(name: string, security: Record<string, unknown>): string {
  const cfg = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  cfg.SecurityConfiguration = security;
  const file = path.join(path.dirname(configPath), `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
  return file;
}

function archivesNow(): string[] {
  const dir = path.join(root, 'backups', 'local');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.zip')).sort() : [];
}

test('Full with EncryptSecretsTo: .p7m instead of plain files, manifest names the thumbprints, openssl cms -decrypt gives back exactly the token and passwords', async () => {
  const cfg = configWith('encrypted', { EncryptSecretsTo: [admin.certPath, second.certPath] });
  const r = await runCli('Invoke-AlteryxBackup', { configPath: cfg, parameters: { BackupMode: 'Full' } });
  assert.equal(r.exitCode, 0, r.stdout.slice(-3000) + r.stderr);
  const s = r.result!.data;
  assert.equal(s.Status, 'Success', `warnings: ${s.Warnings.join(' | ')}`);
  assert.equal(s.SecretsEncrypted, true);
  assert.equal(s.SecretsEncryptedTo.length, 2);

  const entries = await readZip(s.ArchivePath);
  assert.ok(!entries.has('Config/ControllerToken.txt') && !entries.has('Config/MongoPasswords.txt'), [...entries.keys()].join(', '));
  assert.ok(entries.has('Config/ControllerToken.txt.p7m') && entries.has('Config/MongoPasswords.txt.p7m'));
  const manifest = JSON.parse(entries.get('BackupManifest.json')!.toString('utf8'));
  const se = manifest.SecretsEncryption;
  assert.equal(se.Encrypted, true);
  assert.deepEqual(se.Files, ['Config/ControllerToken.txt.p7m', 'Config/MongoPasswords.txt.p7m']);
  assert.deepEqual(se.Recipients.map((x: { Thumbprint: string }) => x.Thumbprint), s.SecretsEncryptedTo);
  assert.equal(se.KeyTransport, 'RSAES-OAEP (SHA-256, MGF1-SHA-256)');
  // The SHA256 in the manifest is of the encrypted files, as they sit in the archive.
  const listed = new Map<string, string>(manifest.ArchiveEntries.map((e: { Path: string; SHA256: string }) => [e.Path, e.SHA256]));
  const backedUp = new Map<string, string>(manifest.BackedUpFiles.map((f: { RelativePathInArchive: string; SHA256: string }) => [f.RelativePathInArchive, f.SHA256]));
  for (const name of se.Files) {
    assert.equal(listed.get(name), sha(entries.get(name)!), name);
    assert.equal(backedUp.get(name), sha(entries.get(name)!), name);
  }

  const h = hostJson(root);
  const out = path.join(path.dirname(root), 'p7m');
  fs.mkdirSync(out, { recursive: true });
  for (const name of se.Files) fs.writeFileSync(path.join(out, path.basename(name)), entries.get(name)!);
  const token = opensslDecrypt(path.join(out, 'ControllerToken.txt.p7m'), 'PEM', admin);
  const passwords = opensslDecrypt(path.join(out, 'MongoPasswords.txt.p7m'), 'PEM', admin);
  assert.equal(token.toString('utf8'), `${h.serverSecret}\r\n`);
  assert.equal(passwords.toString('utf8'), `Admin: ${h.mongoAdminPassword}\r\nNon-Admin: ${h.mongoNonAdminPassword}\r\n`);
  // The second certificate's key opens them too (our decrypt; openssl needs a PEM -recip, this one is a DER .cer).
  const secondKey = crypto.createPrivateKey(fs.readFileSync(second.keyPath));
  assert.equal(decryptEnvelopedData(entries.get('Config/ControllerToken.txt.p7m')!, secondKey).toString('utf8'), `${h.serverSecret}\r\n`);

  // The secrets scan over the archive's entries allows nothing when encryption is on; nor over anything else produced.
  const secrets = [h.serverSecret, h.mongoAdminPassword, h.mongoNonAdminPassword];
  const haystacks: Array<[string, Buffer]> = [...entries].map(([n, d]) => [`archive:${n}`, d]);
  haystacks.push(['stdout', Buffer.from(r.stdout)], ['stderr', Buffer.from(r.stderr)]);
  for (const rel of listTree(root)) {
    if (rel.startsWith('sim/') || rel.endsWith('/') || rel.includes('Persistence/')) continue; // the simulator's own records of the truth
    if (rel.endsWith('.zip') && !rel.endsWith(path.basename(s.ArchivePath))) continue; // earlier tests' archives
    haystacks.push([rel, fs.readFileSync(path.join(root, rel))]);
  }
  for (const [where, data] of haystacks) for (const x of secrets) assert.ok(!data.includes(x), `a secret in plain text in ${where}`);
  assert.equal(readServiceRecord(root).state, 'Running');

  const v = await runCli('Test-BackupIntegrity', { configPath: cfg, parameters: { ArchivePath: s.ArchivePath } });
  assert.equal(v.exitCode, 0);
  assert.equal(v.result!.data.OverallStatus, true, JSON.stringify(v.result!.data));
});

test('without a certificate: one WARNING per Full/ConfigOnly run, in the log and the summary, naming the fix', async () => {
  const r = await runCli('Invoke-AlteryxBackup', { configPath, parameters: { BackupMode: 'ConfigOnly' } });
  assert.equal(r.exitCode, 0, r.stdout.slice(-2000));
  const s = r.result!.data;
  assert.equal(s.Status, 'Warning');
  assert.equal(s.SecretsEncrypted, false);
  const plain = s.Warnings.filter((w: string) => /plain text/.test(w));
  assert.equal(plain.length, 1, s.Warnings.join(' | '));
  assert.match(plain[0], /controller token and the MongoDB passwords/);
  assert.match(plain[0], /New-AlteryxBackupCertificate.*SecurityConfiguration\.EncryptSecretsTo/);
  const log = fs.readFileSync(s.LogPath, 'utf8');
  assert.equal(log.split('\n').filter((l) => /\[WARNING\].*plain text/.test(l) || /WARNING.*plain text/.test(l)).length, 1, log);
  const entries = await readZip(s.ArchivePath);
  assert.ok(entries.has('Config/ControllerToken.txt'));
  assert.equal(JSON.parse(entries.get('BackupManifest.json')!.toString('utf8')).SecretsEncryption.Encrypted, false);
});

async function refusedBeforeStop(name: string, security: Record<string, unknown>, code: string, pattern: RegExp) {
  const cfg = configWith(name, security);
  const eventsBefore = readEventsOf(root).length;
  const archivesBefore = archivesNow();
  const r = await runCli('Invoke-AlteryxBackup', { configPath: cfg, parameters: { BackupMode: 'Full' } });
  assert.equal(r.exitCode, 3, r.stdout.slice(-2000));
  assert.equal(r.result!.error!.code, code);
  assert.match(r.result!.error!.message, pattern);
  const events = readEventsOf(root).slice(eventsBefore).map((e) => e.event);
  assert.ok(!events.includes('stop-requested'), `the service was touched: ${events.join(',')}`);
  assert.equal(readServiceRecord(root).state, 'Running');
  assert.deepEqual(archivesNow(), archivesBefore, 'no new archive');
  const initialize = r.result!.data.Phases.find((p: { Phase: string }) => p.Phase === 'Initialize');
  assert.equal(initialize.Status, 'Failed');
}

test('RequireEncryptedSecrets without a certificate: exit 3, nothing stopped, no archive', async () => {
  await refusedBeforeStop('require', { RequireEncryptedSecrets: true }, 'SECRETS_ENCRYPTION_REQUIRED', /RequireEncryptedSecrets.*plain text/);
});

test('an expired certificate, a missing one, or one with the wrong key usage: exit 3 naming it, before the service is stopped', async () => {
  await refusedBeforeStop('expired', { EncryptSecretsTo: [expired.certPath] }, 'ENCRYPTION_CERTIFICATE_EXPIRED', new RegExp(`${path.basename(expired.certPath)}.*expired on`));
  await refusedBeforeStop('missing', { EncryptSecretsTo: [path.join(certDir, 'gone.cer')] }, 'ENCRYPTION_CERTIFICATE_NOT_FOUND', /gone\.cer.*does not exist/);
  await refusedBeforeStop('usage', { EncryptSecretsTo: [signing.certPath] }, 'ENCRYPTION_CERTIFICATE_WRONG_USAGE', /keyEncipherment/);
  // A thumbprint can only be resolved from the Windows store, which the PowerShell layer reads.
  await refusedBeforeStop('thumb', { EncryptSecretsTo: ['0f8ab1abe0ce351d67d2f26fa2d200c122a9b985'] }, 'ENCRYPTION_CERTIFICATE_NOT_FOUND', /0F8AB1ABE0CE351D67D2F26FA2D200C122A9B985/);
});

test('a thumbprint the PowerShell layer resolved from Cert:\\LocalMachine\\My is used like a file', async () => {
  const der = Buffer.from(fs.readFileSync(admin.certPath, 'utf8').replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  const thumb = crypto.createHash('sha1').update(der).digest('hex').toUpperCase();
  const soon = makeCertificate(certDir, 'soon', { days: 10 });
  const cfg = configWith('store', { EncryptSecretsTo: [thumb.toLowerCase().replace(/(..)/g, '$1 ').trim(), soon.certPath] });
  const r = await runCli('Invoke-AlteryxBackup', { configPath: cfg, parameters: { BackupMode: 'ConfigOnly', EncryptionCertificates: { [thumb]: der.toString('base64') } } });
  assert.equal(r.exitCode, 0, r.stdout.slice(-2000));
  assert.equal(r.result!.data.SecretsEncryptedTo[0], thumb);
  // A certificate that expires within 30 days still encrypts, with a warning to replace it.
  assert.deepEqual(r.result!.data.Warnings.filter((w: string) => /expires on/.test(w)).length, 1, r.result!.data.Warnings.join(' | '));
  assert.match(r.result!.data.Warnings.find((w: string) => /expires on/.test(w)), /soon\.pem/);
  const entries = await readZip(r.result!.data.ArchivePath);
  const se = JSON.parse(entries.get('BackupManifest.json')!.toString('utf8')).SecretsEncryption;
  assert.equal(se.Recipients[0].Source, `Cert:\\LocalMachine\\My\\${thumb}`);
  assert.equal(decryptEnvelopedData(entries.get('Config/ControllerToken.txt.p7m')!, crypto.createPrivateKey(fs.readFileSync(admin.keyPath))).toString('utf8').trim(), hostJson(root).serverSecret);
});

test('the standalone cmdlets: Export-ControllerSettings writes the .p7m files, New-BackupManifest records to whom', async () => {
  const cfg = configWith('standalone', { EncryptSecretsTo: [admin.certPath] });
  const staging = path.join(path.dirname(root), 'staging-standalone');
  const r = await runCli('Export-ControllerSettings', { configPath: cfg, parameters: { DestinationPath: staging } });
  assert.equal(r.exitCode, 0, JSON.stringify(r.result?.error));
  assert.equal(r.result!.data.SecretsEncryption.Encrypted, true);
  assert.ok(fs.existsSync(path.join(staging, 'Config', 'ControllerToken.txt.p7m')));
  assert.ok(!fs.existsSync(path.join(staging, 'Config', 'ControllerToken.txt')));
  const m = await runCli('New-BackupManifest', { configPath: cfg, parameters: { SourcePath: staging, BackupMode: 'ConfigOnly' } });
  assert.equal(m.exitCode, 0, JSON.stringify(m.result?.error));
  const se = m.result!.data.SecretsEncryption;
  assert.equal(se.Encrypted, true);
  assert.deepEqual(se.Files, ['Config/ControllerToken.txt.p7m', 'Config/MongoPasswords.txt.p7m']);
  assert.equal(se.Recipients.length, 1);
  assert.match(se.Recipients[0].Thumbprint, /^[0-9A-F]{40}$/);
  assert.equal(m.result!.data.ControllerSettings.ControllerTokenExported, true);
  const h = hostJson(root);
  assert.equal(opensslDecrypt(path.join(staging, 'Config', 'ControllerToken.txt.p7m'), 'PEM', admin).toString('utf8'), `${h.serverSecret}\r\n`);
});
