import type { NodeDefinition } from '../../config/config-types';
import { ValidationError } from '../../core/errors';
import type { NodeResult } from '../../service/topology-runner';
import type { ServiceStep } from '../../service/service-types';
import { buildTopology, type ServiceTopology } from '../../service/topology';
import { get } from './shared';

function bad(message: string): ValidationError {
  return new ValidationError(`-MultiNodeInfo: ${message}`, 'PARAMETER_INVALID', { category: 'InvalidArgument' });
}

function hostname(v: unknown, where: string): string {
  const h = get(v, 'Hostname');
  if (typeof h !== 'string' || h.trim() === '') throw bad(`${where}.Hostname is required.`);
  return h;
}

/**
 * The topology a -MultiNodeInfo hashtable (data model §3.2, as
 * Initialize-BackupEnvironment returns it) describes; undefined when it is
 * absent or not multi-node, so the single local service is used. The order
 * is always Alteryx's (REQUIREMENTS): the sequences in the hashtable are
 * informational and are not trusted to reorder nodes.
 */
export function topologyFromParam(info: unknown, localHostname: string): ServiceTopology | undefined {
  if (info === undefined || info === null) return undefined;
  if (typeof info !== 'object' || Array.isArray(info)) throw bad('must be the MultiNodeInfo hashtable Initialize-BackupEnvironment returns.');
  const isMulti = get(info, 'IsMultiNode');
  if (isMulti !== true && isMulti !== false) throw bad('IsMultiNode is required ($true or $false).');
  if (!isMulti) return undefined;
  const defs: NodeDefinition[] = [];
  const controller = get(info, 'ControllerNode');
  if (controller !== undefined && controller !== null) defs.push({ Hostname: hostname(controller, 'ControllerNode'), Role: 'Controller' });
  const workers = get(info, 'WorkerNodes');
  for (const [i, w] of (Array.isArray(workers) ? workers : workers ? [workers] : []).entries()) defs.push({ Hostname: hostname(w, `WorkerNodes[${i}]`), Role: 'Worker' });
  const uis = get(info, 'ServerUINodes');
  const uiList = Array.isArray(uis) && uis.length > 0 ? uis : [get(info, 'ServerUINode')].filter((u) => u !== undefined && u !== null && get(u, 'IsSeparate') !== false);
  for (const [i, u] of uiList.entries()) defs.push({ Hostname: hostname(u, `ServerUINodes[${i}]`), Role: 'ServerUI' });
  return buildTopology(defs, localHostname);
}

/** ServiceStateInfo of the Controller, with every node's state and the order the controls were sent in. */
export function topologyResult(results: NodeResult[], sequence: ServiceStep[], target: 'Stopped' | 'Running'): Record<string, unknown> {
  const controller = results.find((r) => r.node.role === 'Controller') ?? results[0];
  const nodes = results.map((r) => ({ ...r.state, Role: r.node.role, Hostname: r.node.hostname }));
  return {
    ...(controller ? controller.state : {}),
    TargetState: target,
    StateChangeSuccess: results.every((r) => r.state.CurrentState === target),
    RequiresRollback: results.some((r) => r.state.RequiresRollback),
    Nodes: nodes,
    Sequence: sequence,
  };
}
