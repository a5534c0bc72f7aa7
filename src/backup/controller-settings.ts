import * as fs from 'node:fs';
import * as path from 'node:path';
import { GeneralBackupError } from '../core/errors';
import type { Redactor } from '../core/redact';
import type { ManifestFileEntry } from '../core/manifest';
import { sha256Of, writeFileDurable } from '../fs/copy-hashed';
import type { Log } from '../logging/logger';
import type { Platform } from '../platform/platform';
import { runCommand } from '../platform/run-command';
import { PeVersionError, readPeVersion } from '../platform/pe-version';
import { parseEmongoPasswordOutput } from '../mongo/embedded-dump';
import type * as CmsEnvelope from '../secrets/cms-envelope';
import type { RecipientCertificate } from '../secrets/recipient-certificate';
import { ENCRYPTED_SUFFIX, secretsEncryptionRecord, type SecretsEncryptionRecord } from '../secrets/secrets-encryption';
import { detectFromRuntimeSettingsFile, type PersistenceType } from '../mongo/runtime-settings';

export interface ControllerSettingsOptions {
  platform: Platform;
  serviceName: string;
  programDataPath: string;
  includeMongoPasswords: boolean;
  includeMetadata: boolean;
  stagingDir: string;
  redactor: Redactor;
  log: Log;
  signal?: AbortSignal;
  /** SecurityConfiguration.EncryptSecretsTo, checked: the token and passwords go into `.p7m` files encrypted to these. */
  encryptTo?: readonly RecipientCertificate[];
  /** AlteryxService.exe to run (Export-ControllerSettings -AlteryxServicePath); default the platform's. */
  serviceExecutable?: string;
  /** From RuntimeSettings.xml; read here when not given. Only EmbeddedMongoDB has passwords to export. */
  persistenceType?: PersistenceType;
  /** Already read (with its warning) by the caller's environment facts: not asked, or warned about, twice. */
  serverVersion?: string | null;
}

/** The data model's ControllerSettingsResultObject (ControllerSettings in the manifest). */
export interface ControllerSettingsResult {
  Success: boolean;
  ControllerTokenExported: boolean;
  MongoPasswordsExported: boolean;
  ServiceAccountUser: string | null;
  RunAsUser: string | null;
  AlteryxServerVersion: string | null;
  /** Why MongoPasswords.txt is not in the archive, when it is not. */
  EmbeddedMongoCredentialsNote?: string;
  PersistenceType?: PersistenceType;
  Files: ManifestFileEntry[];
  Warnings: string[];
  /** Whether the token and passwords were written encrypted, and to whom (the manifest's SecretsEncryption). */
  SecretsEncryption: SecretsEncryptionRecord;
}

/**
 * The Worker "Run As" user lives in RuntimeSettings.xml; only the user name
 * is recorded, never the encrypted password beside it.
 */
export function findRunAsUser(runtimeSettingsXml: string): string | null {
  const m = /<(?:\w+:)?(RunAsUser|RunAsUserName|RunAs)>\s*([^<]+?)\s*<\//i.exec(runtimeSettingsXml);
  return m ? m[2] : null;
}

const ALTERYX_CMD_TIMEOUT_MS = 120_000;

/** `getversion` prints the version as its first line ("Returns the current version of service",
 * https://help.alteryx.com/server/current/en/install/alteryxservice-commands.html). */
export function parseGetVersionOutput(stdout: string): string | null {
  const first = stdout.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '');
  if (!first) return null;
  const m = /(\d+\.\d+(?:\.\d+){0,2})/.exec(first);
  return m ? m[1] : first;
}

/**
 * The Alteryx Server version: `AlteryxService getversion`, else the file
 * version in AlteryxService.exe's version resource (issue 11 point 6; read
 * from the file by src/platform/pe-version.ts, the same code on Windows and
 * on the simulated host). `warning` says what failed; null when both did.
 * Never fails the backup. Secrets never pass through here.
 */
export async function serverVersionWithFallback(
  platform: Pick<Platform, 'alteryxServiceExecutable' | 'alteryxServiceImage'>,
  signal?: AbortSignal,
  serviceExecutable?: string,
): Promise<{ version: string | null; source: 'getversion' | 'file version' | null; warning?: string }> {
  let why: string;
  try {
    const r = await runCommand(serviceExecutable ?? platform.alteryxServiceExecutable(), ['getversion'], { timeoutMs: ALTERYX_CMD_TIMEOUT_MS, signal });
    if (r.exitCode !== 0 || r.timedOut) throw new Error(r.timedOut ? `timed out after ${ALTERYX_CMD_TIMEOUT_MS / 1000} s` : `exit code ${String(r.exitCode)}`);
    const v = parseGetVersionOutput(r.stdout);
    if (!v) throw new Error('it printed nothing');
    return { version: v, source: 'getversion' };
  } catch (err) {
    why = (err as Error).message;
  }
  const image = platform.alteryxServiceImage ? platform.alteryxServiceImage() : (serviceExecutable ?? platform.alteryxServiceExecutable());
  try {
    const v = await readPeVersion(image);
    return {
      version: v.FileVersion,
      source: 'file version',
      warning: `AlteryxService getversion failed (${why}); the Alteryx Server version ${v.FileVersion} is the file version of ${image}.`,
    };
  } catch (err) {
    const reason = err instanceof PeVersionError ? err.message : `${image}: ${(err as Error).message}`;
    return {
      version: null,
      source: null,
      warning: `Could not read the Alteryx Server version: AlteryxService getversion failed (${why}), and the file version could not be read either (${reason}). The manifest records null; a restore must be told the version.`,
    };
  }
}

/** serverVersionWithFallback, its warning logged (and added to `warnings`). */
export async function readServerVersion(platform: Platform, log: Log, signal?: AbortSignal, warnings?: string[]): Promise<string | null> {
  const r = await serverVersionWithFallback(platform, signal);
  if (r.warning) {
    warnings?.push(r.warning);
    log.warn(r.warning);
  }
  return r.version;
}

async function alteryxService(o: ControllerSettingsOptions, command: string): Promise<string> {
  const exe = o.serviceExecutable ?? o.platform.alteryxServiceExecutable();
  const r = await runCommand(exe, [command], { timeoutMs: ALTERYX_CMD_TIMEOUT_MS, signal: o.signal });
  if (r.timedOut) throw new GeneralBackupError(`AlteryxService ${command} did not finish within ${ALTERYX_CMD_TIMEOUT_MS / 1000} s.`, 'ALTERYX_COMMAND_FAILED');
  if (r.exitCode !== 0) {
    // The output of these commands is secret; report only the exit code.
    throw new GeneralBackupError(`AlteryxService ${command} failed with exit code ${String(r.exitCode)}.`, 'ALTERYX_COMMAND_FAILED');
  }
  return r.stdout;
}

/**
 * The Alteryx Server version (getversion, else the file version of
 * AlteryxService.exe), or null with the reason in `warning`. Every mode's
 * manifest records it (New-BackupManifest, Compress-BackupArchive).
 */
export async function readAlteryxServerVersion(
  platform: ControllerSettingsOptions['platform'],
  serviceExecutable?: string,
  signal?: AbortSignal,
): Promise<{ version: string | null; warning?: string }> {
  const r = await serverVersionWithFallback(platform, signal, serviceExecutable);
  return { version: r.version, warning: r.warning };
}

/**
 * Export-ControllerSettings: the controller token (getserversecret), the
 * embedded MongoDB passwords (getemongopassword), the service's Log On
 * account and Run As user (names only), and server metadata. Every secret is
 * registered with the redactor before anything else can print it.
 */
export async function exportControllerSettings(o: ControllerSettingsOptions): Promise<ControllerSettingsResult> {
  const configDir = path.join(o.stagingDir, 'Config');
  await fs.promises.mkdir(configDir, { recursive: true });
  const result: ControllerSettingsResult = {
    Success: false,
    ControllerTokenExported: false,
    MongoPasswordsExported: false,
    ServiceAccountUser: null,
    RunAsUser: null,
    AlteryxServerVersion: null,
    Files: [],
    Warnings: [],
    SecretsEncryption: { Encrypted: false, Files: [] },
  };
  const encryptTo = o.encryptTo ?? [];
  const secretFiles: string[] = [];
  const write = async (name: string, text: string, description: string, secret = false) => {
    let content: string | Buffer = text;
    if (secret && encryptTo.length > 0) {
      // Only the CMS message reaches the disk; the SHA256 recorded is of what the archive holds.
      // Loaded here: the ASN.1 packages cost about 0.2 s of CPU per node start (issue 14).
      const { armorCms, encryptEnvelopedData } = require('../secrets/cms-envelope') as typeof CmsEnvelope;
      content = armorCms(encryptEnvelopedData(Buffer.from(text, 'utf8'), encryptTo));
      name += ENCRYPTED_SUFFIX;
      description += ` (CMS, encrypted to ${encryptTo.map((c) => c.thumbprint).join(', ')})`;
    }
    const target = path.join(configDir, name);
    await writeFileDurable(target, content, 0o600);
    if (secret) secretFiles.push(`Config/${name}`);
    result.Files.push({
      FilePath: description,
      RelativePathInArchive: `Config/${name}`,
      SizeBytes: Buffer.byteLength(content),
      LastModified: new Date().toISOString(),
      SHA256: sha256Of(content),
    });
    return `Config/${name}`;
  };

  const token = (await alteryxService(o, 'getserversecret')).trim();
  o.redactor.add(token);
  if (token.length === 0) throw new GeneralBackupError('AlteryxService getserversecret returned nothing.', 'ALTERYX_COMMAND_FAILED');
  const tokenFile = await write('ControllerToken.txt', token + '\r\n', 'AlteryxService.exe getserversecret', true);
  result.ControllerTokenExported = true;
  o.log.info(`Controller token exported to ${tokenFile}${encryptTo.length > 0 ? ' (encrypted)' : ''}.`);

  let persistence = o.persistenceType;
  if (persistence === undefined) {
    try {
      persistence = (await detectFromRuntimeSettingsFile(path.join(o.programDataPath, 'RuntimeSettings.xml'))).persistenceType;
    } catch {
      /* unreadable settings are reported by Backup-CriticalFiles; assume Alteryx's default, embedded */
    }
  }
  result.PersistenceType = persistence;
  const embedded = persistence === undefined || persistence === 'EmbeddedMongoDB';
  if (o.includeMongoPasswords && !embedded) {
    // getemongopassword "Returns Embedded MongoDB password"
    // (https://help.alteryx.com/server/current/en/install/alteryxservice-commands.html): there is none to export.
    result.EmbeddedMongoCredentialsNote =
      persistence === 'SQLServer'
        ? 'Not applicable: the server keeps its data in SQL Server, not the embedded MongoDB (getemongopassword only works with embedded MongoDB).'
        : 'Not applicable: the server uses a self-managed MongoDB; getemongopassword only works with the embedded MongoDB. The self-managed credentials are yours to keep.';
    o.log.info(`MongoPasswords.txt not exported. ${result.EmbeddedMongoCredentialsNote}`);
  } else if (!o.includeMongoPasswords) {
    result.EmbeddedMongoCredentialsNote = 'FilesConfiguration.BackupMongoPasswords is false.';
  }
  if (o.includeMongoPasswords && embedded) {
    const out = await alteryxService(o, 'getemongopassword');
    const pw = parseEmongoPasswordOutput(out);
    for (const line of out.split(/\r?\n/)) o.redactor.add(line.replace(/^\s*(Non-)?Admin:\s*/i, ''));
    if (!pw) throw new GeneralBackupError('AlteryxService getemongopassword did not print the Admin and Non-Admin lines.', 'ALTERYX_COMMAND_FAILED');
    o.redactor.add(pw.admin);
    o.redactor.add(pw.nonAdmin);
    const pwFile = await write('MongoPasswords.txt', `Admin: ${pw.admin}\r\nNon-Admin: ${pw.nonAdmin}\r\n`, 'AlteryxService.exe getemongopassword', true);
    result.MongoPasswordsExported = true;
    o.log.info(`MongoDB passwords exported to ${pwFile}${encryptTo.length > 0 ? ' (encrypted)' : ''}.`);
  }

  try {
    result.ServiceAccountUser = (await o.platform.services.logOnAccount(o.serviceName)) ?? null;
  } catch (err) {
    const m = `Could not read the Log On account of ${o.serviceName}: ${(err as Error).message}`;
    result.Warnings.push(m);
    o.log.warn(m);
  }
  try {
    result.RunAsUser = findRunAsUser(await fs.promises.readFile(path.join(o.programDataPath, 'RuntimeSettings.xml'), 'utf8'));
  } catch {
    /* RuntimeSettings.xml is checked (and required) by Backup-CriticalFiles */
  }

  if (o.includeMetadata) {
    result.AlteryxServerVersion = o.serverVersion !== undefined ? o.serverVersion : await readServerVersion(o.platform, o.log, o.signal, result.Warnings);
    const metadata = {
      AlteryxServerVersion: result.AlteryxServerVersion,
      ServiceName: o.serviceName,
      ServiceAccountUser: result.ServiceAccountUser,
      RunAsUser: result.RunAsUser,
      ServerHostname: o.platform.hostname(),
      WindowsVersion: o.platform.osVersion(),
      ExportedAt: new Date().toISOString(),
    };
    await write('ServiceAccount.json', JSON.stringify(metadata, null, 2), 'Service Log On account, Run As user and server metadata');
  }
  result.SecretsEncryption = secretsEncryptionRecord(encryptTo, secretFiles);
  result.Success = true;
  return result;
}
