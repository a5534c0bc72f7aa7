import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load-config';
import type { ResolvedConfig } from '../../../src/config/config-types';
import { MongoDBError } from '../../../src/core/errors';
import { detectMongo, invokeMongoDBBackup, preflightMongoDB, readEmbeddedMongoPasswords, type MongoDBBackupResult } from '../../../src/mongo/index';
import { createPlatform } from '../../../src/platform/create-platform';
import type { Platform } from '../../../src/platform/platform';
import { readCatalog } from '../../../src/sim/data-generator';
import { alteryxService, createHost, destroyHost, hostJson, waitForState } from '../sim/sim-harness';

/**
 * The MongoDB step against the simulated host: its AlteryxService stand-in
 * writes a real-format dump with emongodump=<dir>, its mongodump stand-in
 * takes the real options. No MongoDB server exists here; these prove our
 * side of the contract, not mongodump's.
 */

interface Host {
  root: string;
  config: ResolvedConfig;
  platform: Platform;
  lines: string[];
}

async function openHost(args: string[], secrets: Record<string, string> = {}): Promise<Host> {
  const { root, configPath } = await createHost(args);
  const config = loadConfig(configPath, {}, secrets);
  return { root, config, platform: createPlatform(config.file), lines: [] };
}

const logger = (h: Host) => ({
  info: (m: string) => void h.lines.push(`INFO ${m}`),
  warn: (m: string) => void h.lines.push(`WARN ${m}`),
  debug: (m: string) => void h.lines.push(`DEBUG ${m}`),
});

function setFaults(root: string, faults: Record<string, unknown>): void {
  fs.writeFileSync(path.join(root, 'sim', 'faults.json'), JSON.stringify(faults));
}

function expectedCounts(dataDir: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [db, colls] of Object.entries(readCatalog(dataDir).databases)) {
    for (const [name, entry] of Object.entries(colls)) counts.set(`${db}.${name}`, entry.documents);
  }
  return counts;
}

function countsOf(r: MongoDBBackupResult): Map<string, number> {
  const m = new Map<string, number>();
  for (const d of r.Databases) for (const c of d.Collections) m.set(`${d.Name}.${c.Name}`, c.Documents);
  return m;
}

describe('embedded MongoDB on the simulated host', () => {
  let h: Host;
  let n = 0;
  before(async () => {
    h = await openHost(['--variant', 'embedded']);
  });
  after(() => destroyHost(h?.root));
  const staging = () => path.join(h.config.TempDirectory, `staging-${n++}`);

  it('getemongopassword: both passwords, returned for the caller to redact', async () => {
    const info = hostJson(h.root);
    assert.deepEqual(await readEmbeddedMongoPasswords(h.platform.alteryxServiceExecutable()), { admin: info.mongoAdminPassword, nonAdmin: info.mongoNonAdminPassword });
  });

  it('refuses to dump while the service runs (EMongoDump failed) → exit 5', async () => {
    const s = staging();
    await assert.rejects(invokeMongoDBBackup({ config: h.config, platform: h.platform, stagingDir: s, log: logger(h) }), (err: unknown) => {
      assert.ok(err instanceof MongoDBError, String(err));
      assert.equal(err.exitCode, 5);
      assert.match(err.message, /EMongoDump failed/);
      return true;
    });
    assert.equal(fs.existsSync(path.join(s, 'MongoDB')), false);
  });

  it('with the service stopped: a good dump, detected from RuntimeSettings.xml, with the catalog\'s per-collection counts', async () => {
    const stop = await alteryxService(h.root, 'stop');
    assert.equal(stop.code, 0, stop.stderr);
    await waitForState(h.root, 'Stopped');
    const detection = await detectMongo(h.config);
    assert.equal(detection.type, 'embedded');
    const pre = await preflightMongoDB({ config: h.config, platform: h.platform, detection, log: logger(h) });
    assert.ok(pre.diskSpace.estimatedDatabaseBytes > 0);
    const r = await invokeMongoDBBackup({ config: h.config, platform: h.platform, preflight: pre, stagingDir: staging(), log: logger(h) });
    assert.equal(r.Success, true);
    assert.deepEqual([...countsOf(r)].sort(), [...expectedCounts(path.join(h.root, 'ProgramData', 'Alteryx', 'Service', 'Persistence', 'MongoDB'))].sort());
    assert.deepEqual(r.Databases.map((d) => d.Name).sort(), ['AlteryxGallery', 'AlteryxGallery_Lucene', 'AlteryxService']);
    assert.deepEqual(r.Verification.CountsCheckedAgainst, ['mongoDump.log']);
    assert.equal(r.CollectionCount, [...countsOf(r)].length);
  });

  const faults: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['non-zero exit', { dumpExitCode: 3 }, 'EMONGODUMP_FAILED', /exited with code 3/],
    ['EMongoDump failed printed with exit 0', { dumpFailText: true }, 'EMONGODUMP_FAILED', /despite exit code 0/],
    ['truncated collection', { dumpPartial: true }, 'DUMP_VERIFICATION_FAILED', /truncated/],
    ['documents silently missing', { dumpMissingDocs: 3 }, 'DUMP_VERIFICATION_FAILED', /mongoDump\.log says \d+ documents, the file holds \d+/],
    ['bit flip in a terminator', { dumpBitFlip: true }, 'DUMP_VERIFICATION_FAILED', /document #\d+ at byte offset \d+/],
    ['empty dump', { dumpEmpty: true }, 'DUMP_VERIFICATION_FAILED', /holds no collection data/],
    ['missing database', { dumpMissingDb: 'AlteryxGallery_Lucene' }, 'DUMP_VERIFICATION_FAILED', /AlteryxGallery_Lucene\/ is missing/],
    ['hang', { dumpHang: true }, 'EMONGODUMP_TIMEOUT', /did not finish within 3 s/],
  ];
  for (const [name, fault, code, why] of faults) {
    it(`${name} → MongoDBError ${code}, exit 5, no dump left behind`, async () => {
      setFaults(h.root, fault);
      const s = staging();
      const config = { ...h.config, file: { ...h.config.file, MongoDBConfiguration: { ...h.config.file.MongoDBConfiguration, DumpTimeoutSeconds: 3 } } };
      try {
        await assert.rejects(invokeMongoDBBackup({ config, platform: h.platform, stagingDir: s, log: logger(h) }), (err: unknown) => {
          assert.ok(err instanceof MongoDBError, String(err));
          assert.equal(err.exitCode, 5);
          assert.equal(err.code, code, err.message);
          assert.match(`${err.message}\n${err.details.join('\n')}`, why);
          return true;
        });
      } finally {
        setFaults(h.root, {});
      }
      assert.equal(fs.existsSync(path.join(s, 'MongoDB')), false);
    });
  }
});

describe('self-managed MongoDB on the simulated host (stand-in mongodump; SkipConnectivityCheck: no server exists here)', () => {
  let h: Host;
  let password: string;
  let n = 0;
  before(async () => {
    const { root } = await createHost(['--variant', 'self-managed']);
    password = hostJson(root).selfManaged.password;
    const configPath = path.join(root, 'backup-config.json');
    const config = loadConfig(configPath, {}, { MongoPassword: password });
    h = { root, config, platform: createPlatform(config.file), lines: [] };
  });
  after(() => destroyHost(h?.root));
  const staging = () => path.join(h.config.TempDirectory, `sm-staging-${n++}`);
  const argvLog = () =>
    fs
      .readFileSync(path.join(h.root, 'sim', 'mongodump-argv.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l)
      .map((l) => JSON.parse(l) as { argv: string[]; configFile?: { path: string; existed: boolean; mode: string } });

  it('dumps with --gzip and the catalog\'s counts; argv never holds the password; the 0600 config file is gone', async () => {
    const detection = await detectMongo(h.config);
    assert.equal(detection.type, 'self-managed');
    const r = await invokeMongoDBBackup({ config: h.config, platform: h.platform, detection, stagingDir: staging(), log: logger(h) });
    assert.equal(r.DeploymentType, 'self-managed');
    // Database is empty by default: the whole instance, all three Alteryx databases.
    const want = [...expectedCounts(path.join(h.root, 'mongodb-server', 'data'))];
    assert.ok(want.some(([ns]) => ns.startsWith('AlteryxService.')) && want.some(([ns]) => ns.startsWith('AlteryxGallery_Lucene.')));
    assert.deepEqual([...countsOf(r)].sort(), want.sort());
    assert.ok(r.Databases[0].Collections.every((c) => c.SizeBytes > 0));
    const runs = argvLog();
    assert.ok(runs.length >= 1);
    for (const run of runs) {
      assert.ok(!JSON.stringify(run.argv).includes(password), 'password on argv');
      assert.ok(run.argv.includes('--gzip'));
      assert.equal(run.configFile?.existed, true);
      assert.equal(run.configFile?.mode, '0600');
      assert.equal(fs.existsSync(run.configFile?.path ?? ''), false, 'config file deleted');
    }
    assert.ok(!h.lines.join('\n').includes(password));
    assert.ok(h.lines.some((l) => l.startsWith('WARN') && /SkipConnectivityCheck/.test(l)));
  });

  const faults: Array<[string, Record<string, unknown>, RegExp]> = [
    ['bad credentials', { mongodumpAuthFail: true }, /AuthenticationFailed/],
    ['unreachable server', { mongodumpUnreachable: true }, /connection refused/],
    ['truncated collection', { mongodumpPartial: true }, /bson\.gz: /],
    ['non-zero exit', { mongodumpExitCode: 2 }, /exited with code 2/],
  ];
  for (const [name, fault, why] of faults) {
    it(`${name} → exit 5, no password anywhere, no dump left behind`, async () => {
      setFaults(h.root, fault);
      const s = staging();
      try {
        await assert.rejects(invokeMongoDBBackup({ config: h.config, platform: h.platform, stagingDir: s, log: logger(h) }), (err: unknown) => {
          assert.ok(err instanceof MongoDBError, String(err));
          assert.equal(err.exitCode, 5);
          const all = `${err.message}\n${err.details.join('\n')}`;
          assert.match(all, why);
          assert.ok(!all.includes(password));
          return true;
        });
      } finally {
        setFaults(h.root, {});
      }
      assert.equal(fs.existsSync(path.join(s, 'MongoDB')), false);
      for (const run of argvLog()) assert.equal(fs.existsSync(run.configFile?.path ?? ''), false);
    });
  }
});
