import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256File, type ArchiveEntryInfo } from '../archive';
import { buildManifest, type ManifestFileEntry } from '../core/manifest';
import type { Redactor } from '../core/redact';
import type { ResolvedConfig } from '../config/config-types';
import type { Log } from '../logging/logger';
import type { Platform } from '../platform/platform';
import { TOOL_VERSION } from './version';
import type * as CmsEnvelope from '../secrets/cms-envelope';
import { ENCRYPTED_SUFFIX, SECRET_FILES, resolveSecretsEncryption, secretsEncryptionRecord, type SecretsEncryptionRecord } from '../secrets/secrets-encryption';
import { collectEnvironmentFacts, type EnvironmentFacts } from './environment-facts';

export interface StagingManifestOptions {
  config: ResolvedConfig;
  platform: Platform;
  stagingDir: string;
  redactor: Redactor;
  log: Log;
  /** Entries already hashed by the archive writer; without them every file is hashed here. */
  entries?: ArchiveEntryInfo[];
  startedAt?: Date;
  completedAt?: Date;
  /** Known already (e.g. from Export-ControllerSettings); otherwise `AlteryxService getversion` is asked. */
  serverVersion?: string | null;
  /** Facts the caller knows (New-BackupManifest -BackupResults): the service's downtime, more warnings. */
  service?: Record<string, unknown> | null;
  warnings?: string[];
  errors?: string[];
  /**
   * The environment facts, already being gathered: Compress-BackupArchive starts
   * this before it compresses, so getversion and the other queries overlap the
   * archive instead of following it (issue 14). Without it they are gathered here.
   */
  facts?: Promise<EnvironmentFacts>;
}

async function walk(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.promises.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full, base)));
    else if (e.isFile()) out.push(full);
  }
  return out.sort();
}

/**
 * New-BackupManifest for a staging folder assembled by the standalone
 * cmdlets (Backup-CriticalFiles, Export-ControllerSettings,
 * Invoke-MongoDBBackup). The paths recorded are the staged copies, since the
 * originals are not known here; Invoke-AlteryxBackup records the originals.
 */
export async function manifestFromStaging(o: StagingManifestOptions): Promise<Record<string, unknown>> {
  let entries: Array<{ archivePath: string; sourcePath: string; sizeBytes: number; sha256: string; mtime: Date }>;
  if (o.entries) {
    entries = o.entries.filter((e) => !e.isDirectory);
  } else {
    entries = [];
    for (const f of await walk(o.stagingDir)) {
      const st = await fs.promises.stat(f);
      entries.push({
        archivePath: path.relative(o.stagingDir, f).split(path.sep).join('/'),
        sourcePath: f,
        sizeBytes: st.size,
        sha256: await sha256File(f),
        mtime: st.mtime,
      });
    }
  }
  const files: ManifestFileEntry[] = entries
    .filter((e) => e.archivePath.startsWith('Config/'))
    .map((e) => ({ FilePath: e.sourcePath, RelativePathInArchive: e.archivePath, SizeBytes: e.sizeBytes, LastModified: e.mtime.toISOString(), SHA256: e.sha256 }));
  const mongoEntries = entries.filter((e) => e.archivePath.startsWith('MongoDB/'));
  const mongoBytes = mongoEntries.reduce((a, e) => a + e.sizeBytes, 0);
  const databases = new Set(mongoEntries.map((e) => e.archivePath.split('/')[1]).filter((d) => d && !d.includes('.')));
  const collections = mongoEntries.filter((e) => /\.bson(\.gz)?$/.test(e.archivePath));
  const names = new Set(entries.map((e) => e.archivePath));
  const secretsEncryption = files.length > 0 ? await stagedSecretsEncryption(o, names) : null;
  const now = o.completedAt ?? new Date();
  const warnings = [...(o.warnings ?? [])];
  const facts = await (o.facts ?? collectEnvironmentFacts({ config: o.config, platform: o.platform, log: o.log }));
  const serverVersion = o.serverVersion ?? facts.AlteryxServerVersion;
  const manifest = buildManifest({
    mode: o.config.BackupMode,
    startedAt: o.startedAt ?? now,
    completedAt: now,
    version: TOOL_VERSION,
    system: {
      AlteryxServerVersion: serverVersion,
      ServerHostname: o.platform.hostname(),
      WindowsVersion: o.platform.osVersion(),
      IsMultiNode: o.config.file.AlteryxConfiguration.Nodes.length > 1,
      NodeRole: 'Controller',
      BackupPerformedBy: o.platform.currentUser(),
    },
    mongo:
      mongoEntries.length > 0
        ? { Included: true, Databases: [...databases], BackupSizeMB: Math.round((mongoBytes / 1048576) * 100) / 100, CollectionCount: collections.length }
        : null,
    files,
    controllerSettings:
      files.length > 0
        ? {
            ControllerTokenExported: names.has('Config/ControllerToken.txt') || names.has(`Config/ControllerToken.txt${ENCRYPTED_SUFFIX}`),
            MongoPasswordsExported: names.has('Config/MongoPasswords.txt') || names.has(`Config/MongoPasswords.txt${ENCRYPTED_SUFFIX}`),
          }
        : null,
    secretsEncryption: secretsEncryption ? { ...secretsEncryption } : null,
    archive: { fileName: '', uncompressedBytes: entries.reduce((a, e) => a + e.sizeBytes, 0) },
    entries: entries.map((e) => ({ Path: e.archivePath, SizeBytes: e.sizeBytes, SHA256: e.sha256 })),
    service: o.service ?? null,
    preBackupChecks: {},
    keysFolder: [...names].some((n) => n.startsWith('Config/Keys/')) ? path.join(o.stagingDir, 'Config', 'Keys') : null,
    warnings,
    errors: [...(o.errors ?? [])],
    facts,
  });
  return o.redactor.value(manifest);
}

/**
 * SecretsEncryption for a staging folder: the encrypted files present, and
 * the configured certificates their CMS recipients name (a recipient no
 * configured certificate matches is listed by serial number only).
 */
async function stagedSecretsEncryption(o: StagingManifestOptions, names: Set<string>): Promise<SecretsEncryptionRecord> {
  const encrypted = SECRET_FILES.map((f) => f + ENCRYPTED_SUFFIX).filter((f) => names.has(f));
  if (encrypted.length === 0) return secretsEncryptionRecord([], SECRET_FILES.filter((f) => names.has(f)));
  let configured: ReturnType<typeof resolveSecretsEncryption>['recipients'] = [];
  try {
    configured = resolveSecretsEncryption(o.config).recipients;
  } catch {
    /* the files are already encrypted; an unusable configured certificate only costs the thumbprints here */
  }
  // Loaded here: the ASN.1 packages cost about 0.2 s of CPU per node start (issue 14).
  const { listRecipients, recipientMatchesCertificate } = require('../secrets/cms-envelope') as typeof CmsEnvelope;
  const rids = listRecipients(await fs.promises.readFile(path.join(o.stagingDir, ...encrypted[0].split('/'))));
  const record = secretsEncryptionRecord(
    configured.filter((c) => rids.some((r) => recipientMatchesCertificate(r, c.der))),
    encrypted,
  );
  const unmatched = rids.filter((r) => !configured.some((c) => recipientMatchesCertificate(r, c.der)));
  record.Encrypted = true;
  record.Recipients = [
    ...(record.Recipients ?? []),
    ...unmatched.map((r) => ({ Thumbprint: '', Subject: '', SerialNumber: r.serialNumber ?? r.subjectKeyIdentifier ?? '', NotAfter: '', Source: 'CMS recipient not in SecurityConfiguration.EncryptSecretsTo' })),
  ];
  return record;
}
