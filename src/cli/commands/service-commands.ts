import type { ServiceStep } from '../../service/service-types';
import { notFound as serviceNotFound, serviceSettingsFromConfig, startServiceSafely, stopServiceSafely, testServiceState } from '../../service/service-controller';
import { startTopology, stopTopology } from '../../service/topology-runner';
import { markerNodes, readStateMarker, repairFromMarker } from '../../service/state-marker';
import type * as RunRestore from '../../restore/run-restore';
import type { CommandContext, CommandHandler } from '../command-context';
import { serviceEvents } from './shared';
import { topologyFromParam, topologyResult } from './multi-node';

/**
 * The service commands: Test-, Stop- and Start-AlteryxServiceSafely and
 * Repair-AlteryxBackupState. Kept apart from commands.ts so that a light
 * command loads only the service layer, not the archive, MongoDB and
 * distribution code (issue 14, start-up; see command-registry.ts).
 */

function serviceHost(ctx: CommandContext): string | undefined {
  const h = ctx.params.string('ComputerName');
  return h && h.trim() !== '' ? h : undefined;
}

const testAlteryxServiceState: CommandHandler = async (ctx) => {
  const config = ctx.config({});
  // -ServiceName (CONTRACTS.md §2) when given; otherwise the configured AlteryxConfiguration.ServiceName.
  const serviceName = ctx.params.string('ServiceName') || config.file.AlteryxConfiguration.ServiceName;
  const host = serviceHost(ctx);
  const state = await testServiceState(ctx.platform(config), serviceName, host);
  // A service that does not exist is an error, not a state.
  if (state.CurrentState === 'NotFound') throw serviceNotFound(serviceName, host);
  return { data: state };
};

const stopAlteryxServiceSafely: CommandHandler = async (ctx) => {
  const p = ctx.params;
  const maxServiceWait = p.number('MaxServiceWaitSeconds') ?? p.number('MaxServiceWait');
  const config = ctx.config({ MaxServiceWait: maxServiceWait });
  const settings = serviceSettingsFromConfig(config.file);
  const serviceName = p.string('ServiceName') || settings.serviceName;
  const maxWorkflowWait = p.number('MaxWorkflowWaitSeconds') ?? p.number('MaxWorkflowWait');
  // -ForceStop [bool] (the contract) or the older -ForceStopWorkflows switch; unset means the configuration's.
  const forceValues = [p.bool('ForceStop'), p.bool('ForceStopWorkflows')].filter((v): v is boolean => v !== undefined);
  const force = forceValues.length > 0 ? forceValues.some(Boolean) : undefined;
  const options = {
    ...settings,
    serviceName,
    maxWorkflowWaitSeconds: maxWorkflowWait ?? settings.maxWorkflowWaitSeconds,
    forceStopWorkflows: force ?? settings.forceStopWorkflows,
    platform: ctx.platform(config),
    log: ctx.log,
    onEvent: serviceEvents(ctx),
    signal: ctx.signal,
  };
  const topology = topologyFromParam(p.raw('MultiNodeInfo'), options.platform.hostname());
  if (topology) {
    // Workers → ServerUI → Controller; a failure starts again whatever this call stopped, then throws.
    const sequence: ServiceStep[] = [];
    const run = await stopTopology({ ...options, topology, sequence });
    return { data: topologyResult(run.results, sequence, 'Stopped') };
  }
  const state = await stopServiceSafely({ ...options, host: serviceHost(ctx) });
  return { data: state };
};

const startAlteryxServiceSafely: CommandHandler = async (ctx) => {
  const p = ctx.params;
  const config = ctx.config({ MaxServiceWait: p.number('MaxServiceWaitSeconds') ?? p.number('MaxServiceWait') });
  const settings = serviceSettingsFromConfig(config.file);
  const options = {
    ...settings,
    serviceName: p.string('ServiceName') || settings.serviceName,
    platform: ctx.platform(config),
    log: ctx.log,
    onEvent: serviceEvents(ctx),
  };
  const topology = topologyFromParam(p.raw('MultiNodeInfo'), options.platform.hostname());
  if (topology) {
    // Controller → ServerUI → Workers; keeps going past a failed node, then throws the first error.
    const sequence: ServiceStep[] = [];
    const results = await startTopology({ ...options, topology, sequence });
    return { data: topologyResult(results, sequence, 'Running') };
  }
  const state = await startServiceSafely({ ...options, host: serviceHost(ctx) });
  return { data: state };
};

const repairState: CommandHandler = async (ctx) => {
  const config = ctx.config({ TempDirectory: ctx.params.string('TempDirectory'), LogDirectory: ctx.params.string('LogDirectory') });
  if (ctx.request.whatIf) {
    // -WhatIf: say what the marker would make us do; touch nothing.
    const marker = await readStateMarker(config.TempDirectory).catch(() => undefined);
    const nodes = marker ? markerNodes(marker).map((n) => n.hostname) : [];
    const message = marker
      ? `What if: the state marker in ${config.TempDirectory} records ${nodes.length} stopped node(s) (${nodes.join(', ') || 'none'}); they would be started again unless their run is still active.`
      : `What if: no state marker in ${config.TempDirectory}; nothing to repair.`;
    ctx.log.info(message);
    return { data: { WhatIf: true, outcome: marker ? 'would-repair' : 'no-marker', message, TempDirectory: config.TempDirectory, Nodes: nodes } };
  }
  // A restore killed half-way is rolled back first, with the service still stopped; then the service is started.
  // Loaded here only: the restore pulls in the archive and MongoDB layers, which the other service commands never need.
  const { repairInterruptedRestore } = require('../../restore/run-restore') as typeof RunRestore;
  const restore = await repairInterruptedRestore(ctx.platform(config), config, ctx.log, serviceEvents(ctx));
  if (restore.outcome === 'rolled-back') ctx.log.info(restore.message);
  const result = await repairFromMarker(ctx.platform(config), config.file, ctx.log, { onEvent: serviceEvents(ctx) });
  ctx.log.info(result.message);
  return { data: result };
};

export const SERVICE_COMMANDS: Record<string, CommandHandler> = {
  'Test-AlteryxServiceState': testAlteryxServiceState,
  'Stop-AlteryxServiceSafely': stopAlteryxServiceSafely,
  'Start-AlteryxServiceSafely': startAlteryxServiceSafely,
  'Repair-AlteryxBackupState': repairState,
};
