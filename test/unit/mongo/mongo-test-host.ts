import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../../src/config/load-config';
import type { ResolvedConfig, Secrets } from '../../../src/config/config-types';
import type { Platform } from '../../../src/platform/platform';
import type { DumpLogger } from '../../../src/mongo/dump-logger';
import { makeTempDir } from '../../helpers/temp-dir';

/**
 * A throwaway host for the MongoDB step: a config file, a ProgramData folder
 * with a RuntimeSettings.xml, and stand-in programs that behave as told by a
 * JSON file beside them. The stand-ins are real executables run by
 * runCommand, not mocks.
 */

export interface StandInBehavior {
  /** good | exit1 | failtext | hang | partial | missingDb | empty | failedLine | auth */
  mode: string;
  /** For the mongodump stand-in: the password it accepts. */
  expectPassword?: string;
}

export interface TestHost {
  dir: string;
  programData: string;
  staging: string;
  config: ResolvedConfig;
  platform: Platform & { free: number };
  log: DumpLogger & { lines: string[] };
  alteryxService: string;
  mongodump: string;
  /** Files the stand-ins write: argv.jsonl (one JSON array per run), config-seen.jsonl. */
  record: string;
  behave(b: StandInBehavior): void;
  argvRuns(): string[][];
  configSeen(): Array<{ path: string; mode: number; content: string; envHasPassword: boolean }>;
  cleanup(): void;
}

const SAMPLES = path.join(__dirname, 'dump-samples.js');

const COMMON = `
const fs = require('fs'); const path = require('path');
const here = __dirname;
const behavior = JSON.parse(fs.readFileSync(path.join(here, 'behavior.json'), 'utf8'));
fs.appendFileSync(path.join(here, 'argv.jsonl'), JSON.stringify(process.argv.slice(2)) + '\\n');
const samples = require(${JSON.stringify(SAMPLES)});
const hang = () => setInterval(() => {}, 1000);
`;

const ALTERYX_SERVICE = `#!/usr/bin/env node
${COMMON}
const args = process.argv.slice(2);
if (args.length !== 1 || !args[0].startsWith('emongodump=')) { console.log('EMongoDump failed: bad arguments'); process.exit(1); }
const out = args[0].slice('emongodump='.length);
(async () => {
  let colls = samples.EMBEDDED_SAMPLE;
  if (behavior.mode === 'missingDb') colls = colls.filter((c) => c.db !== 'AlteryxGallery_Lucene');
  if (behavior.mode === 'empty') { for (const db of ['AlteryxService','AlteryxGallery','AlteryxGallery_Lucene']) fs.mkdirSync(path.join(out, db), { recursive: true }); fs.writeFileSync(path.join(out, 'mongoDump.log'), ''); console.log('done'); return; }
  await samples.writeSampleDump(out, colls);
  if (behavior.mode === 'partial') { const f = path.join(out, 'AlteryxService', 'AS_Queue.bson'); const d = fs.readFileSync(f); fs.writeFileSync(f, d.subarray(0, Math.floor(d.length / 2))); }
  if (behavior.mode === 'hang') return hang();
  if (behavior.mode === 'failtext') { console.log('EMongoDump failed: mongodump reported errors; see mongoDump.log'); return; }
  if (behavior.mode === 'exit1') { console.error('something broke'); process.exit(1); }
  console.log('Embedded MongoDB dump complete.');
})();
`;

const MONGODUMP = `#!/usr/bin/env node
${COMMON}
const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const cfgPath = opt('--config');
let password;
if (cfgPath) {
  const st = fs.statSync(cfgPath);
  const content = fs.readFileSync(cfgPath, 'utf8');
  const m = /^password: (".*")\\s*$/m.exec(content);
  password = m ? JSON.parse(m[1]) : undefined;
  const envHasPassword = password !== undefined && Object.values(process.env).some((v) => v && v.includes(password));
  fs.appendFileSync(path.join(here, 'config-seen.jsonl'), JSON.stringify({ path: cfgPath, mode: st.mode & 0o777, content, envHasPassword }) + '\\n');
}
const out = opt('--out');
const db = opt('--db');
(async () => {
  if (behavior.mode === 'hang') return hang();
  if (behavior.mode === 'exit1') { process.stderr.write('Failed: error connecting to db server: no reachable servers\\n'); process.exit(1); }
  if (behavior.expectPassword !== undefined && password !== behavior.expectPassword) { process.stderr.write('Failed: can\\'t create session: could not connect to server: connection() error: auth error: sasl conversation error: unable to authenticate using mechanism "SCRAM-SHA-256": (AuthenticationFailed) Authentication failed.\\n'); process.exit(1); }
  const all = [{ db: 'AlteryxGallery', name: 'users', documents: 12 }, { db: 'AlteryxGallery', name: 'workflows', documents: 30 }, { db: 'AlteryxService', name: 'AS_Queue', documents: 9 }];
  const colls = all.filter((c) => !db || c.db === db);
  const tmp = path.join(out, '.tmp-' + process.pid);
  await samples.writeSampleDump(tmp, colls, { gzip: args.includes('--gzip') });
  const log = fs.readFileSync(path.join(tmp, 'mongoDump.log'), 'utf8');
  fs.rmSync(path.join(tmp, 'mongoDump.log'));
  for (const d of fs.readdirSync(tmp)) fs.cpSync(path.join(tmp, d), path.join(out, d), { recursive: true });
  fs.rmSync(tmp, { recursive: true });
  process.stderr.write(log);
  if (behavior.mode === 'failedLine') process.stderr.write('2026-11-26T02:00:16.000+0000\\tFailed: error writing data for collection\\n');
  process.stderr.write(new Date().toISOString() + '\\t' + colls.reduce((n, c) => n + c.documents, 0) + ' document(s) dumped\\n');
})();
`;

export function createTestHost(options: { runtimeSettings?: string; config?: Record<string, any>; secrets?: Secrets } = {}): TestHost {
  const { dir, cleanup } = makeTempDir('axb-mongo-');
  const programData = path.join(dir, 'ProgramData', 'Alteryx');
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(programData, { recursive: true });
  fs.mkdirSync(bin);
  fs.mkdirSync(path.join(programData, 'Service', 'Persistence', 'MongoDB'), { recursive: true });
  fs.writeFileSync(path.join(programData, 'Service', 'Persistence', 'MongoDB', 'collection-0.wt'), Buffer.alloc(64 * 1024));
  fs.writeFileSync(
    path.join(programData, 'RuntimeSettings.xml'),
    options.runtimeSettings ?? '<?xml version="1.0" encoding="UTF-8"?>\n<SystemSettings><Controller><EmbeddedMongoDBEnabled>True</EmbeddedMongoDBEnabled></Controller></SystemSettings>\n',
  );
  const alteryxService = path.join(bin, 'AlteryxService');
  const mongodump = path.join(bin, 'mongodump');
  fs.writeFileSync(alteryxService, ALTERYX_SERVICE, { mode: 0o755 });
  fs.writeFileSync(mongodump, MONGODUMP, { mode: 0o755 });
  const behave = (b: StandInBehavior) => fs.writeFileSync(path.join(bin, 'behavior.json'), JSON.stringify(b));
  behave({ mode: 'good' });

  const base: Record<string, any> = {
    BackupConfiguration: { TempDirectory: path.join(dir, 'temp'), LocalBackupPath: path.join(dir, 'backups'), LogDirectory: path.join(dir, 'logs') },
    ServiceConfiguration: {},
    MongoDBConfiguration: { DumpTimeoutSeconds: 60, SelfManagedMongoDB: { MongoDumpPath: mongodump } },
    AlteryxConfiguration: { ProgramDataPath: programData, InstallPath: path.join(dir, 'Program Files', 'Alteryx') },
  };
  const merged = deepMerge(base, options.config ?? {});
  const configPath = path.join(dir, 'backup-config.json');
  fs.writeFileSync(configPath, JSON.stringify(merged, null, 2));
  const config = loadConfig(configPath, {}, options.secrets ?? {});

  const platform = {
    kind: 'Simulated' as const,
    free: 1024 ** 4,
    services: undefined as never,
    processes: undefined as never,
    alteryxServiceExecutable: () => alteryxService,
    hostname: () => 'TEST-HOST',
    osVersion: () => 'test',
    currentUser: () => 'tester',
    freeBytes(p: string) {
      if (!fs.existsSync(p)) return Promise.reject(new Error(`freeBytes: ${p} does not exist`));
      return Promise.resolve(this.free);
    },
  };
  const lines: string[] = [];
  const log = {
    lines,
    info: (m: string) => void lines.push(`INFO ${m}`),
    warn: (m: string) => void lines.push(`WARN ${m}`),
    debug: (m: string) => void lines.push(`DEBUG ${m}`),
  };
  const readJsonl = (f: string) =>
    fs.existsSync(f)
      ? fs
          .readFileSync(f, 'utf8')
          .split('\n')
          .filter((l) => l)
          .map((l) => JSON.parse(l))
      : [];
  return {
    dir,
    programData,
    staging: path.join(dir, 'temp', 'staging-1'),
    config,
    platform,
    log,
    alteryxService,
    mongodump,
    record: bin,
    behave,
    argvRuns: () => readJsonl(path.join(bin, 'argv.jsonl')),
    configSeen: () => readJsonl(path.join(bin, 'config-seen.jsonl')),
    cleanup,
  };
}

function deepMerge(a: Record<string, any>, b: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && a[k] && typeof a[k] === 'object' ? deepMerge(a[k], v) : v;
  }
  return out;
}
