import type { HostInfo, HostPaths } from './host-layout';
import { SeededRandom } from './seeded-random';
import { encryptServerSecret } from './server-secret';

/**
 * RuntimeSettings.xml as Alteryx writes it: root <SystemSettings>, only the
 * values that differ from the defaults, CRLF line endings and a UTF-8 BOM.
 */

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A DPAPI blob as base64: it always starts with the DPAPI header bytes. */
export function dpapiBlob(rng: SeededRandom, bytes: number): string {
  const header = Buffer.from('01000000d08c9ddf0115d1118c7a00c04fc297eb01000000', 'hex');
  return Buffer.concat([header, rng.bytes(bytes)]).toString('base64');
}

/**
 * `minimal`: leave out elements whose value is Alteryx's default (embedded
 * MongoDB is the default), as a file that was never edited for them looks.
 */
export function runtimeSettingsXml(info: HostInfo, paths: HostPaths, controllerHostname: string, minimal = false): string {
  const rng = new SeededRandom(info.seed, `runtime-settings:${info.hostname}`);
  const lines: string[] = [];
  const el = (indent: number, name: string, value: string) => lines.push(`${'  '.repeat(indent)}<${name}>${esc(value)}</${name}>`);
  lines.push('<?xml version="1.0" encoding="UTF-8"?>');
  lines.push(`<!-- Written by Alteryx System Settings on ${info.hostname}. Only values that differ from the defaults are stored here. -->`);
  lines.push('<SystemSettings>');

  lines.push('  <Controller>');
  if (info.role === 'Controller') {
    if (info.variant === 'self-managed' && info.selfManaged) {
      const sm = info.selfManaged;
      el(2, 'EmbeddedMongoDBEnabled', 'False');
      el(2, 'MongoDBEnabled', 'True');
      el(2, 'MongoDBServerName', `${sm.host}:${sm.port}`);
      // minimal: the database names are Alteryx's defaults, so the file leaves them out.
      if (!minimal) el(2, 'MongoDBDatabaseName', 'AlteryxService');
      el(2, 'MongoDBUserName', sm.username);
      el(2, 'MongoDBPasswordEncrypted', dpapiBlob(rng, 96));
    } else {
      if (!minimal) el(2, 'EmbeddedMongoDBEnabled', 'True');
      el(2, 'EmbeddedMongoDBRootPath', paths.mongoDataDir);
    }
    // The random draw is kept so every later value stays what the seed gave before the token was bound to the host.
    dpapiBlob(rng, 120);
    el(2, 'ServerSecretEncrypted', encryptServerSecret(paths.root, info.serverSecret));
    el(2, 'StorageKeysEncrypted', dpapiBlob(rng, 180));
    el(2, 'LoggingPath', paths.serviceDir + '/');
    el(2, 'WebInterfaceStagingPath', `${paths.serviceDir}/Staging`);
    el(2, 'SchedulerEnabled', 'True');
  } else {
    el(2, 'ControllerEnabled', 'False');
    dpapiBlob(rng, 120);
    el(2, 'ServerSecretEncrypted', encryptServerSecret(paths.root, info.serverSecret));
    el(2, 'RemoteControllerHostname', controllerHostname);
  }
  lines.push('  </Controller>');
  lines.push('');

  lines.push('  <Engine>');
  el(2, 'NumThreads', String(rng.int(2, 16)));
  el(2, 'SortJoinMemory', String(rng.pick([1024, 2048, 4096, 8192])));
  el(2, 'TempFilePath', `${paths.root}/Temp/Alteryx`);
  el(2, 'LogFilePath', `${paths.programData}/Engine/Logs`);
  el(2, 'PackageStagingPath', `${paths.programData}/Gallery/Staging`);
  lines.push('  </Engine>');
  lines.push('');

  lines.push('  <Environment>');
  el(2, 'WorkingPath', paths.programData);
  el(2, 'SetupType', info.role === 'Worker' ? 'Worker' : 'Server');
  lines.push('  </Environment>');
  lines.push('');

  lines.push('  <Gallery>');
  if (info.role === 'Worker') {
    el(2, 'GalleryEnabled', 'False');
  } else {
    el(2, 'BaseAddress', `http://${info.hostname.toLowerCase()}/gallery/`);
    el(2, 'WorkingPath', `${paths.programData}/Gallery`);
    el(2, 'LoggingPath', `${paths.programData}/Gallery/Logs`);
    if (info.variant === 'self-managed' && info.selfManaged) {
      const sm = info.selfManaged;
      el(2, 'MongoDBWebOverride', 'True');
      el(2, 'MongoDBWebConnection', `mongodb://${sm.username}@${sm.host}:${sm.port}/${minimal ? '' : 'AlteryxGallery'}?authSource=${sm.authDatabase}`);
    }
  }
  lines.push('  </Gallery>');

  if (info.role === 'Worker') {
    lines.push('');
    lines.push('  <Worker>');
    el(2, 'NumThreadsWorkflow', String(rng.int(1, 4)));
    el(2, 'JobTags', info.hostname.toLowerCase());
    lines.push('  </Worker>');
  }
  lines.push('</SystemSettings>');
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}
