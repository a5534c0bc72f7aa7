import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MongodumpUsageError, parseMongodumpArgs, passwordFromConfigYaml } from '../../../src/sim/mongodump-options';

describe('passwordFromConfigYaml', () => {
  it('reads plain, single- and double-quoted values', () => {
    assert.equal(passwordFromConfigYaml('password: s3cret\n'), 's3cret');
    assert.equal(passwordFromConfigYaml("password: 'it''s: #1'\n"), "it's: #1");
    assert.equal(passwordFromConfigYaml('password: "a \\"q\\" \\\\ b"\r\n'), 'a "q" \\ b');
    assert.equal(passwordFromConfigYaml('uri: mongodb://x\n  password:   spaced  \n'), 'spaced');
    assert.equal(passwordFromConfigYaml('user: x\n'), undefined);
  });
});

describe('parseMongodumpArgs', () => {
  it('takes --opt value, --opt=value and short forms', () => {
    const o = parseMongodumpArgs(['--host=h1', '--port', '27017', '-d', 'AlteryxGallery', '-u', 'me', '--config=/tmp/c.yaml', '--gzip', '-o', '/out', '--quiet', '-j', '4']);
    assert.ok(typeof o === 'object');
    assert.deepEqual(
      { host: o.host, port: o.port, db: o.db, username: o.username, config: o.config, gzip: o.gzip, out: o.out, quiet: o.quiet },
      { host: 'h1', port: '27017', db: 'AlteryxGallery', username: 'me', config: '/tmp/c.yaml', gzip: true, out: '/out', quiet: true },
    );
  });

  it('takes a positional URI, and --help / --version', () => {
    const o = parseMongodumpArgs(['mongodb://u@h:1/db']);
    assert.ok(typeof o === 'object' && o.uri === 'mongodb://u@h:1/db');
    assert.equal(parseMongodumpArgs(['--version']), 'version');
    assert.equal(parseMongodumpArgs(['--help']), 'help');
  });

  it('rejects unknown options and missing values', () => {
    assert.throws(() => parseMongodumpArgs(['--frob']), MongodumpUsageError);
    assert.throws(() => parseMongodumpArgs(['--out']), /expected argument/);
  });
});
