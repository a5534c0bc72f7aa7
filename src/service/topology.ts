import type { NodeDefinition, NodeRole } from '../config/config-types';
import { ValidationError } from '../core/errors';
import type { ServiceNode } from './service-types';

/**
 * The order in which a multi-node Alteryx Server is taken down and brought up.
 *
 * Alteryx's documented order is: stop Workers, then Server UI (Gallery) nodes,
 * then the Controller; start the Controller, then the UI nodes, then the
 * Workers. The data model's `ShutdownSequence`/`StartupSequence` example swaps
 * UI and Workers; REQUIREMENTS.md corrects it and we follow Alteryx.
 *
 * Nodes of the same role do not depend on each other, so each role is one
 * group whose members are handled in parallel.
 */
export const SHUTDOWN_ROLE_ORDER: readonly NodeRole[] = ['Worker', 'ServerUI', 'Controller'];
export const STARTUP_ROLE_ORDER: readonly NodeRole[] = ['Controller', 'ServerUI', 'Worker'];

/** When one machine is listed with several roles it runs one service; the role that stops last and starts first wins. */
const ROLE_PRECEDENCE: Record<NodeRole, number> = { Controller: 3, ServerUI: 2, Worker: 1 };

export interface TopologyGroup {
  role: NodeRole;
  nodes: ServiceNode[];
}

export interface ServiceTopology {
  isMultiNode: boolean;
  controller: ServiceNode;
  nodes: ServiceNode[];
  /** Workers → ServerUI → Controller; empty groups are omitted. */
  shutdown: TopologyGroup[];
  /** Controller → ServerUI → Workers; empty groups are omitted. */
  startup: TopologyGroup[];
  /** Facts worth a warning in the log (e.g. the configured Controller is not this machine). */
  warnings: string[];
}

const LOCAL_ALIASES = new Set(['localhost', '127.0.0.1', '::1', '.']);

function shortName(h: string): string {
  return h.toLowerCase().split('.')[0];
}

/** Case-insensitive; a short name matches its FQDN (`NODE1` = `node1.corp.local`). */
export function sameHost(a: string, b: string): boolean {
  const x = a.trim().toLowerCase();
  const y = b.trim().toLowerCase();
  if (x === y) return true;
  if (x.includes('.') && y.includes('.')) return false;
  if (/^[\d.]+$/.test(x) || /^[\d.]+$/.test(y)) return false;
  return shortName(x) === shortName(y);
}

export function isLocalHostName(name: string, localHostname: string): boolean {
  return LOCAL_ALIASES.has(name.trim().toLowerCase()) || sameHost(name, localHostname);
}

function groups(nodes: ServiceNode[], order: readonly NodeRole[]): TopologyGroup[] {
  return order
    .map((role) => ({ role, nodes: nodes.filter((n) => n.role === role) }))
    .filter((g) => g.nodes.length > 0);
}

/**
 * Builds the shutdown and startup groups from `AlteryxConfiguration.Nodes`.
 * An empty list means a single-node server: this machine, as Controller.
 * The Controller is always this machine (the backup runs where MongoDB is);
 * it is addressed locally, never through `\\host`.
 */
export function buildTopology(nodeDefs: readonly NodeDefinition[], localHostname: string): ServiceTopology {
  const warnings: string[] = [];
  const controllers = nodeDefs.filter((n) => n.Role === 'Controller');
  if (controllers.length > 1) {
    throw new ValidationError(
      `AlteryxConfiguration.Nodes lists ${controllers.length} Controllers (${controllers.map((c) => c.Hostname).join(', ')}); a server has exactly one.`,
      'TOPOLOGY_INVALID',
    );
  }
  const controllerName = controllers[0]?.Hostname ?? localHostname;
  if (controllers.length === 1 && !isLocalHostName(controllerName, localHostname)) {
    warnings.push(
      `AlteryxConfiguration.Nodes names '${controllerName}' as the Controller, but this machine is '${localHostname}'. ` +
        'The backup must run on the Controller; the local service is treated as the Controller.',
    );
  }
  const controller: ServiceNode = { hostname: localHostname, host: undefined, role: 'Controller' };

  // One entry per machine. Listing the Controller again as a Worker (a common
  // single-box setup) must not stop its one service twice.
  const byHost: ServiceNode[] = [controller];
  for (const def of nodeDefs) {
    if (def.Role === 'Controller') continue;
    const local = isLocalHostName(def.Hostname, localHostname);
    const existing = byHost.find((n) => (local ? n.host === undefined : n.host !== undefined && sameHost(n.hostname, def.Hostname)));
    if (existing) {
      if (ROLE_PRECEDENCE[def.Role] > ROLE_PRECEDENCE[existing.role]) existing.role = def.Role;
      continue;
    }
    byHost.push({ hostname: def.Hostname, host: def.Hostname, role: def.Role });
  }
  return {
    isMultiNode: byHost.length > 1,
    controller,
    nodes: byHost,
    shutdown: groups(byHost, SHUTDOWN_ROLE_ORDER),
    startup: groups(byHost, STARTUP_ROLE_ORDER),
    warnings,
  };
}

/** Sorts any subset of nodes into startup groups (used to restart what was stopped). */
export function startupGroupsFor(nodes: readonly ServiceNode[]): TopologyGroup[] {
  return groups([...nodes], STARTUP_ROLE_ORDER);
}

/** The data model's MultiNodeInfo sequences, as host names. */
export function sequenceNames(groupsList: readonly TopologyGroup[]): string[] {
  return groupsList.flatMap((g) => g.nodes.map((n) => n.hostname));
}
