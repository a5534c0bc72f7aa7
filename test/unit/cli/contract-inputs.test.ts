/**
 * The contract's hashtable inputs (CONTRACTS.md): -ParameterOverrides keyed by
 * the ConfigurationObject's names, the files registry of data model §4.1, and
 * -MultiNodeInfo of §3.2. Expected values are written out from the documents.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { mergeOverrides, overridesFromContract } from '../../../src/cli/contract-overrides';
import { definitionsFromRegistry } from '../../../src/backup/files-registry';
import { topologyFromParam } from '../../../src/cli/commands/multi-node';
import { ValidationError } from '../../../src/core/errors';
import { sequenceNames } from '../../../src/service/topology';

describe('overridesFromContract (-ParameterOverrides)', () => {
  it('maps the ConfigurationObject names onto the loader overrides and file settings', () => {
    const o = overridesFromContract({
      tempdirectory: 'D:\\Temp',
      NetworkBackupPaths: ['\\\\nas\\a'],
      MongoType: 'self-managed',
      MaxWorkflowWait: 60,
      ForceStopWorkflows: true,
      RetentionDays: { Full: 9, configonly: 3 },
      MinimumSizeMB: 2,
      BackupMode: 'DatabaseOnly',
      MongoConfig: { Host: 'db1', Port: 27018, Password: null },
      IncludeKeys: false,
    });
    assert.equal(o.TempDirectory, 'D:\\Temp');
    assert.deepEqual(o.NetworkBackupPath, ['\\\\nas\\a']);
    assert.equal(o.MongoDBType, 'self-managed');
    assert.equal(o.BackupMode, 'DatabaseOnly');
    assert.deepEqual(o.Settings, {
      'ServiceConfiguration.MaxWorkflowWaitSeconds': 60,
      'ServiceConfiguration.ForceStopWorkflows': true,
      'BackupConfiguration.RetentionDays.Full': 9,
      'BackupConfiguration.RetentionDays.ConfigOnly': 3,
      'ValidationConfiguration.MinimumBackupSizeMB.DatabaseOnly': 2,
      'MongoDBConfiguration.SelfManagedMongoDB.Host': 'db1',
      'MongoDBConfiguration.SelfManagedMongoDB.Port': 27018,
      'FilesConfiguration.BackupKeys': false,
    });
  });

  it('refuses an unknown key, naming it and the known ones', () => {
    assert.throws(() => overridesFromContract({ TempDirectroy: 'x' }), (e: unknown) => e instanceof ValidationError && /TempDirectroy/.test(e.message) && /TempDirectory/.test(e.message));
    assert.throws(() => overridesFromContract({ RetentionDays: { Weekly: 3 } }), /Weekly/);
    assert.throws(() => overridesFromContract('nope'), /must be a hashtable/);
  });

  it('lets later overrides win, merging settings key by key', () => {
    const m = mergeOverrides({ TempDirectory: 'a', Settings: { x: 1, y: 1 } }, { TempDirectory: 'b', LogDirectory: undefined, Settings: { y: 2 } });
    assert.equal(m.TempDirectory, 'b');
    assert.deepEqual(m.Settings, { x: 1, y: 2 });
  });
});

describe('definitionsFromRegistry (-FilesRegistry, data model §4.1)', () => {
  it('copies AllModes, leaves ControllerSettings and MongoDB to their functions', () => {
    const r = definitionsFromRegistry({
      AllModes: [
        { SourcePath: 'C:\\ProgramData\\Alteryx\\RuntimeSettings.xml', DestinationPath: 'Config\\RuntimeSettings.xml', Required: true, Description: 'Primary' },
        { SourcePath: 'C:\\ProgramData\\Alteryx\\Keys\\', DestinationPath: 'Config\\Keys\\', Type: 'Directory', Required: true },
        { SourcePath: 'C:\\x\\alteryx.config', DestinationPath: 'Config\\alteryx.config', Required: false, Condition: 'CheckIfModified' },
      ],
      ControllerSettings: [{ Command: 'AlteryxService.exe getserversecret', DestinationPath: 'Config\\ControllerToken.txt' }],
      MongoDB: [{ BackupCommand: 'Invoke-MongoDBBackup', DestinationPath: 'MongoDB\\' }],
    });
    assert.deepEqual(r.skippedSections.sort(), ['ControllerSettings', 'MongoDB']);
    assert.deepEqual(
      r.definitions.map((d) => [d.archivePath, d.type, d.required, d.condition ?? null]),
      [
        ['Config/RuntimeSettings.xml', 'File', true, null],
        ['Config/Keys/', 'Directory', true, null],
        ['Config/alteryx.config', 'File', false, 'CheckIfModified'],
      ],
    );
    assert.equal(r.definitions[1].sourcePath, 'C:\\ProgramData\\Alteryx\\Keys');
  });

  it('refuses entries that could write outside the staging folder or are incomplete', () => {
    assert.throws(() => definitionsFromRegistry({ AllModes: [{ SourcePath: 'a', DestinationPath: '..\\x' }] }), /AllModes\[0\].*without '\.\.'/);
    assert.throws(() => definitionsFromRegistry({ AllModes: [{ SourcePath: 'a', DestinationPath: 'C:\\x' }] }), /must be relative/);
    assert.throws(() => definitionsFromRegistry({ AllModes: [{ DestinationPath: 'x' }] }), /SourcePath is required/);
    assert.throws(() => definitionsFromRegistry({ AllModes: [{ SourcePath: 'a', DestinationPath: 'x', Required: 'yes' }] }), /Required/);
  });
});

describe('topologyFromParam (-MultiNodeInfo, data model §3.2)', () => {
  const info = {
    IsMultiNode: true,
    ControllerNode: { Hostname: 'CTRL', IsLocal: true },
    WorkerNodes: [{ Hostname: 'W1', IsRemote: true }, { Hostname: 'W2', IsRemote: true }],
    ServerUINode: { Hostname: 'UI1', IsSeparate: true },
    // The data model's example order; Alteryx's order is used whatever this says.
    ShutdownSequence: ['UI1', 'W1', 'W2', 'CTRL'],
  };

  it("stops Workers, then UI, then the Controller; starts the reverse (REQUIREMENTS' order)", () => {
    const t = topologyFromParam(info, 'CTRL')!;
    assert.equal(t.isMultiNode, true);
    assert.deepEqual(sequenceNames(t.shutdown), ['W1', 'W2', 'UI1', 'CTRL']);
    assert.deepEqual(sequenceNames(t.startup), ['CTRL', 'UI1', 'W1', 'W2']);
  });

  it('is the local service only for a single node or no hashtable', () => {
    assert.equal(topologyFromParam(null, 'CTRL'), undefined);
    assert.equal(topologyFromParam({ IsMultiNode: false }, 'CTRL'), undefined);
  });

  it('refuses a hashtable without IsMultiNode or with a node lacking Hostname', () => {
    assert.throws(() => topologyFromParam({ ControllerNode: { Hostname: 'X' } }, 'X'), /IsMultiNode/);
    assert.throws(() => topologyFromParam({ IsMultiNode: true, WorkerNodes: [{}] }, 'X'), /WorkerNodes\[0\]\.Hostname/);
  });
});
