import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScFailure, parseScQc, parseScQuery, ScParseError, scFields } from '../../../../src/platform/windows/sc-query-parser';
import { fixture } from './fixture-path';

describe('parseScQuery on recorded sc.exe output', () => {
  const cases: [string, string, number][] = [
    ['sc-query-running.txt', 'Running', 4],
    ['sc-query-stopped.txt', 'Stopped', 1],
    ['sc-query-stop-pending.txt', 'StopPending', 3],
    ['sc-query-start-pending.txt', 'StartPending', 2],
    ['sc-query-paused.txt', 'Paused', 7],
    ['sc-query-stopped-crashed.txt', 'Stopped', 1],
    ['sc-start-ok.txt', 'StartPending', 2],
    ['sc-stop-ok.txt', 'StopPending', 3],
    ['sc-query-running.de-DE.txt', 'Running', 4],
    ['sc-query-stop-pending.de-DE.txt', 'StopPending', 3],
    ['sc-query-stopped.fr-FR.txt', 'Stopped', 1],
  ];
  for (const [file, state, code] of cases) {
    it(`${file} → ${state}`, () => {
      const r = parseScQuery(fixture(file));
      assert.equal(r.state, state);
      assert.equal(r.stateCode, code);
      assert.equal(r.serviceName, 'AlteryxService');
    });
  }

  it('does not mistake the TYPE line (10 WIN32_OWN_PROCESS) or WIN32_EXIT_CODE for the state', () => {
    // The crashed fixture has WIN32_EXIT_CODE 1067; the German one has translated keys.
    assert.equal(parseScQuery(fixture('sc-query-stopped-crashed.txt')).stateCode, 1);
  });

  it('reads the PID that sc.exe start prints', () => {
    assert.equal(parseScQuery(fixture('sc-start-ok.txt')).pid, 5124);
    assert.equal(parseScQuery(fixture('sc-query-running.txt')).pid, undefined);
  });

  it('throws ScParseError on error output instead of guessing a state', () => {
    for (const f of ['sc-query-not-found.txt', 'sc-query-access-denied.txt', 'sc-query-rpc-unavailable.txt', 'sc-query-not-found.de-DE.txt']) {
      assert.throws(() => parseScQuery(fixture(f)), ScParseError, f);
    }
    assert.throws(() => parseScQuery(''), ScParseError);
  });
});

describe('parseScFailure', () => {
  const cases: [string, number, string, RegExp][] = [
    ['sc-query-not-found.txt', 1060, 'EnumQueryServicesStatus:OpenService', /does not exist/],
    ['sc-query-not-found.de-DE.txt', 1060, 'EnumQueryServicesStatus:OpenService', /Dienst/],
    ['sc-query-access-denied.txt', 5, 'OpenService', /Access is denied/],
    ['sc-query-remote-access-denied.txt', 5, 'OpenSCManager', /Access is denied/],
    ['sc-query-rpc-unavailable.txt', 1722, 'OpenSCManager', /RPC server/],
    ['sc-query-rpc-unavailable.de-DE.txt', 1722, 'OpenSCManager', /RPC-Server/],
    ['sc-stop-not-started.txt', 1062, 'ControlService', /not been started/],
    ['sc-stop-cannot-accept-control.txt', 1061, 'ControlService', /cannot accept control/],
    ['sc-start-already-running.txt', 1056, 'StartService', /already running/],
    ['sc-start-disabled.txt', 1058, 'StartService', /disabled/],
    ['sc-qc-not-found.txt', 1060, 'OpenService', /does not exist/],
  ];
  for (const [file, code, op, msg] of cases) {
    it(`${file} → ${code}`, () => {
      const f = parseScFailure(fixture(file));
      assert.ok(f);
      assert.equal(f.code, code);
      assert.equal(f.operation, op);
      assert.match(f.message, msg);
    });
  }
  it('finds no failure in successful output (including "[SC] QueryServiceConfig SUCCESS")', () => {
    for (const f of ['sc-query-running.txt', 'sc-qc-auto-localsystem.txt', 'sc-qc-auto.de-DE.txt', 'sc-start-ok.txt']) {
      assert.equal(parseScFailure(fixture(f)), undefined, f);
    }
  });
});

describe('parseScQc', () => {
  const cases: [string, string, boolean, string][] = [
    ['sc-qc-auto-localsystem.txt', 'Automatic', false, 'LocalSystem'],
    ['sc-qc-delayed-domain-account.txt', 'Automatic', true, 'CORP\\svc-alteryx'],
    ['sc-qc-demand-networkservice.txt', 'Manual', false, 'NT AUTHORITY\\NetworkService'],
    ['sc-qc-disabled.txt', 'Disabled', false, 'LocalSystem'],
    ['sc-qc-auto.de-DE.txt', 'Automatic', false, 'NT AUTHORITY\\NetworkService'],
  ];
  for (const [file, startType, delayed, account] of cases) {
    it(`${file} → ${startType}, ${account}`, () => {
      const r = parseScQc(fixture(file));
      assert.equal(r.startType, startType);
      assert.equal(r.delayed, delayed);
      assert.equal(r.startName, account);
    });
  }
  it('throws on error output', () => {
    assert.throws(() => parseScQc(fixture('sc-qc-not-found.txt')), ScParseError);
  });
  it('skips dependency continuation lines', () => {
    const keys = scFields(fixture('sc-qc-delayed-domain-account.txt')).map((f) => f.key);
    assert.equal(keys[keys.length - 1], 'SERVICE_START_NAME');
    assert.ok(!keys.includes(''));
  });
});
