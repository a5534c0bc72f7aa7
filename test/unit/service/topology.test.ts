import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeDefinition } from '../../../src/config/config-types';
import { ValidationError } from '../../../src/core/errors';
import { buildTopology, sameHost, sequenceNames, startupGroupsFor } from '../../../src/service/topology';

const LOCAL = 'ALTERYX-01';

function shape(groups: { role: string; nodes: { hostname: string; host: string | undefined }[] }[]) {
  return groups.map((g) => [g.role, g.nodes.map((n) => n.hostname)]);
}

describe('buildTopology', () => {
  it('an empty node list is this machine alone, as Controller, addressed locally', () => {
    const t = buildTopology([], LOCAL);
    assert.equal(t.isMultiNode, false);
    assert.deepEqual(shape(t.shutdown), [['Controller', [LOCAL]]]);
    assert.deepEqual(shape(t.startup), [['Controller', [LOCAL]]]);
    assert.equal(t.controller.host, undefined);
  });

  it("stops Workers → ServerUI → Controller and starts Controller → ServerUI → Workers (Alteryx's order, not the data model's)", () => {
    const nodes: NodeDefinition[] = [
      { Hostname: 'GALLERY1', Role: 'ServerUI' },
      { Hostname: 'WORKER1', Role: 'Worker' },
      { Hostname: LOCAL, Role: 'Controller' },
      { Hostname: 'WORKER2', Role: 'Worker' },
    ];
    const t = buildTopology(nodes, LOCAL);
    assert.equal(t.isMultiNode, true);
    assert.deepEqual(shape(t.shutdown), [
      ['Worker', ['WORKER1', 'WORKER2']],
      ['ServerUI', ['GALLERY1']],
      ['Controller', [LOCAL]],
    ]);
    assert.deepEqual(shape(t.startup), [
      ['Controller', [LOCAL]],
      ['ServerUI', ['GALLERY1']],
      ['Worker', ['WORKER1', 'WORKER2']],
    ]);
    assert.deepEqual(sequenceNames(t.shutdown), ['WORKER1', 'WORKER2', 'GALLERY1', LOCAL]);
    // Remote nodes are addressed by name (sc.exe \\host); the Controller never is.
    assert.deepEqual(
      t.nodes.map((n) => [n.hostname, n.host]),
      [
        [LOCAL, undefined],
        ['GALLERY1', 'GALLERY1'],
        ['WORKER1', 'WORKER1'],
        ['WORKER2', 'WORKER2'],
      ],
    );
    assert.deepEqual(t.warnings, []);
  });

  it('adds the local Controller when the list names only other nodes', () => {
    const t = buildTopology([{ Hostname: 'WORKER1', Role: 'Worker' }], LOCAL);
    assert.deepEqual(shape(t.shutdown), [['Worker', ['WORKER1']], ['Controller', [LOCAL]]]);
  });

  it('one machine listed with several roles has one service, placed by its strongest role', () => {
    const t = buildTopology(
      [
        { Hostname: LOCAL.toLowerCase(), Role: 'Controller' },
        { Hostname: `${LOCAL}.corp.local`, Role: 'Worker' },
        { Hostname: 'ui1', Role: 'Worker' },
        { Hostname: 'UI1', Role: 'ServerUI' },
      ],
      LOCAL,
    );
    assert.deepEqual(shape(t.shutdown), [['ServerUI', ['ui1']], ['Controller', [LOCAL]]]);
  });

  it('rejects two Controllers', () => {
    assert.throws(
      () => buildTopology([{ Hostname: 'A', Role: 'Controller' }, { Hostname: 'B', Role: 'Controller' }], LOCAL),
      (e: unknown) => e instanceof ValidationError && e.code === 'TOPOLOGY_INVALID',
    );
  });

  it('warns when the configured Controller is not this machine', () => {
    const t = buildTopology([{ Hostname: 'OTHER', Role: 'Controller' }], LOCAL);
    assert.equal(t.warnings.length, 1);
    assert.match(t.warnings[0], /OTHER/);
    assert.equal(t.controller.hostname, LOCAL);
  });

  it('startupGroupsFor orders any subset for a restart', () => {
    const t = buildTopology([{ Hostname: 'W', Role: 'Worker' }, { Hostname: 'U', Role: 'ServerUI' }], LOCAL);
    const subset = [t.nodes.find((n) => n.hostname === 'W')!, t.controller];
    assert.deepEqual(shape(startupGroupsFor(subset)), [['Controller', [LOCAL]], ['Worker', ['W']]]);
  });
});

describe('sameHost', () => {
  it('matches case-insensitively and short name to FQDN, but not two different FQDNs or IPs by prefix', () => {
    assert.ok(sameHost('node1', 'NODE1'));
    assert.ok(sameHost('node1', 'node1.corp.local'));
    assert.ok(!sameHost('node1.corp.local', 'node1.other.local'));
    assert.ok(!sameHost('10.0.0.1', '10.0.0.2'));
    assert.ok(!sameHost('node1', 'node2'));
  });
});
