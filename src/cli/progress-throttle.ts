import type { ProgressUpdate } from './protocol';

/**
 * At most one byte-progress line per activity every `intervalMs` (250 ms:
 * about 4 a second), so the bridge's Write-Progress costs nothing
 * measurable however fast the core moves bytes.
 *
 * Only updates that carry byte counts are limited. Lines without them are
 * state changes (a phase starting, a destination finishing) and go out at
 * once, in order, as do an activity's first byte update, its last one
 * (all bytes done) and `completed`. A limited update is not lost: the latest
 * one goes out when its interval ends (a timer that never keeps the process
 * alive) or at `flush()`, so the bar never stops short of where the core got.
 *
 * Byte updates also get a time estimate: the average rate since the
 * activity's first byte update, from 1 s on; -1 before that.
 */

const MB = 1_000_000;

interface ActivityState {
  startedAt: number;
  lastSentAt: number;
  /** The last byte counts seen: counts that go back or a new total start a new pass (e.g. compress, then verify). */
  lastDone: number;
  lastTotal: number;
  pending: ProgressUpdate | undefined;
  timer: NodeJS.Timeout | undefined;
}

export class ProgressThrottle {
  private readonly activities = new Map<string, ActivityState>();

  constructor(
    private readonly send: (p: ProgressUpdate) => void,
    private readonly intervalMs = 250,
    private readonly now: () => number = () => Date.now(),
  ) {}

  update(p: ProgressUpdate): void {
    const hasBytes = typeof p.bytesDone === 'number' && typeof p.bytesTotal === 'number';
    const state = this.activities.get(p.activity);
    if (p.completed) {
      if (state) this.clear(p.activity, state);
      this.send(p);
      return;
    }
    if (!hasBytes) {
      // A state change: whatever byte update was waiting is older, so it goes first.
      if (state?.pending) this.sendPending(state);
      this.send(p);
      return;
    }
    const t = this.now();
    if (!state || p.bytesDone! < state.lastDone || p.bytesTotal !== state.lastTotal) {
      if (state) this.clear(p.activity, state);
      this.activities.set(p.activity, { startedAt: t, lastSentAt: t, lastDone: p.bytesDone!, lastTotal: p.bytesTotal!, pending: undefined, timer: undefined });
      this.send(withEstimate(p, 0));
      return;
    }
    state.lastDone = p.bytesDone!;
    const last = p.bytesDone! >= p.bytesTotal!;
    if (last || t - state.lastSentAt >= this.intervalMs) {
      state.pending = undefined;
      if (state.timer) clearTimeout(state.timer);
      state.timer = undefined;
      state.lastSentAt = t;
      this.send(withEstimate(p, (t - state.startedAt) / 1000));
      return;
    }
    state.pending = p;
    if (!state.timer) {
      state.timer = setTimeout(() => {
        state.timer = undefined;
        this.sendPending(state);
      }, state.lastSentAt + this.intervalMs - t);
      state.timer.unref();
    }
  }

  /** Sends every waiting update now (before the result line, or at exit). */
  flush(): void {
    for (const state of this.activities.values()) this.sendPending(state);
  }

  private sendPending(state: ActivityState): void {
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
    const p = state.pending;
    if (!p) return;
    state.pending = undefined;
    const t = this.now();
    state.lastSentAt = t;
    this.send(withEstimate(p, (t - state.startedAt) / 1000));
  }

  /** Forgets an activity; a waiting update is dropped (what replaces it is newer). */
  private clear(activity: string, state: ActivityState): void {
    if (state.timer) clearTimeout(state.timer);
    this.activities.delete(activity);
  }
}

/** The update with `secondsRemaining` (unless the caller set it) and the byte counts in its status text. */
function withEstimate(p: ProgressUpdate, elapsedSeconds: number): ProgressUpdate {
  const done = p.bytesDone!;
  const total = p.bytesTotal!;
  let secondsRemaining = p.secondsRemaining;
  if (secondsRemaining === undefined) {
    secondsRemaining = elapsedSeconds >= 1 && done > 0 && total >= done ? Math.round(((total - done) * elapsedSeconds) / done) : -1;
  }
  const bytes = `${formatMB(done)} of ${formatMB(total)} MB`;
  return { ...p, status: p.status ? `${p.status} (${bytes})` : bytes, secondsRemaining };
}

function formatMB(bytes: number): string {
  const mb = bytes / MB;
  return mb >= 100 ? mb.toFixed(0) : mb.toFixed(1);
}

/** Archive progress (createArchive, verifyArchive) as a progress line with byte counts: compress, then verify. */
export function archiveProgressUpdate(
  activity: string,
  p: { bytesDone: number; bytesTotal: number; currentEntry: string; phase: 'compress' | 'verify'; verifyBytesDone?: number; verifyBytesTotal?: number },
): ProgressUpdate {
  const verifying = p.phase === 'verify';
  const done = verifying && p.verifyBytesTotal !== undefined ? (p.verifyBytesDone ?? 0) : p.bytesDone;
  const total = verifying && p.verifyBytesTotal !== undefined ? p.verifyBytesTotal : p.bytesTotal;
  return {
    activity,
    status: `${verifying ? 'Verifying' : 'Compressing'} ${p.currentEntry}`,
    percent: total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : -1,
    bytesDone: done,
    bytesTotal: total,
  };
}

/** A byte-copy progress line (copies, uploads). */
export function bytesProgressUpdate(activity: string, status: string, done: number, total: number): ProgressUpdate {
  return { activity, status, percent: total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : -1, bytesDone: done, bytesTotal: total };
}
