import * as fs from 'node:fs';
import * as path from 'node:path';
import { readEvents } from './events';
import { FAULT_KINDS, Faults, parseFaultAssignment, readFaults, writeFaults } from './faults';
import { createHost, defaultSeed } from './host-builder';
import { readHostInfo, SimVariant } from './host-layout';
import { forceState, readServiceRecord, requestStart, requestStop, waitFor } from './service-control';
import { destroyHost } from './sim-processes';
import { launchWorkflow } from './workflows';

/**
 * `npm run sim -- <command>`: creates and drives simulated Alteryx hosts.
 * See test/README.md for the layout and the fault switches.
 */

const USAGE = `Usage: npm run sim -- <command>
  create <dir> [--variant embedded|self-managed|multi-node] [--db-mb N] [--seed S] [--no-start] [--minimal-settings] [--hostname NAME]
  fault <dir> <name>=<value>...     set fault switches (name= removes one)
  fault <dir> --clear               remove every fault switch
  state <dir> [--json] [--set Running|Stopped|Paused|Disabled|Automatic|Manual]
  start <dir> [--no-wait]           like 'AlteryxService start', then wait for Running
  stop <dir> [--no-wait]            like 'AlteryxService stop', then wait for Stopped
  run-workflow <dir> [--seconds N] [--count M]
  events <dir>                      print sim/events.jsonl
  destroy <dir> [--remove]          kill every process of the host and its nodes`;

class UsageError extends Error {}

/** Removes every `name value` pair from args; the last one wins, as in most CLIs. */
function option(args: string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = args.indexOf(name); i >= 0; i = args.indexOf(name)) {
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value.`);
    args.splice(i, 2);
    value = v;
  }
  return value;
}

function flag(args: string[], name: string): boolean {
  const i = args.indexOf(name);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
}

function positionalDir(args: string[]): string {
  const dir = args.shift();
  if (!dir) throw new UsageError('A host directory is required.');
  return path.resolve(dir);
}

function noExtra(args: string[]): void {
  if (args.length > 0) throw new UsageError(`Unexpected argument(s): ${args.join(' ')}`);
}

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const command = args.shift();
  switch (command) {
    case 'create': {
      const variant = (option(args, '--variant') ?? 'embedded') as SimVariant;
      if (!['embedded', 'self-managed', 'multi-node'].includes(variant)) throw new UsageError(`Unknown variant '${variant}'.`);
      const mbText = option(args, '--db-mb') ?? '5';
      const dbMegabytes = Number(mbText);
      if (!Number.isFinite(dbMegabytes) || dbMegabytes <= 0) throw new UsageError(`--db-mb takes a positive number, not '${mbText}'.`);
      const seed = option(args, '--seed') ?? defaultSeed();
      const noStart = flag(args, '--no-start');
      const minimalSettings = flag(args, '--minimal-settings');
      const hostname = option(args, '--hostname');
      if (hostname !== undefined && !/^[A-Za-z0-9][A-Za-z0-9-]{0,14}$/.test(hostname)) throw new UsageError(`--hostname takes a NetBIOS-style name (letters, digits, '-', at most 15), not '${hostname}'.`);
      const dir = positionalDir(args);
      noExtra(args);
      const started = Date.now();
      const configPath = await createHost(dir, { variant, dbMegabytes, seed, noStart, minimalSettings, hostname });
      const info = readHostInfo(dir);
      process.stdout.write(`Simulated Alteryx host (${variant}, ${dbMegabytes} MB, seed '${seed}') created in ${((Date.now() - started) / 1000).toFixed(1)}s at ${dir}\n`);
      process.stdout.write(`Service on ${info.hostname}: ${readServiceRecord(dir).state}${info.nodes.length ? `; nodes: ${info.nodes.map((n) => `${n.hostname} (${n.role})`).join(', ')}` : ''}\n`);
      process.stdout.write(`${configPath}\n`);
      return 0;
    }
    case 'fault': {
      const clear = flag(args, '--clear');
      const dir = positionalDir(args);
      readHostInfo(dir);
      let faults: Faults = clear ? {} : readFaults(dir);
      let forced = false;
      for (const a of args) {
        if (a.endsWith('=') && a.indexOf('=') === a.length - 1) {
          const name = a.slice(0, -1);
          if (!(name in FAULT_KINDS)) throw new Error(`Unknown fault '${name}'. Known faults: ${Object.keys(FAULT_KINDS).join(', ')}.`);
          const copy: Record<string, unknown> = { ...faults };
          delete copy[name];
          faults = copy as Faults;
          continue;
        }
        const [name, value] = parseFaultAssignment(a);
        faults = { ...faults, [name]: value };
        if (name === 'initialState') forced = true;
      }
      writeFaults(dir, faults);
      if (forced && faults.initialState) await forceState(dir, faults.initialState);
      process.stdout.write(JSON.stringify(faults) + '\n');
      return 0;
    }
    case 'state': {
      const json = flag(args, '--json');
      const set = option(args, '--set');
      const dir = positionalDir(args);
      noExtra(args);
      readHostInfo(dir);
      if (set) {
        const allowed = ['Running', 'Stopped', 'Paused', 'Disabled', 'Automatic', 'Manual'] as const;
        const target = allowed.find((s) => s.toLowerCase() === set.toLowerCase());
        if (!target) throw new UsageError(`--set takes one of ${allowed.join(', ')}.`);
        await forceState(dir, target);
      }
      const rec = readServiceRecord(dir);
      process.stdout.write(json ? JSON.stringify(rec) + '\n' : `${rec.state}\n`);
      return 0;
    }
    case 'start':
    case 'stop': {
      const noWait = flag(args, '--no-wait');
      const dir = positionalDir(args);
      noExtra(args);
      const r = command === 'start' ? requestStart(dir) : requestStop(dir);
      if (!r.ok) {
        process.stderr.write(r.message + '\n');
        return 1;
      }
      if (!noWait) {
        const want = command === 'start' ? 'Running' : 'Stopped';
        const rec = await waitFor(dir, (s) => s.state === want, 60_000);
        process.stdout.write(`${rec.state}\n`);
      } else {
        process.stdout.write(`${readServiceRecord(dir).state}\n`);
      }
      return 0;
    }
    case 'run-workflow': {
      const seconds = Number(option(args, '--seconds') ?? '5');
      const count = Number(option(args, '--count') ?? '1');
      const dir = positionalDir(args);
      noExtra(args);
      if (!Number.isFinite(seconds) || seconds < 0 || !Number.isInteger(count) || count < 1) throw new UsageError('--seconds takes a non-negative number and --count a positive integer.');
      const state = readServiceRecord(dir).state;
      if (state !== 'Running') {
        process.stderr.write(`Workflows only run while the service is Running (it is ${state}).\n`);
        return 1;
      }
      for (let i = 0; i < count; i++) process.stdout.write(`${launchWorkflow(dir, seconds, 'run-workflow')}\n`);
      return 0;
    }
    case 'events': {
      const dir = positionalDir(args);
      noExtra(args);
      for (const e of readEvents(dir)) process.stdout.write(JSON.stringify(e) + '\n');
      return 0;
    }
    case 'destroy': {
      const remove = flag(args, '--remove');
      const dir = positionalDir(args);
      noExtra(args);
      const killed = destroyHost(dir);
      if (remove) fs.rmSync(dir, { recursive: true, force: true });
      process.stdout.write(`Killed ${killed} process(es)${remove ? ` and removed ${dir}` : ''}.\n`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 1 : 0;
    default:
      throw new UsageError(`Unknown command '${command}'.`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`sim: ${(err as Error).message}\n${err instanceof UsageError ? USAGE + '\n' : ''}`);
      process.exitCode = err instanceof UsageError ? 2 : 1;
    },
  );
}
