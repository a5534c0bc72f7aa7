import { promises as fs } from 'node:fs';
import { ValidationError } from '../core/errors';
import { decodeXmlBytes, elementAtPath, parseXml, XmlSyntaxError, type XmlElement } from './xml-lite';

/**
 * MongoDB detection from RuntimeSettings.xml. Alteryx writes only the
 * settings that differ from its defaults, so a missing element means the
 * default, and the default is the embedded MongoDB.
 */

export const EMBEDDED_MONGO_PORT = 27018;
export const EMBEDDED_MONGO_USER = 'user';
export const EMBEDDED_DATABASES = ['AlteryxService', 'AlteryxGallery', 'AlteryxGallery_Lucene'] as const;
/** Relative to %ProgramData%\Alteryx; Alteryx's default when EmbeddedMongoDBRootPath is absent. */
export const DEFAULT_EMBEDDED_ROOT_RELATIVE = ['Service', 'Persistence', 'MongoDB'] as const;

export type MongoDeploymentType = 'embedded' | 'self-managed';

/**
 * Where Alteryx Server keeps its data. From 2024.1 it can be Microsoft SQL
 * Server instead of MongoDB ("Servers using the user-managed SQL DB", two
 * databases AlteryxGallery and AlteryxService:
 * https://help.alteryx.com/20241/en/server/configure/database-management/sql-db-management/sql-db-schema-reference.html).
 * The manifest records this value as `PersistenceType`.
 */
export type PersistenceType = 'EmbeddedMongoDB' | 'SelfManagedMongoDB' | 'SQLServer';

/** The default database names of a self-managed MongoDB (the same three the embedded one holds). */
export const DEFAULT_SELF_MANAGED_DATABASES = ['AlteryxService', 'AlteryxGallery', 'AlteryxGallery_Lucene'] as const;

export interface SelfManagedSettings {
  /** `MongoDBServerName`, e.g. `mongo01:27017` or `a:27017,b:27017`. */
  serverName?: string;
  /** `Gallery/MongoDBWebConnection`, only when `MongoDBWebOverride` is true, with any password removed. */
  connectionString?: string;
  /**
   * A password that was inside that connection string. Non-enumerable, so
   * JSON, logs and util.inspect of a detection never show it.
   */
  readonly connectionPassword?: string;
  /** Databases the settings name: `Controller/MongoDBDatabaseName` and the web connection's database. */
  databases: string[];
  /** `Controller/MongoDBDatabaseName`, the service-layer database, when the file names it. */
  serviceDatabase?: string;
  /** The database in `Gallery/MongoDBWebConnection`, when the file names it. */
  galleryDatabase?: string;
  /** A replica set is named (`replicaSet=` in the web connection) or several hosts are listed. */
  replicaSetHint?: boolean;
}

export interface MongoDetection {
  type: MongoDeploymentType;
  /**
   * SQLServer means there is no MongoDB to dump at all; `type` is then
   * meaningless. Absent on detections built by older code: see persistenceOf.
   */
  persistenceType?: PersistenceType;
  /** SQL Server persistence only: the element that revealed it (for the error message), never its value. */
  sqlServerEvidence?: string;
  /** Where the answer came from: the settings file path, or `configuration`. */
  source: string;
  /** Explicit `EmbeddedMongoDBRootPath`; undefined means Alteryx's default location. */
  embeddedRootPath?: string;
  /** 27018 for embedded; for self-managed the port of the first host when known. */
  port?: number;
  user?: string;
  databases: string[];
  selfManaged?: SelfManagedSettings;
  /** Odd but survivable findings, already free of secrets. */
  warnings: string[];
}

const P = {
  embeddedEnabled: ['Controller', 'EmbeddedMongoDBEnabled'],
  embeddedRoot: ['Controller', 'EmbeddedMongoDBRootPath'],
  mongoEnabled: ['Controller', 'MongoDBEnabled'],
  serverName: ['Controller', 'MongoDBServerName'],
  databaseName: ['Controller', 'MongoDBDatabaseName'],
  webConnection: ['Gallery', 'MongoDBWebConnection'],
  webOverride: ['Gallery', 'MongoDBWebOverride'],
} as const;

/** Parses the file text; `source` names the file in errors. Pure: no I/O. */
export function detectFromRuntimeSettingsText(xml: string, source: string): MongoDetection {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (err) {
    if (err instanceof XmlSyntaxError) {
      throw new ValidationError(`${source} is not well-formed XML (line ${err.line}): ${err.message.replace(/^line \d+: /, '')}`, 'RUNTIME_SETTINGS_UNPARSEABLE', {
        details: [`${source}:${err.line}`],
      });
    }
    throw err;
  }
  if (root.name !== 'SystemSettings') {
    throw new ValidationError(
      `${source} (line ${root.line}): root element is <${root.qualifiedName}>, expected <SystemSettings>`,
      'RUNTIME_SETTINGS_UNPARSEABLE',
    );
  }
  const warnings: string[] = [];
  const value = (path: readonly string[]): { text: string; line: number } | undefined => {
    const el = elementAtPath(root, path);
    return el ? { text: el.text.trim(), line: el.line } : undefined;
  };
  const flag = (path: readonly string[]): boolean | undefined => {
    const v = value(path);
    if (!v || v.text === '') return undefined;
    const parsed = parseBool(v.text);
    if (parsed === undefined) {
      throw new ValidationError(`${source} (line ${v.line}): <${path.join('/')}> is '${v.text}', expected True or False`, 'RUNTIME_SETTINGS_UNPARSEABLE');
    }
    return parsed;
  };

  const embeddedEnabled = flag(P.embeddedEnabled);
  const mongoEnabled = flag(P.mongoEnabled);
  const webOverride = flag(P.webOverride);
  const serverName = nonEmpty(value(P.serverName)?.text);
  const webConnection = nonEmpty(value(P.webConnection)?.text);
  const embeddedRoot = nonEmpty(value(P.embeddedRoot)?.text);

  const sqlEvidence = findSqlServerPersistence(root, embeddedEnabled, mongoEnabled);
  if (sqlEvidence) {
    return { type: 'self-managed', persistenceType: 'SQLServer', sqlServerEvidence: sqlEvidence, source, databases: [], warnings };
  }

  const selfManagedByServer = mongoEnabled === true && serverName !== undefined;
  const selfManagedByWeb = webOverride === true && webConnection !== undefined;
  if (webOverride === true && webConnection === undefined) {
    warnings.push(`${source}: MongoDBWebOverride is set but Gallery/MongoDBWebConnection is empty`);
  }

  let type: MongoDeploymentType;
  if (embeddedEnabled === true) {
    type = 'embedded';
    if (selfManagedByServer || selfManagedByWeb) {
      warnings.push(`${source}: EmbeddedMongoDBEnabled is True and self-managed settings are also present; using embedded`);
    }
  } else if (selfManagedByServer || selfManagedByWeb) {
    type = 'self-managed';
  } else if (embeddedEnabled === false || mongoEnabled === true) {
    // Self-managed switched on (or embedded switched off) without anywhere to connect to:
    // the configuration's SelfManagedMongoDB section must supply the server.
    type = 'self-managed';
    warnings.push(`${source}: self-managed MongoDB without MongoDBServerName or an overriding MongoDBWebConnection; the configuration must name the server`);
  } else {
    type = 'embedded';
  }

  if (type === 'embedded') {
    return {
      type,
      persistenceType: 'EmbeddedMongoDB',
      source,
      embeddedRootPath: embeddedRoot,
      port: EMBEDDED_MONGO_PORT,
      user: EMBEDDED_MONGO_USER,
      databases: [...EMBEDDED_DATABASES],
      warnings,
    };
  }
  const selfManaged: SelfManagedSettings = { databases: [] };
  if (serverName) selfManaged.serverName = serverName;
  if (selfManagedByWeb) {
    const cs = webConnection as string;
    selfManaged.connectionString = stripMongoUriPassword(cs);
    const pw = passwordInMongoUri(cs);
    if (pw !== undefined) Object.defineProperty(selfManaged, 'connectionPassword', { value: pw, enumerable: false });
  }
  const serviceDb = nonEmpty(value(P.databaseName)?.text);
  const galleryDb = selfManagedByWeb ? databaseInUri(webConnection as string) : undefined;
  if (serviceDb) selfManaged.serviceDatabase = serviceDb;
  if (galleryDb) selfManaged.galleryDatabase = galleryDb;
  for (const db of [serviceDb, galleryDb]) if (db && !selfManaged.databases.includes(db)) selfManaged.databases.push(db);
  if ((serverName !== undefined && serverName.includes(',')) || (selfManagedByWeb && /[?&]replicaSet=/i.test(webConnection as string))) {
    selfManaged.replicaSetHint = true;
  }
  return {
    type,
    persistenceType: 'SelfManagedMongoDB',
    source,
    port: serverName ? firstHostPort(serverName) : undefined,
    databases: [],
    selfManaged,
    warnings,
  };
}

export async function detectFromRuntimeSettingsFile(file: string): Promise<MongoDetection> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ValidationError(`Cannot read ${file} (${code}) to detect the MongoDB type`, 'RUNTIME_SETTINGS_UNREADABLE', { cause: err });
  }
  return detectFromRuntimeSettingsText(decodeXmlBytes(bytes), file);
}

/**
 * SQL Server persistence (Alteryx Server 2024.1 and later). No public
 * capture of a RuntimeSettings.xml written for SQL Server persistence was
 * found, so the exact element names are not known here: this accepts any
 * element directly under <Controller> or <Gallery> whose name contains "SQL"
 * (but not "NoSQL"/"MySQL"/"PostgreSQL") with a value that is not False or
 * empty, as long as MongoDB is not explicitly enabled. See
 * test/fixtures/windows/README.md and the fixtures sql-server-*.xml, which
 * are reconstructions.
 */
/** The persistence type of a detection, also for one built without the field. */
export function persistenceOf(d: Pick<MongoDetection, 'type' | 'persistenceType'>): PersistenceType {
  return d.persistenceType ?? (d.type === 'embedded' ? 'EmbeddedMongoDB' : 'SelfManagedMongoDB');
}

function findSqlServerPersistence(root: XmlElement, embeddedEnabled: boolean | undefined, mongoEnabled: boolean | undefined): string | undefined {
  if (embeddedEnabled === true || mongoEnabled === true) return undefined;
  for (const section of ['Controller', 'Gallery']) {
    const el = elementAtPath(root, [section]);
    for (const child of el?.children ?? []) {
      if (!/sql/i.test(child.name) || /(nosql|mysql|postgresql|sqlite)/i.test(child.name)) continue;
      const text = child.text.trim();
      if (text === '' || parseBool(text) === false) continue;
      return `${section}/${child.name} (line ${child.line})`;
    }
  }
  return undefined;
}

function parseBool(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'true' || t === '1' || t === 'yes') return true;
  if (t === 'false' || t === '0' || t === 'no') return false;
  return undefined;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}

/** The database in a URI's path (`mongodb://u@h:1/AlteryxGallery?x=y` → AlteryxGallery). */
export function databaseInUri(uri: string): string | undefined {
  const scheme = /^mongodb(?:\+srv)?:\/\//i.exec(uri);
  if (!scheme) return undefined;
  let rest = uri.slice(scheme[0].length);
  const at = rest.lastIndexOf('@');
  if (at >= 0) rest = rest.slice(at + 1);
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const db = rest.slice(slash + 1).split('?')[0];
  try {
    return db ? decodeURIComponent(db) : undefined;
  } catch {
    return db;
  }
}

function firstHostPort(serverName: string): number | undefined {
  const first = serverName.replace(/^mongodb(\+srv)?:\/\//i, '').split(',')[0];
  const m = /:(\d{1,5})$/.exec(first);
  return m ? Number(m[1]) : 27017;
}

/**
 * Masks the password in a MongoDB URI (`mongodb://user:***@host`) and any
 * password-like query option. When in doubt it masks more, never less.
 */
export function redactMongoUri(uri: string): string {
  const scheme = /^(mongodb(?:\+srv)?:\/\/)/i.exec(uri);
  let out = uri;
  if (scheme) {
    const rest = uri.slice(scheme[1].length);
    const at = rest.lastIndexOf('@');
    if (at >= 0) {
      const userInfo = rest.slice(0, at);
      const colon = userInfo.indexOf(':');
      const maskedUser = colon >= 0 ? `${userInfo.slice(0, colon)}:***` : userInfo;
      out = scheme[1] + maskedUser + rest.slice(at);
    }
  }
  return out.replace(/([?&;](?:password|pwd|tlsCertificateKeyFilePassword|sslPEMKeyPassword|authMechanismProperties)=)[^&;]*/gi, '$1***');
}

/** The URI without the password in its user info (`mongodb://user@host`). */
export function stripMongoUriPassword(uri: string): string {
  const scheme = /^(mongodb(?:\+srv)?:\/\/)/i.exec(uri);
  if (!scheme) return uri;
  const rest = uri.slice(scheme[1].length);
  const at = rest.lastIndexOf('@');
  if (at < 0) return uri;
  const colon = rest.slice(0, at).indexOf(':');
  return colon < 0 ? uri : scheme[1] + rest.slice(0, colon) + rest.slice(at);
}

/** The password inside a URI's user info, decoded, or undefined. */
export function passwordInMongoUri(uri: string): string | undefined {
  const scheme = /^(mongodb(?:\+srv)?:\/\/)/i.exec(uri);
  if (!scheme) return undefined;
  const rest = uri.slice(scheme[1].length);
  const at = rest.lastIndexOf('@');
  if (at < 0) return undefined;
  const userInfo = rest.slice(0, at);
  const colon = userInfo.indexOf(':');
  if (colon < 0) return undefined;
  const raw = userInfo.slice(colon + 1);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
