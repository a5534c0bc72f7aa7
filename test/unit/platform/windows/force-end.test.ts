import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandResult, RunOptions } from '../../../../src/platform/platform';
import { parseScQueryexPid, WindowsPlatform } from '../../../../src/platform/windows/windows-platform';
import { fixture } from './fixture-path';

function replay(answers: [string, number][]) {
  const calls: Array<{ file: string; args: readonly string[] }> = [];
  const run = (file: string, args: readonly string[], _o?: RunOptions): Promise<CommandResult> => {
    calls.push({ file, args });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected call ${file} ${args.join(' ')}`);
    return Promise.resolve({ exitCode: next[1], signal: null, stdout: fixture(next[0]), stderr: '', timedOut: false });
  };
  return { platform: new WindowsPlatform({ installPath: 'C:\\Program Files\\Alteryx', run, system32: 'C:\\Windows\\System32' }), calls };
}

describe('ending a hung service (replayed sc.exe queryex + taskkill)', () => {
  it('reads the PID from sc queryex and ends the tree with taskkill /PID n /T /F', async () => {
    assert.equal(parseScQueryexPid(fixture('sc-queryex-stop-pending.txt')), 4242);
    assert.equal(parseScQueryexPid(fixture('sc-query-stop-pending.txt')), undefined, 'plain sc query has no PID line');
    const { platform, calls } = replay([
      ['sc-queryex-stop-pending.txt', 0],
      ['taskkill-ok.txt', 0],
    ]);
    await platform.services.endServiceProcessTree!('AlteryxService');
    assert.deepEqual(calls, [
      { file: 'C:\\Windows\\System32\\sc.exe', args: ['queryex', 'AlteryxService'] },
      { file: 'C:\\Windows\\System32\\taskkill.exe', args: ['/PID', '4242', '/T', '/F'] },
    ]);
  });

  it('a remote node: \\\\host for sc.exe, /S host for taskkill; "not found" (128) is fine', async () => {
    const { platform, calls } = replay([
      ['sc-queryex-stop-pending.txt', 0],
      ['taskkill-not-found.txt', 128],
    ]);
    await platform.services.endServiceProcessTree!('AlteryxService', 'WORKER1');
    assert.deepEqual(calls[0].args, ['\\\\WORKER1', 'queryex', 'AlteryxService']);
    assert.deepEqual(calls[1].args, ['/S', 'WORKER1', '/PID', '4242', '/T', '/F']);
  });

  it('netsh http show sslcert is run from System32', async () => {
    const { platform, calls } = replay([['netsh-http-show-sslcert.txt', 0]]);
    const out = await platform.httpSslBindings();
    assert.match(out, /Certificate Hash/);
    assert.deepEqual(calls, [{ file: 'C:\\Windows\\System32\\netsh.exe', args: ['http', 'show', 'sslcert'] }]);
  });
});
