import { Binary, BSON, EJSON, Int32, Long, ObjectId, UUID } from 'bson';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished } from 'node:stream/promises';
import { SeededRandom } from './seeded-random';

/**
 * The simulated MongoDB's live data: per-collection `.bson` files (a sequence
 * of whole BSON documents, exactly what mongodump writes) plus a catalog with
 * the true document counts. Generated from a seed, streamed to disk, so a
 * 50 GB host costs no more memory than a 5 MB one.
 */

export const EMBEDDED_DATABASES = ['AlteryxService', 'AlteryxGallery', 'AlteryxGallery_Lucene'] as const;

export interface CollectionEntry {
  documents: number;
  bytes: number;
  /** Path relative to the data directory. */
  file: string;
  metadataFile: string;
}

export interface Catalog {
  seed: string;
  databases: Record<string, Record<string, CollectionEntry>>;
}

export const CATALOG_FILE = 'sim-catalog.json';

/** `maxBlob` caps binary payloads so that a tiny --db-mb still fits its minimum documents. */
type DocMaker = (rng: SeededRandom, i: number, maxBlob: number) => Record<string, unknown>;

interface CollectionSpec {
  db: string;
  name: string;
  /** Share of the text budget, or of the blob budget for blob collections. */
  weight: number;
  blob: boolean;
  minDocs: number;
  make: DocMaker;
  indexes?: { key: Record<string, number>; name: string }[];
}

const FIRST = ['Ana', 'Bram', 'Chloé', 'Dmitri', 'Eun-ji', 'Fatima', 'Gustav', 'Hana', 'Ivan', 'José', 'Kenji', 'Léa', 'Mateo', 'Nadia', 'Oskar', 'Priya', 'Quinn', 'Rosa', 'Søren', 'Zoë'];
const LAST = ['Andersen', 'Böhm', 'Castillo', 'Dubois', 'Eriksson', 'Fujita', 'García', 'Haddad', 'Ivanova', 'Jensen', 'Kowalski', 'Lindqvist', 'Müller', 'Nakamura', "O'Brien", 'Petrov', 'Rossi', 'Schmidt', 'Tanaka', '山田'];
const WORDS = ['sales', 'forecast', 'inventory', 'customer', 'churn', 'region', 'monthly', 'cleanse', 'join', 'blend', 'spatial', 'predictive', 'report', 'extract', 'finance', 'weekly', 'pipeline', 'audit', 'ledger', 'reconcile', 'marketing', 'campaign', 'supply', 'chain', 'score', 'model', 'east', 'west', 'daily', 'snapshot'];
const BASE_DATE = Date.UTC(2024, 0, 1);

function words(rng: SeededRandom, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(rng.pick(WORDS));
  return out.join(' ');
}
function date(rng: SeededRandom): Date {
  return new Date(BASE_DATE + rng.int(0, 700 * 86400) * 1000 + rng.int(0, 999));
}
function oid(rng: SeededRandom): ObjectId {
  return new ObjectId(rng.bytes(12));
}
function title(rng: SeededRandom): string {
  const s = words(rng, rng.int(2, 4));
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const SPECS: CollectionSpec[] = [
  // --- AlteryxService: the controller's persistence ---
  {
    db: 'AlteryxService', name: 'AS_Applications', weight: 0.7, blob: true, minDocs: 2,
    make: (rng, i, maxBlob) => ({
      _id: oid(rng),
      Name: `${title(rng)}.yxzp`,
      AppId: `app-${i}`,
      Version: new Int32(rng.int(1, 40)),
      PackageType: 'yxzp',
      DateCreated: date(rng),
      // Zipped workflow packages: already compressed, so they do not shrink further.
      PackageData: new Binary(rng.bytes(Math.min(maxBlob, rng.int(48, 320) * 1024)), 0),
    }),
  },
  {
    db: 'AlteryxService', name: 'AS_Queue', weight: 3, blob: false, minDocs: 3,
    make: (rng, i) => ({
      _id: oid(rng),
      AppId: `app-${rng.int(0, 40)}`,
      Status: rng.pick(['Queued', 'Running', 'Complete', 'Error']),
      Priority: new Int32(rng.int(0, 3)),
      QueuedAt: date(rng),
      Owner: `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
      WorkerTag: rng.pick(['', 'gpu', 'heavy', 'spatial']),
      Seq: Long.fromNumber(i),
    }),
    indexes: [{ key: { Status: 1, QueuedAt: 1 }, name: 'Status_1_QueuedAt_1' }],
  },
  {
    db: 'AlteryxService', name: 'AS_Results', weight: 4, blob: false, minDocs: 3,
    make: (rng) => ({
      _id: oid(rng),
      QueueId: oid(rng),
      Status: rng.pick(['Success', 'Warning', 'Error']),
      Messages: Array.from({ length: rng.int(1, 6) }, () => ({ Level: rng.pick(['Info', 'Warning', 'Error']), Text: words(rng, rng.int(4, 14)) })),
      StartTime: date(rng),
      DurationMs: new Int32(rng.int(200, 3_600_000)),
    }),
  },
  {
    db: 'AlteryxService', name: 'AS_Schedules', weight: 1, blob: false, minDocs: 3,
    make: (rng, i) => ({
      _id: oid(rng),
      Name: `Schedule ${i}: ${title(rng)}`,
      AppId: `app-${rng.int(0, 40)}`,
      Frequency: rng.pick(['Once', 'Hourly', 'Daily', 'Weekly', 'Monthly', 'Custom']),
      Cron: `${rng.int(0, 59)} ${rng.int(0, 23)} * * ${rng.int(0, 6)}`,
      Enabled: rng.bool(0.8),
      NextRun: date(rng),
      TimeZone: rng.pick(['UTC', 'Europe/Berlin', 'America/Chicago', 'Asia/Tokyo']),
    }),
  },
  // An empty collection: mongodump writes an empty .bson file and "(0 documents)".
  { db: 'AlteryxService', name: 'AS_Locks', weight: 0, blob: false, minDocs: 0, make: (rng) => ({ _id: oid(rng) }) },
  // --- AlteryxGallery ---
  {
    db: 'AlteryxGallery', name: 'users', weight: 2, blob: false, minDocs: 3,
    make: (rng, i) => {
      const first = rng.pick(FIRST);
      const last = rng.pick(LAST);
      return {
        _id: oid(rng),
        Email: `${first}.${last}.${i}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, 'x'),
        FirstName: first,
        LastName: last,
        Role: rng.pick(['Viewer', 'Member', 'Artisan', 'Curator']),
        DateCreated: date(rng),
        IsActive: rng.bool(0.9),
        DefaultWorkerTag: rng.pick(['', 'gpu', 'heavy']),
        Settings: { Theme: rng.pick(['light', 'dark']), Notifications: rng.bool(), Locale: rng.pick(['en-US', 'de-DE', 'ja-JP', 'fr-FR']) },
      };
    },
    indexes: [{ key: { Email: 1 }, name: 'Email_1' }],
  },
  {
    db: 'AlteryxGallery', name: 'workflows', weight: 4, blob: false, minDocs: 3,
    make: (rng, i) => ({
      _id: oid(rng),
      Name: `${title(rng)} ${i}`,
      Description: words(rng, rng.int(10, 80)),
      OwnerId: oid(rng),
      Versions: Array.from({ length: rng.int(1, 5) }, (_, v) => ({ Version: new Int32(v + 1), Published: date(rng), Comment: words(rng, rng.int(2, 8)) })),
      Tags: Array.from({ length: rng.int(0, 4) }, () => rng.pick(WORDS)),
      IsPublic: rng.bool(0.3),
      RunCount: Long.fromNumber(rng.int(0, 100000)),
      UniqueId: new UUID(rng.bytes(16).toString('hex')),
    }),
  },
  {
    db: 'AlteryxGallery', name: 'collections', weight: 0.5, blob: false, minDocs: 2,
    make: (rng) => ({ _id: oid(rng), Name: title(rng), OwnerId: oid(rng), Members: Array.from({ length: rng.int(1, 8) }, () => oid(rng)), DateCreated: date(rng) }),
  },
  {
    db: 'AlteryxGallery', name: 'subscriptions', weight: 0.3, blob: false, minDocs: 1,
    make: (rng) => ({ _id: oid(rng), Name: `${rng.pick(LAST)} team`, ExpirationDate: date(rng), CanSchedule: rng.bool(), MaxJobs: new Int32(rng.int(1, 50)) }),
  },
  {
    db: 'AlteryxGallery', name: 'auditEvents', weight: 3, blob: false, minDocs: 5,
    make: (rng) => ({ _id: oid(rng), Entity: rng.pick(['Workflow', 'User', 'Schedule', 'Collection']), Event: rng.pick(['Create', 'Update', 'Delete', 'Run']), UserId: oid(rng), Timestamp: date(rng), Old: null, New: { Note: words(rng, rng.int(1, 10)) } }),
  },
  // --- AlteryxGallery_Lucene: the search index, stored GridFS-style ---
  {
    db: 'AlteryxGallery_Lucene', name: 'fs.files', weight: 0.5, blob: false, minDocs: 2,
    make: (rng, i) => ({ _id: oid(rng), filename: `_${i.toString(36)}.cfs`, length: Long.fromNumber(rng.int(1000, 5_000_000)), chunkSize: new Int32(261120), uploadDate: date(rng) }),
    indexes: [{ key: { filename: 1, uploadDate: 1 }, name: 'filename_1_uploadDate_1' }],
  },
  {
    db: 'AlteryxGallery_Lucene', name: 'fs.chunks', weight: 0.3, blob: true, minDocs: 2,
    make: (rng, i, maxBlob) => ({ _id: oid(rng), files_id: oid(rng), n: new Int32(i), data: new Binary(rng.bytes(Math.min(maxBlob, 261120)), 0) }),
    indexes: [{ key: { files_id: 1, n: 1 }, name: 'files_id_1_n_1' }],
  },
];

/** Share of the total size taken by small text documents; the rest is binary blobs. */
const TEXT_SHARE = 0.12;

async function writeCollection(file: string, spec: CollectionSpec, rng: SeededRandom, budgetBytes: number): Promise<{ documents: number; bytes: number }> {
  const ws = fs.createWriteStream(file);
  let documents = 0;
  let bytes = 0;
  const maxBlob = Math.max(1024, Math.floor(budgetBytes / Math.max(1, spec.minDocs)) - 256);
  while (documents < spec.minDocs || (spec.weight > 0 && bytes < budgetBytes)) {
    const buf = BSON.serialize(spec.make(rng, documents, maxBlob));
    documents++;
    bytes += buf.length;
    if (!ws.write(buf)) await once(ws, 'drain');
  }
  ws.end();
  await finished(ws);
  return { documents, bytes };
}

export function metadataJson(spec: { name: string; indexes?: { key: Record<string, number>; name: string }[] }, uuidHex: string): string {
  const indexes = [{ key: { _id: 1 }, name: '_id_' }, ...(spec.indexes ?? [])].map((ix) => ({
    v: new Int32(2),
    key: Object.fromEntries(Object.entries(ix.key).map(([k, v]) => [k, new Int32(v)])),
    name: ix.name,
  }));
  return EJSON.stringify({ indexes, uuid: uuidHex, collectionName: spec.name, type: 'collection' }, { relaxed: false });
}

export async function generateDatabase(dataDir: string, seed: string, dbMegabytes: number): Promise<Catalog> {
  const total = Math.max(0.05, dbMegabytes) * 1024 * 1024;
  const textWeights = SPECS.filter((s) => !s.blob).reduce((a, s) => a + s.weight, 0);
  const blobWeights = SPECS.filter((s) => s.blob).reduce((a, s) => a + s.weight, 0);
  const catalog: Catalog = { seed, databases: {} };
  for (const spec of SPECS) {
    const dbDir = path.join(dataDir, spec.db);
    fs.mkdirSync(dbDir, { recursive: true });
    const budget = spec.blob ? (total * (1 - TEXT_SHARE) * spec.weight) / blobWeights : (total * TEXT_SHARE * spec.weight) / textWeights;
    const rng = new SeededRandom(seed, `${spec.db}.${spec.name}`);
    const file = path.join(spec.db, `${spec.name}.bson`);
    const metadataFile = path.join(spec.db, `${spec.name}.metadata.json`);
    const { documents, bytes } = await writeCollection(path.join(dataDir, file), spec, rng, budget);
    fs.writeFileSync(path.join(dataDir, metadataFile), metadataJson(spec, rng.hex(16)));
    (catalog.databases[spec.db] ??= {})[spec.name] = { documents, bytes, file, metadataFile };
  }
  fs.writeFileSync(path.join(dataDir, CATALOG_FILE), JSON.stringify(catalog, null, 2) + '\n');
  return catalog;
}

export function readCatalog(dataDir: string): Catalog {
  return JSON.parse(fs.readFileSync(path.join(dataDir, CATALOG_FILE), 'utf8')) as Catalog;
}
