import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { criticalFiles, isModifiedAfterInstall, modeContents } from '../../../src/core/file-matrix';

const opts = { programDataPath: 'C:\\ProgramData\\Alteryx', installPath: 'C:\\Program Files\\Alteryx', includeKeys: true, includeConfigFile: true, pathApi: path.win32 };

test('the data model matrix: DatabaseOnly has no files, Full and ConfigOnly have the same files', () => {
  assert.deepEqual(criticalFiles('DatabaseOnly', opts), []);
  assert.deepEqual(criticalFiles('Full', opts), criticalFiles('ConfigOnly', opts));
  assert.deepEqual(modeContents('Full'), { mongoDump: true, files: true, controllerSettings: true, serviceStop: true });
  assert.deepEqual(modeContents('DatabaseOnly'), { mongoDump: true, files: false, controllerSettings: false, serviceStop: true });
  assert.deepEqual(modeContents('ConfigOnly'), { mongoDump: false, files: true, controllerSettings: true, serviceStop: false });
});

test('paths follow the Alteryx layout, and alteryx.config is looked for in both install layouts', () => {
  const files = criticalFiles('ConfigOnly', opts);
  const byArchive = (a: string) => files.filter((f) => f.archivePath === a).map((f) => f.sourcePath);
  assert.deepEqual(byArchive('Config/RuntimeSettings.xml'), ['C:\\ProgramData\\Alteryx\\RuntimeSettings.xml']);
  assert.deepEqual(byArchive('Config/Keys/'), ['C:\\ProgramData\\Alteryx\\Keys']);
  assert.deepEqual(byArchive('Config/SystemAlias.xml'), ['C:\\ProgramData\\Alteryx\\Engine\\SystemAlias.xml']);
  assert.deepEqual(byArchive('Config/SystemConnections.xml'), ['C:\\ProgramData\\Alteryx\\Engine\\SystemConnections.xml']);
  assert.deepEqual(byArchive('Config/alteryx.config'), [
    'C:\\Program Files\\Alteryx\\bin\\server\\config\\alteryx.config',
    'C:\\Program Files\\Alteryx\\bin\\config\\alteryx.config',
  ]);
  assert.equal(files.find((f) => f.archivePath === 'Config/RuntimeSettings.xml')!.required, true);
  assert.equal(files.find((f) => f.archivePath === 'Config/Keys/')!.warnIfMissing, true);
});

test('BackupKeys and BackupConfigFile switch their entries off', () => {
  const files = criticalFiles('Full', { ...opts, includeKeys: false, includeConfigFile: false });
  assert.ok(!files.some((f) => f.archivePath === 'Config/Keys/'));
  assert.ok(!files.some((f) => f.archivePath === 'Config/alteryx.config'));
});

test('alteryx.config counts as modified only well after install', () => {
  const install = new Date('2025-01-01T00:00:00Z');
  assert.equal(isModifiedAfterInstall(new Date('2025-01-01T00:00:30Z'), install), false);
  assert.equal(isModifiedAfterInstall(new Date('2025-03-01T00:00:00Z'), install), true);
  assert.equal(isModifiedAfterInstall(new Date('2025-03-01T00:00:00Z'), undefined), true);
});
