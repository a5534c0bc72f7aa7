import type { BackupError } from '../core/errors';
import type { Redactor } from '../core/redact';
import { loadConfig, type ConfigOverrides } from '../config/load-config';
import type { ResolvedConfig } from '../config/config-types';
import type { BackupLogger } from '../logging/logger';
import { createPlatform } from '../platform/create-platform';
import type { Platform } from '../platform/platform';
import type { ProtocolSink } from './protocol';
import { Params, type CliRequest } from './request';
import { mergeOverrides, overridesFromContract } from './contract-overrides';

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
    // A contract script's calls share the session's log; Invoke-AlteryxBackup starts its own.
    const sessionLog = request.session?.LogFilePath;
    if (sessionLog && request.command !== 'Invoke-AlteryxBackup' && request.command !== 'Initialize-BackupEnvironment') {
      try {
        log.appendTo(sessionLog);
      } catch (err) {
        log.warn(`Cannot append to the session log ${sessionLog}: ${(err as Error).message}`);
      }
    }
  }

  /**
   * The configuration with this request's parameter overrides applied, over
   * the session's (Initialize-BackupEnvironment's -ParameterOverrides and mode).
   */
  config(overrides: ConfigOverrides = {}): ResolvedConfig {
    // Thumbprints in SecurityConfiguration.EncryptSecretsTo, resolved by the PowerShell layer from the Windows store.
    const store = this.request.parameters.EncryptionCertificates as ConfigOverrides['EncryptionCertificates'];
    return loadConfig(this.request.configPath, { EncryptionCertificates: store, ...mergeOverrides(this.sessionOverrides(), overrides) }, this.request.secrets);
  }

  /** What the module's current configuration adds (empty without a session). */
  sessionOverrides(): ConfigOverrides {
    const s = this.request.session;
    if (!s) return {};
    const base = overridesFromContract(s.ParameterOverrides);
    return s.BackupMode ? mergeOverrides(base, { BackupMode: s.BackupMode }) : base;
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
