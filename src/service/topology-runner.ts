import { BackupError, ValidationError } from '../core/errors';
import type { Platform, ServiceState } from '../platform/platform';
import {
  drainWorkflows,
  serviceStateOf,
  startServiceSafely,
  stopServiceSafely,
  unusableReason,
  type ServiceSettings,
  type WorkflowWaitRecord,
} from './service-controller';
import type { ServiceEventHandler, ServiceLog, ServiceNode, ServiceStateInfo, ServiceStep } from './service-types';
import { startupGroupsFor, type ServiceTopology } from './topology';

export interface TopologyRunOptions extends ServiceSettings {
  platform: Platform;
  topology: ServiceTopology;
  log: ServiceLog;
  onEvent?: ServiceEventHandler;
  /** Every action that runs is appended here (also on failure), for the manifest. */
  sequence: ServiceStep[];
}

export interface TopologyStopOptions extends TopologyRunOptions {
  /** Aborts waits. A rollback after a failure is never abortable. */
  signal?: AbortSignal;
  /** Called for each node just before its stop control is sent (the session writes its marker here). */
  beforeStop?: (node: ServiceNode) => Promise<void> | void;
  /** Called after a node we stopped has been started again by the rollback. */
  afterRestart?: (node: ServiceNode) => Promise<void> | void;
}

export interface TopologyStartOptions extends TopologyRunOptions {
  /** The nodes to start; default every node. They are started Controller → ServerUI → Workers. */
  nodes?: readonly ServiceNode[];
  /** Leave undefined for a restore: a restart of what we stopped must not be abortable. */
  signal?: AbortSignal;
  /** Marks the recorded steps as a rollback. */
  rollback?: boolean;
  afterStart?: (node: ServiceNode) => Promise<void> | void;
}

export interface NodeResult {
  node: ServiceNode;
  state: ServiceStateInfo;
}

export interface TopologyStopResult {
  /** Nodes this call stopped (RequiresRollback): exactly what must be started again. */
  stopped: ServiceNode[];
  results: NodeResult[];
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function step(
  node: ServiceNode,
  action: 'stop' | 'start',
  startedAt: number,
  result: ServiceStep['result'],
  initialState: ServiceState,
  finalState: ServiceState,
  extra: { note?: string; rollback?: boolean } = {},
): ServiceStep {
  return {
    host: node.hostname,
    role: node.role,
    action,
    at: new Date(startedAt).toISOString(),
    durationMs: Date.now() - startedAt,
    result,
    initialState,
    finalState,
    ...(extra.note !== undefined ? { note: extra.note } : {}),
    ...(extra.rollback ? { rollback: true } : {}),
  };
}

function label(node: ServiceNode): string {
  return node.host === undefined ? `${node.hostname} (local ${node.role})` : `${node.hostname} (${node.role})`;
}

/**
 * Stops every node, Workers → ServerUI → Controller, same-role nodes in
 * parallel, after waiting for workflows on all nodes at once. If any node fails, whatever this call stopped is started again
 * (Controller → ServerUI → Workers, not abortable) and the first error is
 * rethrown; a rollback failure is appended to its details.
 */
export async function stopTopology(o: TopologyStopOptions): Promise<TopologyStopResult> {
  const stopped: ServiceNode[] = [];
  const results: NodeResult[] = [];

  // Every node must be usable before any is touched (and before a long workflow wait).
  await assertAllUsable(o);

  // Wait for workflows on every node at once, before stopping any: a node
  // still busy later in the order must not keep earlier nodes down.
  const waitStarted = Date.now();
  const prior = new Map<ServiceNode, WorkflowWaitRecord>();
  if (o.topology.nodes.length > 1) {
    const drained = await Promise.allSettled(
      o.topology.nodes.map(async (node) => prior.set(node, await drainWorkflows({ ...o, beforeStop: undefined, host: node.host, signal: o.signal }))),
    );
    const failed = drained.find((d): d is PromiseRejectedResult => d.status === 'rejected');
    if (failed) throw failed.reason;
  }
  // Workflows started since the drain get only what is left of the wait.
  const remainingWorkflowWait = Math.max(0, o.maxWorkflowWaitSeconds - (Date.now() - waitStarted) / 1000);

  for (const group of o.topology.shutdown) {
    if (group.nodes.length > 1) o.log.info(`Stopping ${group.nodes.length} ${group.role} nodes in parallel.`);
    const settled = await Promise.allSettled(
      group.nodes.map(async (node) => {
        const t0 = Date.now();
        try {
          const state = await stopServiceSafely({
            ...o,
            ...(prior.has(node) ? { maxWorkflowWaitSeconds: remainingWorkflowWait, priorWorkflowWait: prior.get(node) } : {}),
            host: node.host,
            signal: o.signal,
            beforeStop: o.beforeStop ? () => o.beforeStop!(node) : undefined,
          });
          if (state.RequiresRollback) stopped.push(node);
          o.sequence.push(
            step(node, 'stop', t0, state.RequiresRollback ? 'ok' : 'skipped', state.InitialState, state.CurrentState, {
              note: state.RequiresRollback ? undefined : `already ${state.InitialState}; left as it was`,
            }),
          );
          results.push({ node, state });
        } catch (err) {
          const state = serviceStateOf(err);
          if (state?.RequiresRollback) stopped.push(node);
          o.sequence.push(step(node, 'stop', t0, 'failed', state?.InitialState ?? 'Running', state?.CurrentState ?? 'Running', { note: errorText(err) }));
          throw err;
        }
      }),
    );
    const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failures.length === 0) continue;

    const first: unknown = failures[0].reason;
    for (const f of failures.slice(1)) o.log.error(`Also failed: ${errorText(f.reason)}`);
    if (stopped.length > 0) {
      o.log.warn(`Stopping failed (${errorText(first)}); starting again the ${stopped.length} node(s) already stopped.`);
      try {
        await startTopology({ ...o, nodes: [...stopped], signal: undefined, rollback: true, afterStart: o.afterRestart });
        stopped.length = 0;
      } catch (rollbackErr) {
        o.log.error(`Rollback failed: ${errorText(rollbackErr)}`);
        if (first instanceof BackupError) first.details.push(`Rollback failed: ${errorText(rollbackErr)}`);
      }
    }
    throw first;
  }
  return { stopped, results };
}

async function assertAllUsable(o: TopologyStopOptions): Promise<void> {
  const problems: string[] = [];
  let missing = false;
  await Promise.all(
    o.topology.nodes.map(async (node) => {
      const status = await o.platform.services.query(o.serviceName, node.host);
      if (status.state === 'NotFound') {
        missing = true;
        problems.push(`${label(node)}: the service ${o.serviceName} does not exist`);
        return;
      }
      const why = unusableReason(status);
      if (why) problems.push(`${label(node)}: ${why}`);
    }),
  );
  if (problems.length === 0) return;
  throw new ValidationError(
    `Refusing to stop ${o.serviceName}: ${problems.join('; ')}. Nothing was stopped.`,
    missing ? 'SERVICE_NOT_FOUND' : 'SERVICE_NOT_USABLE',
    { category: missing ? 'ObjectNotFound' : 'InvalidOperation', details: problems },
  );
}

/**
 * Starts nodes Controller → ServerUI → Workers, same-role nodes in parallel.
 * Keeps going past a failed group (a Worker waits for its Controller on its
 * own), so as much as possible is running again; then throws the first error.
 */
export async function startTopology(o: TopologyStartOptions): Promise<NodeResult[]> {
  const groupsList = o.nodes ? startupGroupsFor(o.nodes) : o.topology.startup;
  const results: NodeResult[] = [];
  const failures: unknown[] = [];
  for (const group of groupsList) {
    if (group.nodes.length > 1) o.log.info(`Starting ${group.nodes.length} ${group.role} nodes in parallel.`);
    await Promise.all(
      group.nodes.map(async (node) => {
        const t0 = Date.now();
        try {
          // Every node started here is one we sent a stop to.
          const state = await startServiceSafely({ ...o, host: node.host, signal: o.signal, stopWasSent: true });
          o.sequence.push(step(node, 'start', t0, 'ok', state.InitialState, state.CurrentState, { rollback: o.rollback }));
          results.push({ node, state });
          if (o.afterStart) await o.afterStart(node);
        } catch (err) {
          const state = serviceStateOf(err);
          o.log.error(`Could not start ${label(node)}: ${errorText(err)}`);
          o.sequence.push(
            step(node, 'start', t0, 'failed', state?.InitialState ?? 'Stopped', state?.CurrentState ?? 'Stopped', {
              note: errorText(err),
              rollback: o.rollback,
            }),
          );
          failures.push(err);
        }
      }),
    );
  }
  if (failures.length > 0) {
    const first = failures[0];
    if (first instanceof BackupError) for (const f of failures.slice(1)) first.details.push(`Also failed: ${errorText(f)}`);
    throw first;
  }
  return results;
}
