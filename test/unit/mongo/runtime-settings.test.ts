import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../src/core/errors';
import {
  databaseInUri,
  detectFromRuntimeSettingsFile,
  detectFromRuntimeSettingsText,
  passwordInMongoUri,
  redactMongoUri,
} from '../../../src/mongo/runtime-settings';
import { parseXml, XmlSyntaxError } from '../../../src/mongo/xml-lite';
import { seeded } from './dump-samples';

const FIXTURES = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'runtime-settings');
const fixture = (name: string) => path.join(FIXTURES, name);

describe('RuntimeSettings.xml detection on realistic files', () => {
  it('explicit embedded with a custom root path', async () => {
    const d = await detectFromRuntimeSettingsFile(fixture('embedded-explicit.xml'));
    assert.equal(d.type, 'embedded');
    assert.equal(d.port, 27018);
    assert.equal(d.user, 'user');
    assert.deepEqual(d.databases, ['AlteryxService', 'AlteryxGallery', 'AlteryxGallery_Lucene']);
    assert.equal(d.embeddedRootPath, 'D:\\AlteryxData\\Persistence\\MongoDB');
    assert.equal(d.source, fixture('embedded-explicit.xml'));
    assert.deepEqual(d.warnings, []);
  });

  it('BOM, CRLF, tabs, comments (one hiding a setting) and an entity in a multi-line value', async () => {
    const d = await detectFromRuntimeSettingsFile(fixture('embedded-bom-comments.xml'));
    assert.equal(d.type, 'embedded', 'the commented-out EmbeddedMongoDBEnabled=False must be ignored');
    assert.equal(d.embeddedRootPath, 'E:\\Alteryx & Data\\MongoDB');
  });

  it('namespace prefixes and attributes: self-managed replica set', async () => {
    const d = await detectFromRuntimeSettingsFile(fixture('namespaced.xml'));
    assert.equal(d.type, 'self-managed');
    assert.equal(d.selfManaged?.serverName, 'mongo-rs0.corp.example:27019,mongo-rs1.corp.example:27019');
    assert.equal(d.port, 27019);
    assert.equal(d.selfManaged?.connectionString, undefined);
  });

  it('self-managed via MongoDBEnabled and MongoDBServerName', async () => {
    const d = await detectFromRuntimeSettingsFile(fixture('self-managed.xml'));
    assert.equal(d.type, 'self-managed');
    assert.equal(d.selfManaged?.serverName, 'mongo01.corp.example:27017');
    assert.equal(d.port, 27017);
    assert.equal(d.embeddedRootPath, undefined);
    assert.deepEqual(d.selfManaged?.databases, ['AlteryxService']);
  });

  it('Gallery web override carries the connection string (CDATA, with a password)', async () => {
    const d = await detectFromRuntimeSettingsFile(fixture('web-override.xml'));
    assert.equal(d.type, 'self-managed');
    assert.equal(d.selfManaged?.connectionString, 'mongodb://gallery_user@mongo02.corp.example:27017/AlteryxGallery?authSource=admin&replicaSet=rs0');
    assert.equal(d.selfManaged?.connectionPassword, 'S3cr&t<pw>');
    assert.ok(!JSON.stringify(d).includes('S3cr'), 'the password never serialises');
    assert.ok(!inspect(d, { depth: 10 }).includes('S3cr'), 'nor shows in util.inspect');
    const raw = 'mongodb://gallery_user:S3cr&t<pw>@mongo02.corp.example:27017/AlteryxGallery?authSource=admin&replicaSet=rs0';
    assert.equal(passwordInMongoUri(raw), 'S3cr&t<pw>');
    assert.equal(redactMongoUri(raw), 'mongodb://gallery_user:***@mongo02.corp.example:27017/AlteryxGallery?authSource=admin&replicaSet=rs0');
    assert.deepEqual(d.selfManaged?.databases, ['AlteryxGallery']);
  });

  it('a minimal file means every default: embedded', async () => {
    const d = await detectFromRuntimeSettingsFile(fixture('minimal.xml'));
    assert.equal(d.type, 'embedded');
    assert.equal(d.embeddedRootPath, undefined);
    assert.equal(d.port, 27018);
  });

  it('override without a connection string, or embedded off with no server, still says self-managed but warns', () => {
    const a = detectFromRuntimeSettingsText('<SystemSettings><Gallery><MongoDBWebOverride>True</MongoDBWebOverride></Gallery></SystemSettings>', 'x.xml');
    assert.equal(a.type, 'embedded');
    assert.equal(a.warnings.length, 1);
    const b = detectFromRuntimeSettingsText('<SystemSettings><Controller><EmbeddedMongoDBEnabled>False</EmbeddedMongoDBEnabled></Controller></SystemSettings>', 'x.xml');
    assert.equal(b.type, 'self-managed');
    assert.match(b.warnings[0], /configuration must name the server/);
  });

  it('UTF-16 LE with BOM decodes', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rs-'));
    const file = path.join(dir, 'RuntimeSettings.xml');
    const text = await fs.readFile(fixture('self-managed.xml'), 'utf8');
    await fs.writeFile(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace('UTF-8', 'UTF-16'), 'utf16le')]));
    assert.equal((await detectFromRuntimeSettingsFile(file)).type, 'self-managed');
    await fs.rm(dir, { recursive: true });
  });
});

describe('unparseable RuntimeSettings.xml is a validation failure (exit 3) naming file and line', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['broken-unclosed.xml', 6, /expected <\/LoggingPath> \(opened on line 5\)/],
    ['broken-entity.xml', 4, /'&' not followed by an entity reference/],
  ];
  for (const [name, line, why] of cases) {
    it(name, async () => {
      await assert.rejects(detectFromRuntimeSettingsFile(fixture(name)), (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        assert.equal(err.exitCode, 3);
        assert.ok(err.message.includes(fixture(name)), err.message);
        assert.match(err.message, new RegExp(`line ${line}\\b`));
        assert.match(err.message, why);
        return true;
      });
    });
  }

  it('a non-boolean flag names its line', () => {
    assert.throws(
      () => detectFromRuntimeSettingsText('<SystemSettings>\n<Controller>\n<EmbeddedMongoDBEnabled>maybe</EmbeddedMongoDBEnabled></Controller></SystemSettings>', 'rs.xml'),
      (err: unknown) => err instanceof ValidationError && /rs\.xml \(line 3\)/.test(err.message),
    );
  });

  it('a missing file is a validation failure', async () => {
    await assert.rejects(detectFromRuntimeSettingsFile(fixture('does-not-exist.xml')), (err: unknown) => err instanceof ValidationError && err.code === 'RUNTIME_SETTINGS_UNREADABLE');
  });
});

describe('xml-lite', () => {
  it('rejects what is not well-formed, with the line', () => {
    const bad: Array<[string, number]> = [
      ['<a><b></a>', 1],
      ['<a>\n<b x="1" x="2"/></a>', 2],
      ['<a>\n\n<b x=1/></a>', 3],
      ['<a></a><b/>', 1],
      ['<a>\n<!-- a -- b --></a>', 2],
      ['<a>&bogus;</a>', 1],
      ['<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', 1],
      ['', 1],
      ['<a>\n<b>\n</a>', 3],
      ['<a>&#0;</a>', 1],
      ['<a b="1"c="2"/>', 1],
      ['<a/><?xml version="1.0"?>', 1],
    ];
    for (const [text, line] of bad) {
      assert.throws(() => parseXml(text), (err: unknown) => err instanceof XmlSyntaxError && err.line === line, JSON.stringify(text));
    }
  });

  it('decodes entities, character references, CDATA and keeps attributes', () => {
    const root = parseXml(`<?xml version='1.0'?>\n<r a = "x &amp; y" b='&#x41;&#66;'>1 &lt; 2<![CDATA[ & <raw> ]]><?pi x?><c/></r>`);
    assert.equal(root.attributes.a, 'x & y');
    assert.equal(root.attributes.b, 'AB');
    assert.equal(root.text, '1 < 2 & <raw> ');
    assert.equal(root.children[0].name, 'c');
  });
});

describe('databaseInUri', () => {
  it('finds the path database, ignoring credentials and options', () => {
    assert.equal(databaseInUri('mongodb://u:p/w@h:1,h2:2/AlteryxGallery?authSource=admin'), 'AlteryxGallery');
    assert.equal(databaseInUri('mongodb+srv://c.example.net/My%20Db'), 'My Db');
    assert.equal(databaseInUri('mongodb://h:1/?x=1'), undefined);
    assert.equal(databaseInUri('mongodb://h:1'), undefined);
    assert.equal(databaseInUri('h:1/db'), undefined);
  });
});

describe('redactMongoUri', () => {
  it('masks passwords, including ones with @ or : in them, and password options', () => {
    assert.equal(redactMongoUri('mongodb://u:p@h:27017/db'), 'mongodb://u:***@h:27017/db');
    assert.equal(redactMongoUri('mongodb+srv://u:p@ss:w@rd@cluster0.example.net/?retryWrites=true'), 'mongodb+srv://u:***@cluster0.example.net/?retryWrites=true');
    assert.equal(redactMongoUri('mongodb://h:27017/db?authSource=admin&password=hunter2'), 'mongodb://h:27017/db?authSource=admin&password=***');
    assert.equal(redactMongoUri('mongodb://h1:1,h2:2/db'), 'mongodb://h1:1,h2:2/db');
    assert.equal(redactMongoUri('mongodb://onlyuser@h/db'), 'mongodb://onlyuser@h/db');
  });
});

describe('robustness: damaged RuntimeSettings.xml never crashes detection', () => {
  it('every random mutation of the fixtures detects or fails with a ValidationError that names the file and a line', async () => {
    const rnd = seeded(7);
    const names = ['embedded-explicit.xml', 'embedded-bom-comments.xml', 'namespaced.xml', 'self-managed.xml', 'web-override.xml'];
    const texts = await Promise.all(names.map((n) => fs.readFile(fixture(n), 'utf8')));
    const alphabet = '<>/&;!-[]?="\' a\n';
    let failures = 0;
    for (let n = 0; n < 3000; n++) {
      let t = texts[n % texts.length];
      for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
        const at = Math.floor(rnd() * t.length);
        const op = rnd();
        if (op < 0.4) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(rnd() * 5));
        else if (op < 0.8) t = t.slice(0, at) + alphabet[Math.floor(rnd() * alphabet.length)] + t.slice(at);
        else t = t.slice(0, at);
      }
      try {
        const d = detectFromRuntimeSettingsText(t, 'RuntimeSettings.xml');
        assert.ok(d.type === 'embedded' || d.type === 'self-managed');
      } catch (err) {
        failures++;
        assert.ok(err instanceof ValidationError, `case ${n}: ${String(err)}`);
        assert.match(err.message, /^RuntimeSettings\.xml .*line \d+/, `case ${n}: ${err.message}`);
      }
    }
    assert.ok(failures > 1000, `most mutations break the XML (${failures})`);
  });
});

