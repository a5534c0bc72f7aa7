import type { CommandHandler } from './command-context';

/**
 * Which module holds each command, so that `node main.js <Command>` loads
 * only what that command needs (issue 14, start-up). The light service
 * commands (Test-AlteryxServiceState above all, which admins and monitoring
 * call often) load the service layer alone, Test-BackupIntegrity the archive
 * reader alone; everything else loads
 * commands.ts with the archive, MongoDB, distribution and restore code.
 *
 * COMMAND_NAMES must list exactly the keys of commands.ts's COMMANDS
 * (test/unit/cli/command-registry.test.ts checks it).
 */
const SERVICE_COMMAND_NAMES = ['Test-AlteryxServiceState', 'Stop-AlteryxServiceSafely', 'Start-AlteryxServiceSafely', 'Repair-AlteryxBackupState'] as const;

export const COMMAND_NAMES: readonly string[] = [
  'Invoke-AlteryxBackup',
  'Initialize-BackupEnvironment',
  'Backup-CriticalFiles',
  'Export-ControllerSettings',
  'New-BackupManifest',
  'Compress-BackupArchive',
  'Test-BackupIntegrity',
  'Invoke-MongoDBBackup',
  'Copy-BackupToDestinations',
  'Remove-OldBackups',
  'Write-BackupSummary',
  'Restore-AlteryxBackup',
  'Get-AlteryxBackup',
  ...SERVICE_COMMAND_NAMES,
];

/** The handler for `name`, loading only its module; undefined for an unknown name. */
export function loadCommand(name: string): CommandHandler | undefined {
  if (!COMMAND_NAMES.includes(name)) return undefined;
  if ((SERVICE_COMMAND_NAMES as readonly string[]).includes(name)) {
    return (require('./commands/service-commands') as typeof import('./commands/service-commands')).SERVICE_COMMANDS[name];
  }
  if (name === 'Test-BackupIntegrity') {
    return (require('./commands/test-backup-integrity') as typeof import('./commands/test-backup-integrity')).INTEGRITY_COMMANDS[name];
  }
  return (require('./commands') as typeof import('./commands')).COMMANDS[name];
}
