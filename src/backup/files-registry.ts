import * as path from 'node:path';
import type { CriticalFileDefinition } from '../core/file-matrix';
import { ValidationError } from '../core/errors';

/**
 * Backup-CriticalFiles -FilesRegistry (data model §4.1): sections of entries
 * `@{ SourcePath; DestinationPath; Required; Type; Condition; Description }`.
 * `ControllerSettings` and `MongoDB` belong to Export-ControllerSettings and
 * Invoke-MongoDBBackup and are skipped here; every other section (the model
 * names `AllModes`) is copied.
 */
export const REGISTRY_SECTIONS_OF_OTHER_FUNCTIONS = ['ControllerSettings', 'MongoDB'] as const;

function bad(where: string, what: string): ValidationError {
  return new ValidationError(`-FilesRegistry.${where}: ${what}`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
}

function field(entry: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : entry[key];
}

export interface RegistryDefinitions {
  definitions: CriticalFileDefinition[];
  /** Sections left to the other contract functions. */
  skippedSections: string[];
}

export function definitionsFromRegistry(registry: unknown): RegistryDefinitions {
  if (registry === null || typeof registry !== 'object' || Array.isArray(registry)) throw bad('(root)', 'must be a hashtable of sections (e.g. AllModes = @(...)).');
  const definitions: CriticalFileDefinition[] = [];
  const skippedSections: string[] = [];
  for (const [section, value] of Object.entries(registry as Record<string, unknown>)) {
    if ((REGISTRY_SECTIONS_OF_OTHER_FUNCTIONS as readonly string[]).some((s) => s.toLowerCase() === section.toLowerCase())) {
      skippedSections.push(section);
      continue;
    }
    const list = Array.isArray(value) ? value : [value];
    list.forEach((raw, i) => {
      const where = `${section}[${i}]`;
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(where, 'must be a hashtable with SourcePath and DestinationPath.');
      const e = raw as Record<string, unknown>;
      const source = field(e, 'SourcePath');
      const dest = field(e, 'DestinationPath');
      if (typeof source !== 'string' || source.trim() === '') throw bad(where, 'SourcePath is required.');
      if (typeof dest !== 'string' || dest.trim() === '') throw bad(where, 'DestinationPath is required.');
      const rel = dest.replace(/\\/g, '/').replace(/^\/+/, '');
      if (path.isAbsolute(dest) || /^[A-Za-z]:/.test(dest) || rel.split('/').includes('..')) {
        throw bad(where, `DestinationPath '${dest}' must be relative to the staging folder, without '..'.`);
      }
      const typeRaw = field(e, 'Type');
      const isDir = typeof typeRaw === 'string' ? typeRaw.toLowerCase() === 'directory' : /[\\/]$/.test(source) || rel.endsWith('/');
      if (typeRaw !== undefined && typeRaw !== null && !(typeof typeRaw === 'string' && ['file', 'directory'].includes(typeRaw.toLowerCase()))) {
        throw bad(where, `Type must be File or Directory, got '${String(typeRaw)}'.`);
      }
      const required = field(e, 'Required');
      if (required !== undefined && required !== null && typeof required !== 'boolean') throw bad(where, 'Required must be $true or $false.');
      const condition = field(e, 'Condition');
      if (condition !== undefined && condition !== null && condition !== 'CheckIfModified') throw bad(where, `Condition '${String(condition)}' is not supported (only CheckIfModified).`);
      const description = field(e, 'Description');
      definitions.push({
        sourcePath: source.replace(/[\\/]+$/, '') || source,
        archivePath: isDir ? rel.replace(/\/?$/, '/') : rel.replace(/\/+$/, ''),
        type: isDir ? 'Directory' : 'File',
        required: required === true,
        warnIfMissing: false,
        ...(condition === 'CheckIfModified' ? { condition: 'CheckIfModified' as const } : {}),
        description: typeof description === 'string' && description !== '' ? description : path.basename(source.replace(/[\\/]+$/, '')),
      });
    });
  }
  return { definitions, skippedSections };
}
