import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseBackupMode, type BackupMode } from '../../core/backup-mode';
import { ValidationError } from '../../core/errors';
import { manifestFromStaging } from '../../backup/staging-manifest';
import type { CommandContext, CommandOutcome } from '../command-context';
import { get } from './shared';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}


function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Which contract function produced a result: by name first, then by the properties only it has. */
export interface ClassifiedResults {
  mongo?: Obj;
  files?: Obj;
  controller?: Obj;
  stop?: Obj;
  start?: Obj;
  stagingPath?: string;
}

export function classifyResults(results: unknown): ClassifiedResults {
  const out: ClassifiedResults = {};
  if (!isObj(results)) return out;
  for (const [key, value] of Object.entries(results)) {
    const k = key.toLowerCase();
    if ((k === 'stagingpath' || k === 'sourcepath' || k === 'tempdirectory') && typeof value === 'string') {
      out.stagingPath = value;
      continue;
    }
    if (!isObj(value)) continue;
    if (/mongo|database/.test(k) || get(value, 'CollectionCount') !== undefined) out.mongo ??= value;
    else if (/controller/.test(k) || get(value, 'ExportedFiles') !== undefined) out.controller ??= value;
    else if (/file/.test(k) || get(value, 'BackedUpFiles') !== undefined) out.files ??= value;
    else if (get(value, 'TargetState') === 'Stopped' || /stop/.test(k)) out.stop ??= value;
    else if (get(value, 'TargetState') === 'Running' || /start/.test(k)) out.start ??= value;
  }
  return out;
}

function dateParam(ctx: CommandContext, name: string): Date {
  const raw = ctx.params.requiredString(name);
  const d = new Date(raw);
  if (Number.isNaN(d.getTime())) throw new ValidationError(`-${name}: '${raw}' is not a date.`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
  return d;
}

/**
 * New-BackupManifest -BackupConfig -BackupResults -StartTime -EndTime
 * (CONTRACTS.md §8). The staging folder is the one the results name
 * (StagingPath, the files' TempDirectory, or the dump's parent); its files
 * are hashed into the manifest. Best effort: a missing fact is a warning.
 */
export async function manifestFromContract(ctx: CommandContext): Promise<CommandOutcome> {
  const backupConfig = ctx.params.raw('BackupConfig');
  if (!isObj(backupConfig)) throw new ValidationError('-BackupConfig: must be the hashtable Initialize-BackupEnvironment returned.', 'PARAMETER_INVALID', { category: 'InvalidArgument' });
  const results = ctx.params.raw('BackupResults');
  if (!isObj(results)) throw new ValidationError('-BackupResults: must be a hashtable of the other functions\' results.', 'PARAMETER_INVALID', { category: 'InvalidArgument' });
  const startedAt = dateParam(ctx, 'StartTime');
  const completedAt = dateParam(ctx, 'EndTime');
  if (completedAt.getTime() < startedAt.getTime()) throw new ValidationError('-EndTime is before -StartTime.', 'PARAMETER_INVALID', { category: 'InvalidArgument' });
  const mode: BackupMode | undefined = get(backupConfig, 'BackupMode') !== undefined ? parseBackupMode(get(backupConfig, 'BackupMode'), '-BackupConfig.BackupMode') : undefined;
  const config = ctx.config({ BackupMode: mode });
  const warnings: string[] = [];
  const r = classifyResults(results);
  const staging =
    r.stagingPath ??
    str(get(r.files, 'TempDirectory')) ??
    str(get(r.files, 'StagingPath')) ??
    str(get(r.controller, 'TempDirectory')) ??
    (str(get(r.mongo, 'BackupPath')) ? path.dirname(str(get(r.mongo, 'BackupPath')) as string) : undefined);
  let stagingDir: string | undefined = staging && fs.existsSync(staging) ? staging : undefined;
  if (!stagingDir) {
    const w = staging
      ? `The staging folder '${staging}' named by -BackupResults does not exist; the manifest lists no files.`
      : '-BackupResults names no staging folder (StagingPath, or the results of Backup-CriticalFiles, Export-ControllerSettings or Invoke-MongoDBBackup); the manifest lists no files.';
    warnings.push(w);
    ctx.log.warn(w);
  }
  let service: Obj | null = null;
  if (r.stop || r.start) {
    const stoppedAt = str(get(r.stop, 'StateChangeTimestamp'));
    const startedAgainAt = str(get(r.start, 'StateChangeTimestamp'));
    service = {
      ServiceName: get(r.stop ?? r.start, 'ServiceName') ?? config.file.AlteryxConfiguration.ServiceName,
      InitialState: get(r.stop, 'InitialState') ?? null,
      StoppedAt: stoppedAt ?? null,
      StartedAt: startedAgainAt ?? null,
      DowntimeSeconds: stoppedAt && startedAgainAt ? Math.round((Date.parse(startedAgainAt) - Date.parse(stoppedAt)) / 100) / 10 : null,
    };
  }
  const controllerVersion = str(get(r.controller, 'AlteryxServerVersion'));
  // An empty folder stands in when there is nothing to hash, so the facts are still recorded.
  let emptyDir: string | undefined;
  if (!stagingDir) {
    emptyDir = await fs.promises.mkdtemp(path.join(config.TempDirectory, 'ManifestOnly_'));
    stagingDir = emptyDir;
  }
  try {
    const manifest = await manifestFromStaging({
      config,
      platform: ctx.platform(config),
      stagingDir,
      redactor: ctx.redactor,
      log: ctx.log,
      startedAt,
      completedAt,
      serverVersion: controllerVersion,
      service,
      warnings,
    });
    return { data: manifest };
  } finally {
    if (emptyDir) await fs.promises.rm(emptyDir, { recursive: true, force: true });
  }
}
