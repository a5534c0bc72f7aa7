import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerJob } from './archive-worker';
import { runJob } from './archive-worker';

interface Task {
  id: number;
  job: WorkerJob;
  transfer: ArrayBuffer[];
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onBytes?: (n: number) => void;
}

export interface JobRunner {
  /** `transfer`: buffers handed over to the worker (unusable here afterwards), to save a copy. */
  run<T>(job: WorkerJob, onBytes?: (n: number) => void, transfer?: ArrayBuffer[]): Promise<T>;
  close(): Promise<void>;
  readonly size: number;
}

/** How many workers to use by default: one per core, at most 8. */
export function defaultParallelism(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** Runs jobs on the calling thread: for small archives, where starting threads costs more than it saves. */
export class InlineRunner implements JobRunner {
  readonly size = 0;
  run<T>(job: WorkerJob, onBytes?: (n: number) => void): Promise<T> {
    try {
      return Promise.resolve(runJob(job, onBytes) as Promise<T>);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }
  async close(): Promise<void> {}
}

/** A fixed set of worker threads pulling jobs from one queue. */
export class WorkerPool implements JobRunner {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Task[] = [];
  private readonly active = new Map<Worker, Task>();
  private nextId = 1;
  private closed = false;
  private failure: Error | null = null;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn(): void {
    const w = new Worker(join(__dirname, 'archive-worker.js'));
    w.unref();
    w.on('message', (msg: { id: number; progress?: number; result?: unknown; error?: { message: string; code?: string; name?: string; path?: string; syscall?: string } }) => {
      const task = this.active.get(w);
      if (!task || task.id !== msg.id) return;
      if (msg.progress !== undefined) {
        task.onBytes?.(msg.progress);
        return;
      }
      this.active.delete(w);
      if (msg.error) task.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code, path: msg.error.path, syscall: msg.error.syscall }));
      else task.resolve(msg.result);
      this.idle.push(w);
      this.dispatch();
    });
    w.on('error', (err) => this.crash(w, err));
    w.on('exit', (code) => {
      if (!this.closed) this.crash(w, new Error(`archive worker exited with code ${code}`));
    });
    this.all.push(w);
    this.idle.push(w);
  }

  private crash(w: Worker, err: Error): void {
    this.failure ??= err;
    const task = this.active.get(w);
    this.active.delete(w);
    task?.reject(err);
    for (const t of this.queue.splice(0)) t.reject(err);
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const t = this.queue.shift()!;
      this.active.set(w, t);
      w.postMessage({ id: t.id, job: t.job }, t.transfer);
    }
  }

  run<T>(job: WorkerJob, onBytes?: (n: number) => void, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, transfer, resolve: resolve as (v: unknown) => void, reject, onBytes });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('worker pool closed');
    for (const t of this.queue.splice(0)) t.reject(err);
    for (const t of this.active.values()) t.reject(err);
    this.active.clear();
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}

export function createRunner(parallelism: number): JobRunner {
  return parallelism <= 0 ? new InlineRunner() : new WorkerPool(parallelism);
}
