import { BACKUP_MODES, type BackupMode } from '../core/backup-mode';
import { ValidationError } from '../core/errors';
import type { ConfigOverrides } from '../config/load-config';

/**
 * Initialize-BackupEnvironment -ParameterOverrides (CONTRACTS.md §1): a
 * hashtable keyed by the ConfigurationObject's property names (data model
 * §1.2). This turns it into the loader's overrides; the schema then checks
 * every value, so a bad one fails with its dotted path like a bad file does.
 *
 * The same overrides are sent again with every later call of the session
 * (request.session), so the module's current configuration is the one
 * Initialize returned.
 */

const SIMPLE: Record<string, keyof ConfigOverrides> = {
  BackupMode: 'BackupMode',
  TempDirectory: 'TempDirectory',
  LocalBackupPath: 'LocalBackupPath',
  LogDirectory: 'LogDirectory',
  MaxServiceWait: 'MaxServiceWait',
  StopServiceForExternalDB: 'StopServiceForExternalDB',
  MongoType: 'MongoDBType',
  MongoDBType: 'MongoDBType',
};

/** ConfigurationObject key → setting in the file. */
const SETTINGS: Record<string, string> = {
  MaxWorkflowWait: 'ServiceConfiguration.MaxWorkflowWaitSeconds',
  ForceStopWorkflows: 'ServiceConfiguration.ForceStopWorkflows',
  IncludeKeys: 'FilesConfiguration.BackupKeys',
  IncludeConfigFile: 'FilesConfiguration.BackupConfigFile',
  IncludeMongoPasswords: 'FilesConfiguration.BackupMongoPasswords',
  IncludeMetadata: 'FilesConfiguration.IncludeMetadata',
  VerifyArchive: 'ValidationConfiguration.VerifyArchiveIntegrity',
  CalculateChecksums: 'ValidationConfiguration.CalculateChecksums',
};

const MONGO_CONFIG: Record<string, string> = {
  Host: 'MongoDBConfiguration.SelfManagedMongoDB.Host',
  Port: 'MongoDBConfiguration.SelfManagedMongoDB.Port',
  Database: 'MongoDBConfiguration.SelfManagedMongoDB.Database',
  Username: 'MongoDBConfiguration.SelfManagedMongoDB.Username',
  AuthDatabase: 'MongoDBConfiguration.SelfManagedMongoDB.AuthDatabase',
  ConnectionString: 'MongoDBConfiguration.SelfManagedMongoDB.ConnectionString',
};

export const OVERRIDE_KEYS: readonly string[] = [
  ...Object.keys(SIMPLE),
  'NetworkBackupPaths',
  'NetworkBackupPath',
  'RetentionDays',
  'MinimumSizeMB',
  'MongoConfig',
  ...Object.keys(SETTINGS),
].sort();

function invalid(message: string): ValidationError {
  return new ValidationError(`-ParameterOverrides: ${message}`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Case-insensitive lookup, as PowerShell hashtables are. */
function canonicalKey(key: string, known: readonly string[]): string | undefined {
  return known.find((k) => k.toLowerCase() === key.toLowerCase());
}

/**
 * Returns the loader overrides for `overrides`. Unknown keys are an error
 * that lists the known ones: a misspelt override silently ignored would run
 * a backup the admin did not ask for.
 */
export function overridesFromContract(overrides: unknown, modeHint?: BackupMode): ConfigOverrides {
  if (overrides === undefined || overrides === null) return {};
  if (!isRecord(overrides)) throw invalid('must be a hashtable.');
  const out: ConfigOverrides = {};
  const settings: Record<string, unknown> = {};
  const mode = (() => {
    const m = Object.entries(overrides).find(([k]) => k.toLowerCase() === 'backupmode')?.[1];
    return typeof m === 'string' && (BACKUP_MODES as readonly string[]).includes(m) ? (m as BackupMode) : modeHint;
  })();
  for (const [rawKey, value] of Object.entries(overrides)) {
    if (value === undefined || value === null) continue;
    const key = canonicalKey(rawKey, OVERRIDE_KEYS);
    if (!key) throw invalid(`unknown key '${rawKey}'. Known keys: ${OVERRIDE_KEYS.join(', ')}.`);
    if (key in SIMPLE) {
      (out as Record<string, unknown>)[SIMPLE[key]] = value;
    } else if (key in SETTINGS) {
      settings[SETTINGS[key]] = value;
    } else if (key === 'NetworkBackupPaths' || key === 'NetworkBackupPath') {
      const list = Array.isArray(value) ? value : [value];
      if (!list.every((x) => typeof x === 'string')) throw invalid(`${key} must be a list of paths.`);
      out.NetworkBackupPath = list as string[];
    } else if (key === 'RetentionDays') {
      if (isRecord(value)) {
        for (const [m, days] of Object.entries(value)) {
          const modeKey = canonicalKey(m, BACKUP_MODES);
          if (!modeKey) throw invalid(`RetentionDays has an unknown mode '${m}' (Full, DatabaseOnly, ConfigOnly).`);
          settings[`BackupConfiguration.RetentionDays.${modeKey}`] = days;
        }
      } else {
        out.RetentionDays = value as number;
      }
    } else if (key === 'MinimumSizeMB') {
      if (isRecord(value)) {
        for (const [m, size] of Object.entries(value)) {
          const modeKey = canonicalKey(m, BACKUP_MODES);
          if (!modeKey) throw invalid(`MinimumSizeMB has an unknown mode '${m}' (Full, DatabaseOnly, ConfigOnly).`);
          settings[`ValidationConfiguration.MinimumBackupSizeMB.${modeKey}`] = size;
        }
      } else {
        settings[`ValidationConfiguration.MinimumBackupSizeMB.${mode ?? 'Full'}`] = value;
      }
    } else if (key === 'MongoConfig') {
      if (!isRecord(value)) throw invalid('MongoConfig must be a hashtable (Host, Port, Database, Username, Password).');
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined || v === null) continue;
        const mk = canonicalKey(k, [...Object.keys(MONGO_CONFIG), 'Password']);
        if (!mk) throw invalid(`MongoConfig has an unknown key '${k}'. Known keys: ${Object.keys(MONGO_CONFIG).join(', ')}, Password.`);
        if (mk === 'Password') continue; // arrives as a secret, never in parameters
        settings[MONGO_CONFIG[mk]] = v;
      }
    }
  }
  if (Object.keys(settings).length > 0) out.Settings = settings;
  return out;
}

/** Later overrides win; Settings are merged key by key. */
export function mergeOverrides(base: ConfigOverrides, top: ConfigOverrides): ConfigOverrides {
  const merged: ConfigOverrides = { ...base };
  for (const [k, v] of Object.entries(top)) {
    if (v === undefined || k === 'Settings') continue;
    (merged as Record<string, unknown>)[k] = v;
  }
  if (base.Settings || top.Settings) merged.Settings = { ...(base.Settings ?? {}), ...(top.Settings ?? {}) };
  return merged;
}
