import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, runCli } from '../../helpers/cli-harness';
import { createHost, destroyHost } from '../sim/sim-harness';

/**
 * Start-up cost (issue 14): a node start must not load packages the command
 * does not need. The AWS and Azure SDKs, the MongoDB driver, nodemailer,
 * the ASN.1 packages of CMS encryption, winston and Ajv's schema compiler cost about 1 s of CPU together; each
 * cmdlet is a new node process, so a light command must load none of them.
 * What is loaded is read from the real CLI process (a --require hook writes
 * require.cache at exit), not from a static import list.
 */

const PRELOAD = path.join(REPO_ROOT, 'dist', 'test', 'helpers', 'loaded-modules-preload.js');

/** Packages only some commands need, by the path fragment of their files in node_modules. */
const CLOUD_AND_DRIVER = [
  '/node_modules/@aws-sdk/',
  '/node_modules/@smithy/',
  '/node_modules/@azure/',
  '/node_modules/mongodb/',
  '/node_modules/nodemailer/',
  // CMS encryption of secrets: only when SecurityConfiguration.EncryptSecretsTo names a certificate.
  '/node_modules/@peculiar/',
  '/node_modules/asn1js/',
];
const WINSTON = '/node_modules/winston/';
/** Ajv itself (the schema compiler); the generated validator needs only ajv/dist/runtime/*. */
const AJV_COMPILER = '/node_modules/ajv/dist/ajv.js';

async function loadedBy(command: string, configPath: string, parameters: Record<string, unknown> = {}, expectedExit = 0): Promise<{ modules: string[]; exitCode: number | null }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loaded-modules-'));
  try {
    const prev = { opts: process.env.NODE_OPTIONS, dir: process.env.LOADED_MODULES_DIR };
    // runCli spawns with process.env; set the hook for this one run.
    process.env.NODE_OPTIONS = `${prev.opts ?? ''} --require=${PRELOAD}`.trim();
    process.env.LOADED_MODULES_DIR = dir;
    let r;
    try {
      r = await runCli(command, { configPath, parameters, timeoutMs: 120_000 });
    } finally {
      if (prev.opts === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = prev.opts;
      if (prev.dir === undefined) delete process.env.LOADED_MODULES_DIR;
      else process.env.LOADED_MODULES_DIR = prev.dir;
    }
    assert.equal(r.result?.exitCode, expectedExit, `${command}: ${r.stdout}\n${r.stderr}`);
    const files = fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { argv: string[]; modules: string[] });
    const cli = files.find((f) => f.argv[0]?.endsWith(path.join('cli', 'main.js')) && f.argv[1] === command);
    assert.ok(cli, `no module list from the CLI process (got ${files.length} from ${files.map((f) => f.argv[0]).join(', ')})`);
    return { modules: cli.modules.map((m) => m.split(path.sep).join('/')), exitCode: r.exitCode };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const matching = (modules: string[], fragment: string) => modules.filter((m) => m.includes(fragment));

describe('start-up: a command loads only the packages it uses', () => {
  let host: { root: string; configPath: string } | undefined;

  before(async () => {
    // The build writes the pre-generated config validator; make sure this dist has it (tsc alone does not).
    const gen = spawnSync(process.execPath, [path.join(REPO_ROOT, 'build', 'gen-config-validator.js')], { encoding: 'utf8' });
    assert.equal(gen.status, 0, gen.stderr);
    host = await createHost();
  });
  after(() => destroyHost(host?.root));

  it('Test-AlteryxServiceState loads no cloud SDK, MongoDB driver, nodemailer, winston or Ajv compiler', async () => {
    const { modules } = await loadedBy('Test-AlteryxServiceState', host!.configPath);
    assert.ok(modules.some((m) => m.endsWith('/dist/src/cli/main.js')), 'the module list is the CLI process');
    for (const fragment of [...CLOUD_AND_DRIVER, WINSTON, AJV_COMPILER]) {
      assert.deepEqual(matching(modules, fragment), [], `Test-AlteryxServiceState loaded ${fragment}`);
    }
    // Nor our own heavy layers: the service commands live apart from commands.ts (cli/command-registry.ts).
    for (const fragment of ['/dist/src/cli/commands.js', '/dist/src/archive/', '/dist/src/mongo/', '/dist/src/distribution/', '/dist/src/backup/run-backup.js', '/node_modules/yauzl/', '/node_modules/bson/']) {
      assert.deepEqual(matching(modules, fragment), [], `Test-AlteryxServiceState loaded ${fragment}`);
    }
    assert.ok(matching(modules, '/dist/src/cli/commands/service-commands.js').length > 0, 'the service commands module was loaded');
  });

  it('Test-BackupIntegrity loads the archive reader, and no backup, MongoDB, distribution or restore code', async () => {
    const archive = path.join(host!.root, 'no-such-backup.zip');
    const { modules } = await loadedBy('Test-BackupIntegrity', host!.configPath, { ArchivePath: archive }, 4);
    assert.ok(matching(modules, '/dist/src/archive/verify-archive.js').length > 0, 'the archive reader was loaded');
    for (const fragment of [...CLOUD_AND_DRIVER, WINSTON, '/dist/src/cli/commands.js', '/dist/src/mongo/', '/dist/src/distribution/', '/dist/src/restore/', '/dist/src/backup/run-backup.js', '/node_modules/bson/']) {
      assert.deepEqual(matching(modules, fragment), [], `Test-BackupIntegrity loaded ${fragment}`);
    }
  });

  it('Invoke-AlteryxBackup Full without cloud destinations, self-managed MongoDB or mail loads no SDK, driver or winston', async () => {
    const { modules } = await loadedBy('Invoke-AlteryxBackup', host!.configPath, { BackupMode: 'Full' });
    // The log file is written by the logger itself (synchronous appends, so a failed write is known at once).
    for (const fragment of [...CLOUD_AND_DRIVER, WINSTON]) assert.deepEqual(matching(modules, fragment), [], `Invoke-AlteryxBackup loaded ${fragment}`);
    // The hook does see modules loaded later in the run (the platform is loaded once the configuration is read).
    assert.ok(matching(modules, '/dist/src/platform/simulated/simulated-platform.js').length > 0, 'the simulated platform was loaded');
  });
});
