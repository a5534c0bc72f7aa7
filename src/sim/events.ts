import * as fs from 'node:fs';
import { hostPaths } from './host-layout';

/**
 * The simulated host's journal: `sim/events.jsonl`, one JSON object per line,
 * appended by every process that acts on the host. Tests read it to check the
 * order of operations and to measure downtime.
 */

export type SimEventName =
  | 'created'
  | 'stop-requested'
  | 'stop-ignored'
  | 'mongod-child-started'
  | 'service-force-ended'
  | 'stop-pending'
  | 'stopped'
  | 'start-requested'
  | 'start-pending'
  | 'running'
  | 'start-failed'
  | 'paused'
  | 'continued'
  | 'state-forced'
  | 'daemon-exited'
  | 'dump-started'
  | 'dump-finished'
  | 'restore-started'
  | 'restore-finished'
  | 'mongodump-started'
  | 'mongodump-finished'
  | 'workflow-started'
  | 'workflow-ended'
  | 'workflow-killed'
  | 'command';

export interface SimEvent {
  /** Milliseconds since the epoch. */
  ts: number;
  event: SimEventName;
  host: string;
  pid: number;
  [detail: string]: unknown;
}

export function appendEvent(hostRoot: string, hostname: string, event: SimEventName, details: Record<string, unknown> = {}): SimEvent {
  const record: SimEvent = { ts: Date.now(), event, host: hostname, pid: process.pid, ...details };
  // One write() of one line with O_APPEND: concurrent writers never interleave within a line.
  fs.appendFileSync(hostPaths(hostRoot).eventsJsonl, JSON.stringify(record) + '\n');
  return record;
}

export function readEvents(hostRoot: string): SimEvent[] {
  let text: string;
  try {
    text = fs.readFileSync(hostPaths(hostRoot).eventsJsonl, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SimEvent);
}
