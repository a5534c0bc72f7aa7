/**
 * One phase of a run (a backup's, a restore's): the record goes Running, then
 * Succeeded or Failed, and gets its duration (0.1 s) whatever happens. The
 * callers keep what differs: which phases run, cancellation, what is logged
 * and reported when a phase starts.
 */
export interface PhaseRecordLike {
  Status: string;
  DurationSeconds: number | null;
}

export interface RunPhaseOptions {
  /** Milliseconds since the epoch; default Date.now (the backup passes its injectable clock). */
  now?: () => number;
  /** After the record is Running, before the phase's work; a throw here leaves the record Running. */
  onStart?: (startedAtMs: number) => void | Promise<void>;
}

export async function runPhase<T>(rec: PhaseRecordLike, fn: () => Promise<T>, options: RunPhaseOptions = {}): Promise<T> {
  const now = options.now ?? Date.now;
  const started = now();
  rec.Status = 'Running';
  await options.onStart?.(started);
  try {
    const result = await fn();
    rec.Status = 'Succeeded';
    return result;
  } catch (err) {
    rec.Status = 'Failed';
    throw err;
  } finally {
    rec.DurationSeconds = Math.round((now() - started) / 100) / 10;
  }
}
