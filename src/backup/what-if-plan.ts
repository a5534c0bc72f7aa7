import * as fs from 'node:fs';
import * as path from 'node:path';
import { archiveFileName, formatStamp, modeIncludesDatabase, modeIncludesFiles } from '../core/backup-mode';
import { criticalFiles } from '../core/file-matrix';
import type { PhaseName, PhasePlan } from '../core/phase-plan';
import type { ResolvedConfig } from '../config/config-types';
import { cloudJobs } from '../distribution/copy-to-destinations';
import { DUMP_FOLDER, embeddedRootPath, type MongoDetection } from '../mongo';
import { folderSizeBytes } from '../mongo/disk-space';
import { removeOldBackups, retentionLocations } from '../retention/remove-old-backups';
import { buildTopology } from '../service/topology';

/**
 * One side effect of a backup run, as Invoke-AlteryxBackup -WhatIf shows it:
 * the bridge passes each step to $PSCmdlet.ShouldProcess(Target, Action), so
 * -WhatIf prints one "What if:" line per step, in run order.
 */
export interface WhatIfStep {
  Order: number;
  Phase: PhaseName;
  Action: string;
  Target: string;
  /** -Confirm asks before this step (the service stops, as dbatools asks before stopping a service). */
  Confirm: boolean;
}

export interface WhatIfRemoval {
  Location: string;
  Name: string;
  Reason: string;
}

/** What -WhatIf adds to the plan, computed without changing anything on the host. */
export interface WhatIfDetails {
  Host: string;
  StopsService: boolean;
  StopOrder: string[];
  StartOrder: string[];
  MongoDB: { Type: 'embedded' | 'self-managed'; TargetFolder: string; ExpectedSizeMB: number | null; SizeSource: string } | null;
  Files: string[];
  ArchiveName: string;
  ArchivePath: string;
  Destinations: string[];
  Removals: WhatIfRemoval[];
  Steps: WhatIfStep[];
}

export interface WhatIfInput {
  config: ResolvedConfig;
  plan: PhasePlan;
  mongoType: 'embedded' | 'self-managed';
  /** From RuntimeSettings.xml when it could be read: where the embedded data lives. */
  detection?: MongoDetection;
  localHostname: string;
  now?: Date;
}

const MB = 1024 * 1024;

async function exists(p: string): Promise<fs.Stats | undefined> {
  return fs.promises.stat(p).catch(() => undefined);
}

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const e of await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isFile()) n++;
    else if (e.isDirectory()) n += await countFiles(path.join(dir, e.name));
  }
  return n;
}

/**
 * Reads (never writes) the host to list every side effect the run would have:
 * service stops per node in stop order, the dump, the files, the archive, the
 * copies, the service starts and the old backups retention would remove now.
 */
export async function describeWhatIf(input: WhatIfInput): Promise<WhatIfDetails> {
  const { config, plan, mongoType } = input;
  const now = input.now ?? new Date();
  const alteryx = config.file.AlteryxConfiguration;
  const service = alteryx.ServiceName;
  const steps: WhatIfStep[] = [];
  const add = (Phase: PhaseName, Action: string, Target: string, Confirm = false) => steps.push({ Order: steps.length + 1, Phase, Action, Target, Confirm });

  const topology = buildTopology(alteryx.Nodes, input.localHostname);
  const roleOf = new Map(topology.nodes.map((n) => [n.hostname, n.role]));
  const nodeLabel = (name: string) => (topology.isMultiNode ? `${name} (${roleOf.get(name) ?? 'node'})` : name);
  const stopOrder = plan.stopsService ? (plan.stopOrder.length > 0 ? plan.stopOrder : [input.localHostname]) : [];
  const startOrder = plan.stopsService ? (plan.startOrder.length > 0 ? plan.startOrder : [input.localHostname]) : [];

  for (const name of stopOrder) add('StopService', `Stop ${service}`, nodeLabel(name), true);

  // The staging folder is named from the start time and the PID of the run.
  const staging = path.join(config.TempDirectory, `AlteryxBackup_${formatStamp(now)}_<pid>`);
  let mongo: WhatIfDetails['MongoDB'] = null;
  if (modeIncludesDatabase(config.BackupMode)) {
    const target = path.join(staging, DUMP_FOLDER);
    let size: number | undefined;
    let source: string;
    if (mongoType === 'embedded') {
      const root = input.detection ? embeddedRootPath(config, input.detection) : path.join(alteryx.ProgramDataPath, 'Service', 'Persistence', 'MongoDB');
      size = await folderSizeBytes(root);
      source = size === undefined ? `unknown: ${root} not found` : `size of ${root}`;
    } else {
      source = 'unknown: -WhatIf does not connect to MongoDB';
    }
    mongo = { Type: mongoType, TargetFolder: target, ExpectedSizeMB: size === undefined ? null : Math.round((size / MB) * 100) / 100, SizeSource: source };
    // The Action stays short (it is a table column); where the estimate comes from is in MongoDB.SizeSource.
    add('BackupMongoDB', `Dump ${mongoType} MongoDB, ${mongo.ExpectedSizeMB === null ? 'size unknown' : `about ${mongo.ExpectedSizeMB} MB`}`, target);
  }

  for (const name of startOrder) add('StartService', `Start ${service}`, nodeLabel(name));

  const files: string[] = [];
  if (modeIncludesFiles(config.BackupMode)) {
    const defs = criticalFiles(config.BackupMode, {
      programDataPath: alteryx.ProgramDataPath,
      installPath: alteryx.InstallPath,
      includeKeys: config.IncludeKeys,
      includeConfigFile: config.IncludeConfigFile,
      includeConnectorTools: config.file.FilesConfiguration.BackupConnectorTools !== false,
    });
    for (const def of defs) {
      const stat = await exists(def.sourcePath);
      if (!stat) {
        if (def.required) add('BackupFiles', 'Copy file: MISSING, the run would stop', def.sourcePath);
        continue;
      }
      files.push(def.sourcePath);
      if (stat.isDirectory()) add('BackupFiles', `Copy folder (${await countFiles(def.sourcePath)} files)`, def.sourcePath);
      else add('BackupFiles', def.condition === 'CheckIfModified' ? 'Copy file (if modified since install)' : 'Copy file', def.sourcePath);
    }
    add('BackupFiles', 'Export the controller token', path.join(staging, 'Config', 'ControllerToken.txt'));
    if (config.IncludeMongoPasswords) add('BackupFiles', 'Export the MongoDB passwords', path.join(staging, 'Config', 'MongoPasswords.txt'));
  }

  const archiveName = archiveFileName(config.BackupMode, now);
  const archivePath = path.join(config.LocalBackupPath, archiveName);
  add('Archive', 'Write the archive and its .sha256', archivePath);

  const destinations = [...config.NetworkBackupPaths, ...cloudJobs(config.file.CloudConfiguration, {}).map((j) => j.label)];
  for (const d of destinations) add('Distribute', 'Copy the archive and its .sha256', d);

  add('Cleanup', 'Remove the staging folder', staging);
  // Retention as it stands now (read-only listing); the run decides again after adding its own archive.
  const removals: WhatIfRemoval[] = [];
  const folders = [config.LocalBackupPath, ...config.NetworkBackupPaths];
  const locations = retentionLocations({ localBackupPath: config.LocalBackupPath, networkBackupPaths: config.NetworkBackupPaths, cloud: config.file.CloudConfiguration, secrets: config.secrets });
  const retention = await removeOldBackups({
    // A folder that does not exist yet holds nothing to remove.
    locations: locations.filter((_, i) => i >= folders.length || fs.existsSync(folders[i])),
    retentionDays: config.RetentionDays,
    now,
    whatIf: true,
    secrets: config.secrets,
  }).catch(() => undefined);
  for (const d of retention?.Decisions ?? []) {
    if (d.action !== 'remove') continue;
    removals.push({ Location: d.Location, Name: d.name, Reason: d.reason });
    // The target names the backup: <folder><sep><name> (a cloud location's label gets '/').
    const sep = fs.existsSync(d.Location) ? path.sep : '/';
    add('Cleanup', 'Remove old backup', d.Location.endsWith(sep) ? d.Location + d.name : d.Location + sep + d.name);
  }

  const mail = config.file.NotificationConfiguration;
  if (mail?.Enabled) add('Complete', mail.OnlyOnFailure ? 'Send the summary e-mail if the run fails' : 'Send the summary e-mail', mail.ToAddresses.join(', '));

  return {
    Host: input.localHostname,
    StopsService: plan.stopsService,
    StopOrder: stopOrder,
    StartOrder: startOrder,
    MongoDB: mongo,
    Files: files,
    ArchiveName: archiveName,
    ArchivePath: archivePath,
    Destinations: destinations,
    Removals: removals,
    Steps: steps,
  };
}
