import { ValidationError } from '../core/errors';
import type { Secrets } from '../config/config-types';

/** The one JSON document the bridge writes to stdin (docs/bridge-protocol.md). */
export interface CliRequest {
  command: string;
  configPath: string;
  parameters: Record<string, unknown>;
  secrets: Secrets;
  whatIf: boolean;
  /**
   * The module's current configuration (set by Initialize-BackupEnvironment):
   * its ParameterOverrides and mode apply under this call's own parameters,
   * and LogFilePath is the log a contract command appends to.
   */
  session?: SessionState;
}

export interface SessionState {
  BackupMode?: string;
  ParameterOverrides?: Record<string, unknown>;
  LogFilePath?: string;
}

const SECRET_KEYS = ['MongoPassword', 'SmtpPassword', 'AzureStorageKey', 'AzureSasToken', 'S3SecretAccessKey', 'DecryptionKey', 'ArchiveControllerToken'] as const;

export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

export function parseRequest(text: string, commandFromArgv: string): CliRequest {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  let raw: unknown = {};
  if (trimmed.length > 0) {
    try {
      raw = JSON.parse(trimmed);
    } catch (err) {
      // Never echo the text: it may hold secrets.
      throw new ValidationError(`The request on stdin is not valid JSON (${(err as Error).message.replace(/".*"/, '…')}).`, 'REQUEST_INVALID');
    }
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ValidationError('The request on stdin must be a JSON object.', 'REQUEST_INVALID');
  const r = raw as Record<string, unknown>;
  const parameters = r.parameters ?? {};
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) throw new ValidationError('request.parameters must be an object.', 'REQUEST_INVALID');
  const secretsIn = (r.secrets ?? {}) as Record<string, unknown>;
  const secrets: Secrets = {};
  for (const k of SECRET_KEYS) {
    const v = secretsIn[k];
    if (typeof v === 'string' && v.length > 0) secrets[k] = v;
  }
  const unknownSecrets = Object.keys(secretsIn).filter((k) => !(SECRET_KEYS as readonly string[]).includes(k));
  if (unknownSecrets.length > 0) throw new ValidationError(`request.secrets has unknown keys: ${unknownSecrets.join(', ')}.`, 'REQUEST_INVALID');
  if (typeof r.command === 'string' && r.command !== commandFromArgv) {
    throw new ValidationError(`The command on the command line (${commandFromArgv}) differs from request.command (${r.command}).`, 'REQUEST_INVALID');
  }
  let session: SessionState | undefined;
  if (r.session !== undefined && r.session !== null) {
    const sIn = r.session as Record<string, unknown>;
    if (typeof sIn !== 'object' || Array.isArray(sIn)) throw new ValidationError('request.session must be an object.', 'REQUEST_INVALID');
    const po = sIn.ParameterOverrides;
    if (po !== undefined && po !== null && (typeof po !== 'object' || Array.isArray(po))) throw new ValidationError('request.session.ParameterOverrides must be an object.', 'REQUEST_INVALID');
    session = {
      BackupMode: typeof sIn.BackupMode === 'string' ? sIn.BackupMode : undefined,
      ParameterOverrides: (po ?? undefined) as Record<string, unknown> | undefined,
      LogFilePath: typeof sIn.LogFilePath === 'string' && sIn.LogFilePath !== '' ? sIn.LogFilePath : undefined,
    };
  }
  return {
    command: commandFromArgv,
    configPath: typeof r.configPath === 'string' ? r.configPath : '',
    parameters: parameters as Record<string, unknown>,
    secrets,
    whatIf: r.whatIf === true,
    ...(session ? { session } : {}),
  };
}

/** Typed access to request.parameters with errors that name the parameter. */
export class Params {
  constructor(private readonly p: Record<string, unknown>) {}

  /** The raw value (objects from PowerShell hashtables, e.g. -MultiNodeInfo). */
  raw(name: string): unknown {
    return this.p[name];
  }
  has(name: string): boolean {
    return this.p[name] !== undefined && this.p[name] !== null;
  }
  string(name: string): string | undefined {
    const v = this.p[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new ValidationError(`-${name}: must be a string.`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
    return v;
  }
  requiredString(name: string): string {
    const v = this.string(name);
    if (v === undefined || v.trim() === '') throw new ValidationError(`-${name}: is required.`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
    return v;
  }
  number(name: string): number | undefined {
    const v = this.p[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(`-${name}: must be a number.`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
    return v;
  }
  bool(name: string): boolean | undefined {
    const v = this.p[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw new ValidationError(`-${name}: must be a boolean.`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
    return v;
  }
  strings(name: string): string[] | undefined {
    const v = this.p[name];
    if (v === undefined || v === null) return undefined;
    const arr = Array.isArray(v) ? v : [v];
    if (!arr.every((x) => typeof x === 'string')) throw new ValidationError(`-${name}: must be a list of strings.`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
    return arr as string[];
  }
}
