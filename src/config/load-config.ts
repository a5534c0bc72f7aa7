import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ValidationError } from '../core/errors';
import { parseBackupMode, type BackupMode } from '../core/backup-mode';
import type { BackupConfigFile, ResolvedConfig, Secrets } from './config-types';
import { loadConfigValidator } from './schema-validator';
import { assertNoDuplicateKeys, decodeConfigText } from './json-text';

/** The repository (or installed package) root: dist/src/config → ../../.. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DEFAULT_CONFIG_PATH = path.join(PACKAGE_ROOT, 'config', 'backup-config.json');
export const SCHEMA_PATH = path.join(PACKAGE_ROOT, 'config', 'backup-config.schema.json');

/** Parameters a caller may override, keyed by their PowerShell names. */
export interface ConfigOverrides {
  BackupMode?: string;
  TempDirectory?: string;
  LocalBackupPath?: string;
  NetworkBackupPath?: string[];
  LogDirectory?: string;
  MongoDBType?: string;
  MaxServiceWait?: number;
  RetentionDays?: number;
  StopServiceForExternalDB?: boolean;
  /** The user name of -SmtpCredential; its password arrives as a secret. */
  SmtpUsername?: string;
  /** Public certificates the PowerShell layer read from Cert:\\LocalMachine\\My: thumbprint -> base64 DER. */
  EncryptionCertificates?: Record<string, string>;
  /**
   * Any other setting, by its dotted path in the file (e.g.
   * `ServiceConfiguration.MaxWorkflowWaitSeconds`), applied before
   * validation so the schema checks the value (ParameterOverrides of
   * Initialize-BackupEnvironment, see src/cli/contract-overrides.ts).
   */
  Settings?: Record<string, unknown>;
}

let cachedValidator: ValidateFunction | undefined;
/** The build's pre-generated validator when it matches the schema, else the schema compiled now (schema-validator.ts). */
function validator(): ValidateFunction {
  if (!cachedValidator) cachedValidator = loadConfigValidator(SCHEMA_PATH).validate;
  return cachedValidator;
}

/** `/BackupConfiguration/RetentionDays/Full` → `BackupConfiguration.RetentionDays.Full`; array items as `[0]`. */
export function dottedPath(instancePath: string, extra?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? '(root)' : out;
}

export function describeAjvError(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `${dottedPath(e.instancePath, String(e.params.additionalProperty))}: unknown key`;
    case 'required':
      return `${dottedPath(e.instancePath, String(e.params.missingProperty))}: is required`;
    case 'type':
      return `${dottedPath(e.instancePath)}: must be of type ${String(e.params.type)}, got ${describeValue(e.data)}`;
    case 'enum':
      return `${dottedPath(e.instancePath)}: must be one of ${(e.params.allowedValues as unknown[]).map(String).join(', ')}, got ${describeValue(e.data)}`;
    case 'minimum':
    case 'maximum':
      return `${dottedPath(e.instancePath)}: must be ${e.keyword === 'minimum' ? '>=' : '<='} ${String(e.params.limit)}, got ${describeValue(e.data)}`;
    default:
      return `${dottedPath(e.instancePath)}: ${e.message ?? e.keyword}`;
  }
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return `"${v.length > 60 ? v.slice(0, 57) + '...' : v}" (string)`;
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return `${String(v)} (${typeof v})`;
}

/** Absolute on the platform that will use it: drive-letter or UNC on Windows; rooted on POSIX. */
export function isAbsoluteForPlatform(p: string, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'win32') return /^[A-Za-z]:[\\/]/.test(p) || /^\\\\[^\\]+\\[^\\]+/.test(p);
  return path.posix.isAbsolute(p);
}

function readConfigFile(configPath: string): unknown {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(configPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'the file does not exist' : code === 'EACCES' || code === 'EPERM' ? 'access is denied' : `it cannot be read (${code ?? String(err)})`;
    throw new ValidationError(`Configuration file '${configPath}': ${why}.`, 'CONFIG_NOT_FOUND', { category: 'ObjectNotFound', cause: err });
  }
  // UTF-8 (a BOM is fine: Notepad writes one) or UTF-16 by its BOM; UTF-32 is refused.
  const text = decodeConfigText(bytes, configPath);
  try {
    const parsed: unknown = JSON.parse(text);
    assertNoDuplicateKeys(text, configPath);
    return parsed;
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let where = '';
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      const col = before.length - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${col}`;
    }
    throw new ValidationError(`Configuration file '${configPath}' is not valid JSON${where}: ${msg}`, 'CONFIG_INVALID_JSON', { cause: err });
  }
}

function applyOverrides(file: Record<string, any>, o: ConfigOverrides, mode: BackupMode): void {
  const bc = (file.BackupConfiguration ??= {});
  if (o.TempDirectory !== undefined) bc.TempDirectory = o.TempDirectory;
  if (o.LocalBackupPath !== undefined) bc.LocalBackupPath = o.LocalBackupPath;
  if (o.NetworkBackupPath !== undefined) bc.NetworkBackupPaths = o.NetworkBackupPath;
  if (o.LogDirectory !== undefined) bc.LogDirectory = o.LogDirectory;
  if (o.RetentionDays !== undefined) {
    bc.RetentionDays = { ...(bc.RetentionDays ?? {}), [mode]: o.RetentionDays };
  }
  const sc = (file.ServiceConfiguration ??= {});
  if (o.MaxServiceWait !== undefined) sc.MaxServiceWaitSeconds = o.MaxServiceWait;
  if (o.StopServiceForExternalDB !== undefined) sc.StopServiceForExternalDB = o.StopServiceForExternalDB;
  const mc = (file.MongoDBConfiguration ??= {});
  if (o.MongoDBType !== undefined) mc.Type = o.MongoDBType;
  if (o.SmtpUsername !== undefined) (file.NotificationConfiguration ??= {}).Username = o.SmtpUsername;
  for (const [dotted, value] of Object.entries(o.Settings ?? {})) {
    const parts = dotted.split('.');
    let node: Record<string, any> = file;
    for (const part of parts.slice(0, -1)) {
      if (node[part] === null || typeof node[part] !== 'object' || Array.isArray(node[part])) node[part] = {};
      node = node[part] as Record<string, any>;
    }
    node[parts[parts.length - 1]] = value;
  }
}

/**
 * The data model's rules that a schema cannot express. Runs on partly
 * invalid data too, so that one report lists every problem: each check
 * looks only at values of the right type.
 */
export function semanticErrors(cfg: Partial<Record<keyof BackupConfigFile, any>>): string[] {
  const errors: string[] = [];
  const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  const checkAbs = (p: unknown, where: string) => {
    if (str(p) && !isAbsoluteForPlatform(p)) {
      errors.push(`${where}: must be an absolute path${process.platform === 'win32' ? ' (a drive letter or UNC path)' : ''}, got "${p}"`);
    }
  };
  const bc = cfg.BackupConfiguration ?? {};
  const ac = cfg.AlteryxConfiguration ?? {};
  checkAbs(bc.TempDirectory, 'BackupConfiguration.TempDirectory');
  checkAbs(bc.LocalBackupPath, 'BackupConfiguration.LocalBackupPath');
  checkAbs(bc.LogDirectory, 'BackupConfiguration.LogDirectory');
  if (Array.isArray(bc.NetworkBackupPaths)) bc.NetworkBackupPaths.forEach((p: unknown, i: number) => checkAbs(p, `BackupConfiguration.NetworkBackupPaths[${i}]`));
  checkAbs(ac.ProgramDataPath, 'AlteryxConfiguration.ProgramDataPath');
  checkAbs(ac.InstallPath, 'AlteryxConfiguration.InstallPath');
  checkAbs(ac.NodePath, 'AlteryxConfiguration.NodePath');
  if (ac.Platform === 'Simulated') {
    if (!str(ac.SimulatedHostRoot)) errors.push('AlteryxConfiguration.SimulatedHostRoot: is required when Platform is Simulated');
    else checkAbs(ac.SimulatedHostRoot, 'AlteryxConfiguration.SimulatedHostRoot');
  }
  const norm = (p: string) => path.resolve(p).toLowerCase();
  if (str(bc.TempDirectory) && str(bc.LocalBackupPath) && norm(bc.TempDirectory) === norm(bc.LocalBackupPath)) {
    errors.push('BackupConfiguration.TempDirectory: must differ from LocalBackupPath (staging and published backups are kept apart)');
  }
  const mc = cfg.MongoDBConfiguration ?? {};
  const sm = mc.SelfManagedMongoDB ?? {};
  if (mc.Type === 'self-managed' && !str(sm.ConnectionString) && !str(sm.Host)) {
    errors.push('MongoDBConfiguration.SelfManagedMongoDB: ConnectionString or Host is required when Type is self-managed');
  }
  if (str(sm.ConnectionString) && /^mongodb(\+srv)?:\/\/[^/@]*:[^/@]*@/i.test(sm.ConnectionString)) {
    errors.push('MongoDBConfiguration.SelfManagedMongoDB.ConnectionString: must not contain a password; pass it with -MongoPassword or a CredentialFile');
  }
  const nodes: Array<{ Hostname?: unknown; Role?: unknown }> = Array.isArray(ac.Nodes) ? ac.Nodes.filter((n: unknown) => n && typeof n === 'object') : [];
  if (nodes.length > 0 && nodes.filter((n) => n.Role === 'Controller').length !== 1) {
    errors.push('AlteryxConfiguration.Nodes: must list exactly one Controller when nodes are given');
  }
  const hosts = nodes.map((n) => (typeof n.Hostname === 'string' ? n.Hostname.toLowerCase() : undefined));
  hosts.forEach((h, i) => {
    if (h !== undefined && hosts.indexOf(h) !== i) errors.push(`AlteryxConfiguration.Nodes[${i}].Hostname: "${String(nodes[i].Hostname)}" is listed twice`);
  });
  const sec = cfg.SecurityConfiguration ?? {};
  if (Array.isArray(sec.EncryptSecretsTo)) {
    sec.EncryptSecretsTo.forEach((e: unknown, i: number) => {
      if (str(e) && !/^[0-9a-f]{40}$/i.test(e.replace(/[\s:]/g, ''))) checkAbs(e, `SecurityConfiguration.EncryptSecretsTo[${i}]`);
    });
  }
  const n = cfg.NotificationConfiguration ?? {};
  if (n.Enabled === true && (!str(n.SMTPServer) || !str(n.FromAddress) || !Array.isArray(n.ToAddresses) || n.ToAddresses.length === 0)) {
    errors.push('NotificationConfiguration: SMTPServer, FromAddress and ToAddresses are required when Enabled is true');
  }
  return errors;
}

function certificateStoreFrom(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, der] of Object.entries(v as Record<string, unknown>)) {
    if (typeof der === 'string' && der.length > 0) out[k.replace(/[\s:]/g, '').toUpperCase()] = der;
  }
  return out;
}

/**
 * Reads, defaults, overrides, validates. Every error is reported at once,
 * each with its dotted path, in one ValidationError naming the file.
 * Touches nothing on disk but the read.
 */
export function loadConfig(configPath: string | undefined, overrides: ConfigOverrides = {}, secrets: Secrets = {}): ResolvedConfig {
  const file = path.resolve(configPath && configPath.trim() !== '' ? configPath : DEFAULT_CONFIG_PATH);
  const raw = readConfigFile(file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError(`Configuration file '${file}': (root): must be a JSON object.`, 'CONFIG_INVALID', { details: ['(root): must be a JSON object'] });
  }
  const data = structuredClone(raw) as Record<string, any>;
  const defaultMode = data.BackupConfiguration?.DefaultBackupMode;
  // The mode decides which retention an override applies to; an invalid mode is its own exit code (6).
  const mode = parseBackupMode(
    overrides.BackupMode ?? (typeof defaultMode === 'string' ? defaultMode : 'Full'),
    overrides.BackupMode !== undefined ? '-BackupMode' : `${file}: BackupConfiguration.DefaultBackupMode`,
  );
  applyOverrides(data, overrides, mode);

  const validate = validator();
  const ok = validate(data);
  let errors: string[] = ok ? [] : (validate.errors ?? []).map(describeAjvError);
  errors = [...new Set(errors)];
  errors.push(...semanticErrors(data));
  if (errors.length > 0) {
    throw new ValidationError(
      `Configuration file '${file}' is invalid (${errors.length} error${errors.length === 1 ? '' : 's'}):\n` + errors.map((e) => `  - ${e}`).join('\n'),
      'CONFIG_INVALID',
      { details: errors.map((e) => `${file}: ${e}`) },
    );
  }
  const cfg = data as BackupConfigFile;
  const bc = cfg.BackupConfiguration;
  return {
    configPath: file,
    file: cfg,
    BackupMode: mode,
    TempDirectory: bc.TempDirectory,
    LocalBackupPath: bc.LocalBackupPath,
    NetworkBackupPaths: bc.NetworkBackupPaths,
    LogDirectory: bc.LogDirectory,
    RetentionDays: bc.RetentionDays,
    MaxServiceWait: cfg.ServiceConfiguration.MaxServiceWaitSeconds,
    MaxWorkflowWait: cfg.ServiceConfiguration.MaxWorkflowWaitSeconds,
    ForceStopWorkflows: cfg.ServiceConfiguration.ForceStopWorkflows,
    StopServiceForExternalDB: cfg.ServiceConfiguration.StopServiceForExternalDB,
    MongoType: cfg.MongoDBConfiguration.Type,
    IncludeKeys: cfg.FilesConfiguration.BackupKeys,
    IncludeConfigFile: cfg.FilesConfiguration.BackupConfigFile,
    IncludeMongoPasswords: cfg.FilesConfiguration.BackupMongoPasswords,
    IncludeMetadata: cfg.FilesConfiguration.IncludeMetadata,
    VerifyArchive: cfg.ValidationConfiguration.VerifyArchiveIntegrity,
    CalculateChecksums: cfg.ValidationConfiguration.CalculateChecksums,
    MinimumSizeMB: cfg.ValidationConfiguration.MinimumBackupSizeMB[mode],
    EncryptSecretsTo: cfg.SecurityConfiguration.EncryptSecretsTo,
    RequireEncryptedSecrets: cfg.SecurityConfiguration.RequireEncryptedSecrets,
    certificateStore: certificateStoreFrom(overrides.EncryptionCertificates),
    secrets: { ...secrets },
  };
}
