import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../helpers/cli-harness';
import { listTree, makeTempDir } from '../../helpers/temp-dir';

/**
 * Bad configuration is caught before anything is created: exit 3 (6 for a
 * bad mode), a message naming the file and each dotted path, and nothing in
 * any backup folder. No simulated host is needed: nothing may get that far.
 */
const tmp = makeTempDir('axb-badcfg-');
after(tmp.cleanup);
const area = path.join(tmp.dir, 'area');

function goodConfig(): Record<string, any> {
  return {
    BackupConfiguration: {
      TempDirectory: path.join(area, 'temp'),
      LocalBackupPath: path.join(area, 'local'),
      LogDirectory: path.join(area, 'logs'),
      NetworkBackupPaths: [path.join(area, 'net')],
    },
    ServiceConfiguration: {},
    MongoDBConfiguration: {},
    AlteryxConfiguration: { ProgramDataPath: path.join(area, 'pd'), InstallPath: path.join(area, 'pf'), Platform: 'Simulated', SimulatedHostRoot: area },
  };
}

let n = 0;
function writeConfig(content: unknown): string {
  const file = path.join(tmp.dir, `config-${n++}.json`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

before(() => fs.mkdirSync(area));

const cases: Array<{ name: string; make: () => string; expect: RegExp[]; code: string }> = [
  {
    name: 'an unknown key',
    make: () => {
      const c = goodConfig();
      c.ServiceConfiguration.MaxServiceWaitSecs = 5;
      return writeConfig(c);
    },
    expect: [/ServiceConfiguration\.MaxServiceWaitSecs: unknown key/],
    code: 'CONFIG_INVALID',
  },
  {
    name: 'a wrong type',
    make: () => {
      const c = goodConfig();
      c.BackupConfiguration.RetentionDays = { Full: '7' };
      return writeConfig(c);
    },
    expect: [/BackupConfiguration\.RetentionDays\.Full: must be of type integer/],
    code: 'CONFIG_INVALID',
  },
  {
    name: 'an out-of-range number',
    make: () => {
      const c = goodConfig();
      c.ServiceConfiguration.MaxServiceWaitSeconds = 0;
      return writeConfig(c);
    },
    expect: [/ServiceConfiguration\.MaxServiceWaitSeconds: must be >= 1, got 0/],
    code: 'CONFIG_INVALID',
  },
  {
    name: 'a relative path',
    make: () => {
      const c = goodConfig();
      c.BackupConfiguration.LocalBackupPath = 'Backups\\Alteryx';
      return writeConfig(c);
    },
    expect: [/BackupConfiguration\.LocalBackupPath: must be an absolute path/],
    code: 'CONFIG_INVALID',
  },
  { name: 'a missing file', make: () => path.join(tmp.dir, 'does-not-exist.json'), expect: [/does not exist/], code: 'CONFIG_NOT_FOUND' },
  { name: 'a file that is not JSON', make: () => writeConfig('BackupConfiguration = D:\\Temp'), expect: [/not valid JSON/], code: 'CONFIG_INVALID_JSON' },
];

for (const c of cases) {
  test(`bad config: ${c.name} → exit 3, the file and path named, nothing created`, async () => {
    const file = c.make();
    const r = await runCli('Invoke-AlteryxBackup', { configPath: file, parameters: { BackupMode: 'Full' } });
    assert.equal(r.exitCode, 3, r.stdout);
    assert.equal(r.result!.exitCode, 3);
    assert.equal(r.result!.error!.code, c.code);
    assert.ok(r.result!.error!.message.includes(file), 'the message names the file');
    for (const re of c.expect) assert.match(r.result!.error!.message, re);
    assert.deepEqual(listTree(area), [], 'nothing was created in any backup folder');
  });
}

test('an invalid mode exits 6 before the config is even applied', async () => {
  const r = await runCli('Invoke-AlteryxBackup', { configPath: writeConfig(goodConfig()), parameters: { BackupMode: 'Weekly' } });
  assert.equal(r.exitCode, 6);
  assert.equal(r.result!.error!.code, 'INVALID_BACKUP_MODE');
  assert.match(r.result!.error!.message, /-BackupMode: 'Weekly'/);
  assert.deepEqual(listTree(area), []);
});

test('an unknown command and a malformed request are validation failures that echo no secret', async () => {
  const r = await runCli('Invoke-Nothing', {});
  assert.equal(r.exitCode, 3);
  assert.equal(r.result!.error!.code, 'UNKNOWN_COMMAND');
  const bad = await runCli('Invoke-AlteryxBackup', { secrets: { NotASecretKey: 'x' } as Record<string, string> });
  assert.equal(bad.exitCode, 3);
  assert.equal(bad.result!.error!.code, 'REQUEST_INVALID');
});

test('a config error never prints a secret passed on stdin', async () => {
  const secret = `pw-${os.hostname()}-Zq9`;
  const c = goodConfig();
  c.MongoDBConfiguration = { Type: 'self-managed', SelfManagedMongoDB: { ConnectionString: `mongodb://admin:${secret}@h/x` } };
  const r = await runCli('Invoke-AlteryxBackup', { configPath: writeConfig(c), secrets: { MongoPassword: secret } });
  assert.equal(r.exitCode, 3);
  assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret));
});
