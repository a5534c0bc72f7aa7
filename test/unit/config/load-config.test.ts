import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig, dottedPath, isAbsoluteForPlatform, DEFAULT_CONFIG_PATH } from '../../../src/config/load-config';
import { ValidationError, InvalidBackupModeError } from '../../../src/core/errors';
import { makeTempDir } from '../../helpers/temp-dir';

const tmp = makeTempDir('axb-config-');
after(tmp.cleanup);

function validConfig(): Record<string, any> {
  const root = tmp.dir;
  return {
    BackupConfiguration: {
      TempDirectory: path.join(root, 'temp'),
      LocalBackupPath: path.join(root, 'local'),
      LogDirectory: path.join(root, 'logs'),
      NetworkBackupPaths: [path.join(root, 'net1')],
    },
    ServiceConfiguration: {},
    MongoDBConfiguration: {},
    AlteryxConfiguration: {
      ProgramDataPath: path.join(root, 'ProgramData', 'Alteryx'),
      InstallPath: path.join(root, 'Program Files', 'Alteryx'),
      Platform: 'Simulated',
      SimulatedHostRoot: root,
    },
  };
}

let n = 0;
function write(content: unknown): string {
  const file = path.join(tmp.dir, `cfg-${n++}.json`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

function configError(file: string, overrides = {}): ValidationError {
  try {
    loadConfig(file, overrides);
  } catch (err) {
    assert.ok(err instanceof ValidationError, `expected ValidationError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the config to be rejected');
}

test('a minimal config gets every default from the data model', () => {
  const cfg = loadConfig(write(validConfig()));
  assert.equal(cfg.BackupMode, 'Full');
  assert.deepEqual(cfg.RetentionDays, { Full: 30, DatabaseOnly: 14, ConfigOnly: 30 });
  assert.equal(cfg.MaxServiceWait, 7200);
  assert.equal(cfg.MaxWorkflowWait, 3600);
  assert.equal(cfg.ForceStopWorkflows, false);
  assert.equal(cfg.MongoType, 'auto');
  assert.equal(cfg.file.MongoDBConfiguration.SelfManagedMongoDB.Port, 27017);
  assert.equal(cfg.file.NotificationConfiguration.SMTPPort, 587);
  assert.equal(cfg.file.AlteryxConfiguration.ServiceName, 'AlteryxService');
  assert.equal(cfg.MinimumSizeMB, 1);
  assert.equal(cfg.file.BackupConfiguration.CopyRetryCount, 3);
});

test('parameters win over the file, and RetentionDays applies to the chosen mode', () => {
  const cfg = loadConfig(write(validConfig()), {
    BackupMode: 'ConfigOnly',
    RetentionDays: 5,
    MaxServiceWait: 60,
    NetworkBackupPath: ['/mnt/a', '/mnt/b'],
    StopServiceForExternalDB: true,
  });
  assert.equal(cfg.BackupMode, 'ConfigOnly');
  assert.equal(cfg.RetentionDays.ConfigOnly, 5);
  assert.equal(cfg.RetentionDays.Full, 30);
  assert.equal(cfg.MaxServiceWait, 60);
  assert.deepEqual(cfg.NetworkBackupPaths, ['/mnt/a', '/mnt/b']);
  assert.equal(cfg.StopServiceForExternalDB, true);
  assert.equal(cfg.MinimumSizeMB, 0.005); // ConfigOnly's floor: 5 KB (issue 11 point 11; src/core/required-entries.ts)
});

test('an unknown key is rejected with its dotted path and the file name', () => {
  const c = validConfig();
  c.BackupConfiguration.RetentionDays = { Full: 30, Fulll: 3 };
  c.Extra = true;
  const file = write(c);
  const e = configError(file);
  assert.equal(e.exitCode, 3);
  assert.equal(e.code, 'CONFIG_INVALID');
  assert.ok(e.message.includes(file));
  assert.match(e.message, /BackupConfiguration\.RetentionDays\.Fulll: unknown key/);
  assert.match(e.message, /Extra: unknown key/);
});

test('a wrong type ("7" for a number) is rejected, not coerced', () => {
  const c = validConfig();
  c.ServiceConfiguration.MaxServiceWaitSeconds = '7';
  const e = configError(write(c));
  assert.match(e.message, /ServiceConfiguration\.MaxServiceWaitSeconds: must be of type integer, got "7" \(string\)/);
});

test('out-of-range numbers are rejected', () => {
  const c = validConfig();
  c.BackupConfiguration.RetentionDays = { Full: 0 };
  c.MongoDBConfiguration.SelfManagedMongoDB = { Port: 70000 };
  const e = configError(write(c));
  assert.match(e.message, /BackupConfiguration\.RetentionDays\.Full: must be >= 1, got 0/);
  assert.match(e.message, /MongoDBConfiguration\.SelfManagedMongoDB\.Port: must be <= 65535, got 70000/);
});

test('relative paths are rejected, and every error is reported at once', () => {
  const c = validConfig();
  c.BackupConfiguration.TempDirectory = 'temp';
  c.BackupConfiguration.NetworkBackupPaths = ['/ok', 'share\\x'];
  c.BackupConfiguration.Bogus = 1;
  const e = configError(write(c));
  assert.match(e.message, /BackupConfiguration\.TempDirectory: must be an absolute path, got "temp"/);
  assert.match(e.message, /BackupConfiguration\.NetworkBackupPaths\[1\]: must be an absolute path/);
  assert.match(e.message, /BackupConfiguration\.Bogus: unknown key/);
  assert.equal(e.details.length, 3);
  for (const d of e.details) assert.ok(d.startsWith(tmp.dir), 'each detail names the file');
});

test('a missing file and a file that is not JSON are validation failures naming the file', () => {
  const missing = path.join(tmp.dir, 'nope.json');
  const e1 = configError(missing);
  assert.equal(e1.code, 'CONFIG_NOT_FOUND');
  assert.ok(e1.message.includes(missing));
  const notJson = write('{ "BackupConfiguration": { "TempDirectory": "/x", }\n');
  const e2 = configError(notJson);
  assert.equal(e2.code, 'CONFIG_INVALID_JSON');
  assert.ok(e2.message.includes(notJson));
  const arr = configError(write('[1,2]'));
  assert.equal(arr.code, 'CONFIG_INVALID');
});

test('a BOM at the start of the file (Notepad) is accepted', () => {
  const file = write('\uFEFF' + JSON.stringify(validConfig()));
  assert.equal(loadConfig(file).BackupMode, 'Full');
});

test('an invalid mode, from the file or a parameter, is exit 6', () => {
  const c = validConfig();
  c.BackupConfiguration.DefaultBackupMode = 'Weekly';
  assert.throws(() => loadConfig(write(c)), (e: unknown) => e instanceof InvalidBackupModeError && e.exitCode === 6);
  assert.throws(() => loadConfig(write(validConfig()), { BackupMode: 'Foo' }), (e: unknown) => e instanceof InvalidBackupModeError && /-BackupMode/.test(e.message));
});

test('self-managed MongoDB needs connection settings, and a password in the URI is refused', () => {
  const c = validConfig();
  c.MongoDBConfiguration = { Type: 'self-managed' };
  assert.match(configError(write(c)).message, /ConnectionString or Host is required/);
  c.MongoDBConfiguration = { Type: 'self-managed', SelfManagedMongoDB: { ConnectionString: 'mongodb://u:pw@h:27017/db' } };
  const e = configError(write(c));
  assert.match(e.message, /must not contain a password/);
  assert.ok(!e.message.includes('u:pw@'), 'the password itself is not echoed');
});

test('multi-node lists need exactly one Controller and unique host names', () => {
  const c = validConfig();
  c.AlteryxConfiguration.Nodes = [
    { Hostname: 'W1', Role: 'Worker' },
    { Hostname: 'w1', Role: 'Worker' },
  ];
  const e = configError(write(c));
  assert.match(e.message, /exactly one Controller/);
  assert.match(e.message, /Nodes\[1\]\.Hostname: "w1" is listed twice/);
});

test('helpers: dotted paths and absolute paths per platform', () => {
  assert.equal(dottedPath('/BackupConfiguration/NetworkBackupPaths/2'), 'BackupConfiguration.NetworkBackupPaths[2]');
  assert.equal(dottedPath('', 'Foo'), 'Foo');
  assert.equal(isAbsoluteForPlatform('D:\\Backups', 'win32'), true);
  assert.equal(isAbsoluteForPlatform('\\\\server\\share\\x', 'win32'), true);
  assert.equal(isAbsoluteForPlatform('\\rooted', 'win32'), false);
  assert.equal(isAbsoluteForPlatform('Backups', 'win32'), false);
  assert.equal(isAbsoluteForPlatform('/var/x', 'linux'), true);
  assert.equal(isAbsoluteForPlatform('D:\\x', 'linux'), false);
});

test('the shipped config files validate against the schema', () => {
  // The defaults are Windows paths, so on this platform only the path rule may complain.
  const shipped = [DEFAULT_CONFIG_PATH, path.join(path.dirname(DEFAULT_CONFIG_PATH), 'backup-config.example.json')];
  for (const file of shipped) {
    try {
      loadConfig(file);
      if (process.platform !== 'win32') assert.fail(`${file} has Windows paths and should not load on ${process.platform}`);
    } catch (err) {
      assert.ok(err instanceof ValidationError, String(err));
      if (process.platform === 'win32') throw err;
      assert.ok(err.details.length > 0, `${file}: ${err.message}`);
      for (const d of err.details) assert.match(d, /must be an absolute path/, `${file}: only the Windows paths may fail here: ${d}`);
    }
  }
});
