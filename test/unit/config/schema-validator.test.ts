import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SCHEMA_PATH } from '../../../src/config/load-config';
import { generateValidatorModule, loadConfigValidator, schemaSha256 } from '../../../src/config/schema-validator';

/**
 * The pre-generated validator (build/gen-config-validator.js) must behave
 * exactly like compiling the schema, and must not be used for another schema.
 */

// Inside the checkout, so the generated code finds ajv/dist/runtime/* in node_modules.
const tmp = { dir: fs.mkdtempSync(path.join(__dirname, 'validator-tmp-')) };
after(() => fs.rmSync(tmp.dir, { recursive: true, force: true }));

const schemaText = fs.readFileSync(SCHEMA_PATH, 'utf8');
const generatedPath = path.join(tmp.dir, 'generated.js');
fs.writeFileSync(generatedPath, generateValidatorModule(schemaText));

/** Configurations that exercise defaults, unknown keys, types, enums, ranges and nesting. */
function samples(): unknown[] {
  const base = () => ({
    BackupConfiguration: { TempDirectory: '/t', LocalBackupPath: '/l', LogDirectory: '/g', NetworkBackupPaths: ['/n'] },
    ServiceConfiguration: {},
    MongoDBConfiguration: {},
    AlteryxConfiguration: { ProgramDataPath: '/p', InstallPath: '/i' },
  });
  const s: any[] = [base(), {}, [], 'text', null];
  let x: any = base();
  x.BackupConfiguration.Unknown = 1;
  s.push(x);
  x = base();
  x.ServiceConfiguration.MaxServiceWaitSeconds = 'long';
  s.push(x);
  x = base();
  x.MongoDBConfiguration.Type = 'cloud';
  x.BackupConfiguration.RetentionDays = { Full: -1 };
  s.push(x);
  x = base();
  x.NotificationConfiguration = { SMTPPort: 70000, Recipients: [1, 2] };
  s.push(x);
  x = base();
  delete x.AlteryxConfiguration;
  s.push(x);
  return s;
}

test('the generated validator accepts, defaults and reports exactly what the compiled schema does', () => {
  const generated = loadConfigValidator(SCHEMA_PATH, generatedPath);
  const compiled = loadConfigValidator(SCHEMA_PATH, path.join(tmp.dir, 'missing.js'));
  assert.equal(generated.source, 'generated');
  assert.equal(compiled.source, 'compiled');
  let rejected = 0;
  for (const sample of samples()) {
    const a = structuredClone(sample);
    const b = structuredClone(sample);
    const okA = generated.validate(a);
    const okB = compiled.validate(b);
    assert.equal(okA, okB, JSON.stringify(sample));
    assert.deepEqual(a, b, 'same defaults filled in');
    assert.deepEqual(JSON.parse(JSON.stringify(generated.validate.errors ?? null)), JSON.parse(JSON.stringify(compiled.validate.errors ?? null)));
    if (!okA) rejected++;
  }
  assert.ok(rejected >= 6, `the samples include invalid configurations (${rejected} rejected)`);
});

test('a generated validator for another schema text is not used', () => {
  const edited = schemaText.replace('"title"', '"description": "edited after the build", "title"');
  assert.notEqual(schemaSha256(edited), schemaSha256(schemaText));
  const stale = path.join(tmp.dir, 'stale.js');
  fs.writeFileSync(stale, generateValidatorModule(edited));
  assert.equal(loadConfigValidator(SCHEMA_PATH, stale).source, 'compiled');
});
