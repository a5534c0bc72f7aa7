import type { BackupError } from '../core/errors';
import type { Redactor } from '../core/redact';
import { loadConfig, type ConfigOverrides } from '../config/load-config';
import type { ResolvedConfig } from '../config/config-types';
import type { BackupLogger } from '../logging/logger';
import { createPlatform } from '../platform/create-platform';
import type { Platform } from '../platform/platform';
import type { ProtocolSink } from './protocol';
import { Params, type CliRequest } from './request';

/** What every command handler gets. */
export class CommandContext {
  readonly params: Params;
  private platformInstance: Platform | undefined;

  constructor(
    readonly request: CliRequest,
    readonly sink: ProtocolSink,
    readonly redactor: Redactor,
    readonly log: BackupLogger,
    readonly signal: AbortSignal,
  ) {
    this.params = new Params(request.parameters);
    for (const s of Object.values(request.secrets)) redactor.add(s);
  }

  /** The configuration with this request's parameter overrides applied. */
  config(overrides: ConfigOverrides = {}): ResolvedConfig {
    // Thumbprints in SecurityConfiguration.EncryptSecretsTo, resolved by the PowerShell layer from the Windows store.
    const store = this.request.parameters.EncryptionCertificates as ConfigOverrides['EncryptionCertificates'];
    return loadConfig(this.request.configPath, { EncryptionCertificates: store, ...overrides }, this.request.secrets);
  }

  platform(config: ResolvedConfig): Platform {
    this.platformInstance ??= createPlatform(config.file);
    return this.platformInstance;
  }
}

export interface CommandOutcome {
  data: unknown;
  /** A failure that still has data to return (e.g. the summary of a failed backup). */
  error?: BackupError;
}

export type CommandHandler = (ctx: CommandContext) => Promise<CommandOutcome>;
