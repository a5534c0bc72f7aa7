import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRestoreLog, expectedCollections, parseRestoreLog } from '../../../src/restore/restore-log';
import { mergeRuntimeSettings, removeElementLine, withoutMachineBound } from '../../../src/restore/runtime-settings-merge';
import { allowedRestoreModes, targetPathFor } from '../../../src/restore/run-restore';
import { buildMongorestoreArgs } from '../../../src/restore/mongo-restore';
import { encryptServerSecret, serverSecretMatches, setServerSecretElement } from '../../../src/sim/server-secret';

// mongorestore 100.x wording, from https://github.com/idank/explainshell/issues/263
const GOOD = [
  '2020-07-04T18:02:48.394-0400\trestoring explainshell_tests.classifier from dump/explainshell/classifier.bson',
  '2020-07-04T18:02:48.453-0400\tfinished restoring explainshell_tests.classifier (517 documents, 0 failures)',
  '2020-07-04T18:02:48.453-0400\t517 document(s) restored successfully. 0 document(s) failed to restore.',
].join('\n');

describe('mongoRestore.log', () => {
  it('reads per-collection counts and the summary', () => {
    const f = parseRestoreLog(GOOD);
    assert.deepEqual(f.collections.get('explainshell_tests.classifier'), { documents: 517, failures: 0 });
    assert.deepEqual(f.summary, { restored: 517, failed: 0 });
    assert.equal(checkRestoreLog(f, [{ ns: 'explainshell_tests.classifier', documents: 517 }]).ok, true);
  });
  it('fails on failures, a missing summary, a count that differs from the manifest, a missing collection', () => {
    const failures = GOOD.replace('0 failures', '3 failures').replace('0 document(s) failed', '3 document(s) failed');
    assert.equal(checkRestoreLog(parseRestoreLog(failures), [{ ns: 'explainshell_tests.classifier', documents: 517 }]).ok, false);
    assert.equal(checkRestoreLog(parseRestoreLog(GOOD.split('\n').slice(0, 2).join('\n')), [{ ns: 'explainshell_tests.classifier', documents: 517 }]).ok, false);
    const c = checkRestoreLog(parseRestoreLog(GOOD), [{ ns: 'explainshell_tests.classifier', documents: 518 }, { ns: 'x.y', documents: 1 }]);
    assert.equal(c.ok, false);
    assert.equal(c.problems.length, 2);
    assert.equal(checkRestoreLog(parseRestoreLog(`${GOOD}\n2020-07-04T18:02:48.460-0400\tFailed: x.y: error`), [{ ns: 'explainshell_tests.classifier', documents: 517 }]).ok, false);
  });
  it('takes the expected counts from the manifest', () => {
    const m = { MongoDBInformation: { Databases: [{ Name: 'A', Collections: [{ Name: 'c', Documents: 2 }] }] } };
    assert.deepEqual(expectedCollections(m), [{ ns: 'A.c', documents: 2 }]);
    assert.deepEqual(expectedCollections({}), []);
  });
});

const XML = '\ufeff<?xml version="1.0"?>\r\n<SystemSettings>\r\n  <Controller>\r\n    <EmbeddedMongoDBRootPath>C:\\A\\MongoDB</EmbeddedMongoDBRootPath>\r\n    <ServerSecretEncrypted>AQAAold</ServerSecretEncrypted>\r\n    <StorageKeysEncrypted>AQAAkeys</StorageKeysEncrypted>\r\n  </Controller>\r\n  <Engine>\r\n    <NumThreads>4</NumThreads>\r\n  </Engine>\r\n</SystemSettings>\r\n';

describe('RuntimeSettings.xml for this machine', () => {
  it('drops ServerSecretEncrypted with its line, keeps StorageKeysEncrypted, takes this machine\'s paths, leaves every other byte', () => {
    const current = XML.replace('C:\\A\\MongoDB', 'D:\\B\\MongoDB');
    const m = mergeRuntimeSettings(XML, current);
    assert.deepEqual(m.keptFromTarget, ['Controller/EmbeddedMongoDBRootPath']);
    assert.equal(m.text, XML.replace('    <ServerSecretEncrypted>AQAAold</ServerSecretEncrypted>\r\n', '').replace('C:\\A\\MongoDB', 'D:\\B\\MongoDB'));
    assert.match(m.text, /<StorageKeysEncrypted>AQAAkeys</);
  });
  it('compares two hosts less the machine-bound elements', () => {
    assert.equal(withoutMachineBound(XML), withoutMachineBound(XML.replace('AQAAold', 'AQAAnew').replace('C:\\A', 'E:\\Z')));
    assert.notEqual(withoutMachineBound(XML), withoutMachineBound(XML.replace('<NumThreads>4', '<NumThreads>8')));
    assert.equal(removeElementLine(XML, 'Engine', 'Missing'), XML);
  });
  it('the sim writes the token back where the element was removed', () => {
    const without = removeElementLine(XML, 'Controller', 'ServerSecretEncrypted');
    const back = setServerSecretElement(without, 'AQAAnew');
    assert.match(back, /    <ServerSecretEncrypted>AQAAnew<\/ServerSecretEncrypted>\r\n  <\/Controller>/);
    assert.equal(withoutMachineBound(back), withoutMachineBound(XML));
  });
});

describe('the simulated machine-bound token', () => {
  it('decrypts only on the machine that encrypted it, and only to its token', () => {
    const blob = encryptServerSecret('/hosts/a', 'TOKEN');
    assert.ok(blob.startsWith('AQAAANCMnd8BFdERjHoAwE/Cl+s'));
    assert.equal(serverSecretMatches('/hosts/a', blob, 'TOKEN'), true);
    assert.equal(serverSecretMatches('/hosts/b', blob, 'TOKEN'), false);
    assert.equal(serverSecretMatches('/hosts/a', blob, 'OTHER'), false);
  });
});

describe('restore plan helpers', () => {
  it('maps archive entries to this host\'s files', () => {
    assert.equal(targetPathFor('Config/Keys/a.bin', '/pd', '/inst'), '/pd/Keys/a.bin');
    assert.equal(targetPathFor('Config/SystemAlias.xml', '/pd', '/inst'), '/pd/Engine/SystemAlias.xml');
    assert.equal(targetPathFor('Config/Tools/Acme/Acme.yxi', '/pd', '/inst'), '/pd/Tools/Acme/Acme.yxi');
    assert.equal(targetPathFor('Config/Tools/', '/pd', '/inst'), undefined);
    assert.equal(targetPathFor('Config/alteryx.config', '/pd', '/inst', 'C:\\x\\bin\\server\\config\\alteryx.config'), '/inst/bin/server/config/alteryx.config');
    assert.equal(targetPathFor('Config/ControllerToken.txt', '/pd', '/inst'), undefined);
    assert.equal(targetPathFor('MongoDB/A/c.bson', '/pd', '/inst'), undefined);
  });
  it('a Full archive restores in any mode; the others only in their own', () => {
    assert.deepEqual(allowedRestoreModes('Full'), ['Full', 'DatabaseOnly', 'ConfigOnly']);
    assert.deepEqual(allowedRestoreModes('ConfigOnly'), ['ConfigOnly']);
  });
  it('mongorestore: --drop, --gzip and --oplogReplay as the dump needs, the password never on the command line', () => {
    const args = buildMongorestoreArgs({ host: 'h', port: 27017, username: 'u', authDatabase: 'admin', password: 'S3cret', databases: [], gzip: true, display: 'h' }, '/d', '/tmp/p.yaml', { gzip: true, oplogReplay: true });
    assert.deepEqual(args, ['--host', 'h', '--port', '27017', '--username', 'u', '--authenticationDatabase', 'admin', '--config', '/tmp/p.yaml', '--drop', '--gzip', '--oplogReplay', '--dir', '/d']);
    assert.ok(!args.join(' ').includes('S3cret'));
  });
});
