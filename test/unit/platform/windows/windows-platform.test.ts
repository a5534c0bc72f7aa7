import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../src/core/errors';
import type { CommandResult, RunOptions } from '../../../../src/platform/platform';
import { WindowsCommandError, WindowsPlatform } from '../../../../src/platform/windows/windows-platform';
import { fixture } from './fixture-path';

interface Call {
  file: string;
  args: readonly string[];
}

/** Replays recorded outputs: each expected call answers with a fixture file and the exit code the real program gives. */
function replay(answers: [string, number][]) {
  const calls: Call[] = [];
  const run = (file: string, args: readonly string[], _o?: RunOptions): Promise<CommandResult> => {
    calls.push({ file, args });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected call ${file} ${args.join(' ')}`);
    return Promise.resolve({ exitCode: next[1], signal: null, stdout: fixture(next[0]), stderr: '', timedOut: false });
  };
  const platform = new WindowsPlatform({ installPath: 'C:\\Program Files\\Alteryx', run, system32: 'C:\\Windows\\System32' });
  return { platform, calls };
}

describe('WindowsPlatform services (replayed sc.exe)', () => {
  it('queries state and start type with sc.exe query + qc, locally without \\\\host', async () => {
    const { platform, calls } = replay([
      ['sc-query-running.txt', 0],
      ['sc-qc-auto-localsystem.txt', 0],
    ]);
    assert.deepEqual(await platform.services.query('AlteryxService'), { state: 'Running', startType: 'Automatic' });
    assert.deepEqual(calls, [
      { file: 'C:\\Windows\\System32\\sc.exe', args: ['query', 'AlteryxService'] },
      { file: 'C:\\Windows\\System32\\sc.exe', args: ['qc', 'AlteryxService'] },
    ]);
  });

  it('addresses a remote node as \\\\host', async () => {
    const { platform, calls } = replay([
      ['sc-query-stop-pending.de-DE.txt', 0],
      ['sc-qc-disabled.txt', 0],
    ]);
    assert.deepEqual(await platform.services.query('AlteryxService', 'worker1'), { state: 'StopPending', startType: 'Disabled' });
    assert.deepEqual(calls[0].args, ['\\\\worker1', 'query', 'AlteryxService']);
    assert.deepEqual(calls[1].args, ['\\\\worker1', 'qc', 'AlteryxService']);
  });

  it('reports a missing service as NotFound (1060), in any language', async () => {
    for (const f of ['sc-query-not-found.txt', 'sc-query-not-found.de-DE.txt']) {
      const { platform } = replay([[f, 1060]]);
      assert.deepEqual(await platform.services.query('AlteryxService'), { state: 'NotFound', startType: 'Unknown' });
    }
  });

  it('turns access denied (5) into a ValidationError SERVICE_ACCESS_DENIED', async () => {
    const { platform } = replay([['sc-query-access-denied.txt', 5]]);
    await assert.rejects(platform.services.query('AlteryxService'), (e: unknown) => e instanceof ValidationError && e.code === 'SERVICE_ACCESS_DENIED');
  });

  it('marks RPC server unavailable (1722) on a remote node as transient', async () => {
    const { platform } = replay([['sc-query-rpc-unavailable.de-DE.txt', 1722]]);
    await assert.rejects(platform.services.query('AlteryxService', 'worker2'), (e: unknown) => {
      assert.ok(e instanceof WindowsCommandError);
      assert.equal(e.win32Code, 1722);
      assert.equal(e.transient, true);
      assert.equal(e.code, 'SC_FAILED_1722');
      assert.match(e.message, /\\\\worker2/);
      return true;
    });
  });

  it('treats stop on a service that is not started (1062) and start on a running one (1056) as done', async () => {
    const { platform, calls } = replay([
      ['sc-stop-not-started.txt', 1062],
      ['sc-start-already-running.txt', 1056],
    ]);
    await platform.services.stop('AlteryxService', 'ui1');
    await platform.services.start('AlteryxService');
    assert.deepEqual(calls.map((c) => c.args), [['\\\\ui1', 'stop', 'AlteryxService'], ['start', 'AlteryxService']]);
  });

  it('fails a stop the service cannot accept (1061), and a start of a disabled service (1058) as SERVICE_NOT_USABLE', async () => {
    const { platform } = replay([
      ['sc-stop-cannot-accept-control.txt', 1061],
      ['sc-start-disabled.txt', 1058],
    ]);
    await assert.rejects(platform.services.stop('AlteryxService'), (e: unknown) => e instanceof WindowsCommandError && e.win32Code === 1061 && !e.transient);
    await assert.rejects(platform.services.start('AlteryxService'), (e: unknown) => e instanceof ValidationError && e.code === 'SERVICE_NOT_USABLE');
  });

  it('a remote sc.exe that does not answer in time is a transient SC_TIMEOUT, not a state', async () => {
    const platform = new WindowsPlatform({
      installPath: 'C:\\Program Files\\Alteryx',
      system32: 'C:\\Windows\\System32',
      run: async () => ({ exitCode: null, signal: 'SIGKILL', stdout: '', stderr: '', timedOut: true }),
    });
    await assert.rejects(platform.services.query('AlteryxService', 'worker1'), (e: unknown) => e instanceof WindowsCommandError && e.code === 'SC_TIMEOUT' && e.transient);
    await assert.rejects(platform.services.stop('AlteryxService', 'worker1'), (e: unknown) => e instanceof WindowsCommandError && e.transient);
  });

  it('reads the Log On account from sc.exe qc', async () => {
    const { platform } = replay([['sc-qc-delayed-domain-account.txt', 0]]);
    assert.equal(await platform.services.logOnAccount('AlteryxService'), 'CORP\\svc-alteryx');
  });

  it('knows where AlteryxService.exe is', () => {
    const { platform } = replay([]);
    assert.equal(platform.alteryxServiceExecutable(), 'C:\\Program Files\\Alteryx\\bin\\AlteryxService.exe');
    // The version fallback reads the version resource of the same file (src/platform/pe-version.ts).
    assert.equal(platform.alteryxServiceImage(), 'C:\\Program Files\\Alteryx\\bin\\AlteryxService.exe');
  });
});

describe('WindowsPlatform processes (replayed tasklist/taskkill)', () => {
  it('lists AlteryxEngineCmd with an IMAGENAME filter, /S for a remote node', async () => {
    const { platform, calls } = replay([
      ['tasklist-two-workflows.csv', 0],
      ['tasklist-no-match.de-DE.txt', 0],
    ]);
    assert.deepEqual(await platform.processes.find('AlteryxEngineCmd'), [
      { pid: 4312, name: 'AlteryxEngineCmd' },
      { pid: 7788, name: 'AlteryxEngineCmd' },
    ]);
    assert.deepEqual(await platform.processes.find('AlteryxEngineCmd', 'worker1'), []);
    assert.deepEqual(calls, [
      { file: 'C:\\Windows\\System32\\tasklist.exe', args: ['/FO', 'CSV', '/NH', '/FI', 'IMAGENAME eq AlteryxEngineCmd.exe'] },
      { file: 'C:\\Windows\\System32\\tasklist.exe', args: ['/S', 'worker1', '/FO', 'CSV', '/NH', '/FI', 'IMAGENAME eq AlteryxEngineCmd.exe'] },
    ]);
  });

  it('keeps only the image asked for, even if the filter let others through', async () => {
    const platform = new WindowsPlatform({
      installPath: 'C:\\Program Files\\Alteryx',
      system32: 'C:\\Windows\\System32',
      run: async () => ({
        exitCode: 0,
        signal: null,
        stdout: '"AlteryxEngineCmd.exe","4312","Services","0","1,000 K"\r\n"AlteryxService.exe","900","Services","0","9,000 K"\r\n',
        stderr: '',
        timedOut: false,
      }),
    });
    assert.deepEqual(await platform.processes.find('AlteryxEngineCmd'), [{ pid: 4312, name: 'AlteryxEngineCmd' }]);
  });

  it('fails (transient) when the remote node does not answer, instead of reporting no workflows', async () => {
    const { platform } = replay([['tasklist-rpc-unavailable.txt', 1]]);
    await assert.rejects(platform.processes.find('AlteryxEngineCmd', 'worker1'), (e: unknown) => e instanceof WindowsCommandError && e.transient);
  });

  it('kills with taskkill /PID n /F and accepts "not found" (exit 128)', async () => {
    const { platform, calls } = replay([
      ['taskkill-ok.txt', 0],
      ['taskkill-not-found.de-DE.txt', 128],
    ]);
    await platform.processes.kill(4312);
    await platform.processes.kill(4312, 'worker1');
    assert.deepEqual(calls.map((c) => c.args), [['/PID', '4312', '/F'], ['/S', 'worker1', '/PID', '4312', '/F']]);
  });

  it('refuses to kill PID 0 or a negative PID', async () => {
    const { platform, calls } = replay([]);
    await assert.rejects(platform.processes.kill(0));
    await assert.rejects(platform.processes.kill(-4));
    assert.equal(calls.length, 0);
  });
});
