import { parentPort } from 'node:worker_threads';
import { deflateBlock, packSmallFiles, type BlockJob, type SmallFilesJob } from './compress-jobs';
import { checkEntries, type EntryCheckJob } from './entry-check';
import { collectIfHeavy } from './memory-guard';

/** Worker thread: runs compress and check jobs; one at a time, answers in order. */
export type WorkerJob = BlockJob | SmallFilesJob | EntryCheckJob;

/** Buffers arrive as plain Uint8Arrays after structured cloning. */
function asBuffer(u: Uint8Array | null): Buffer | null {
  return u === null ? null : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

export async function runJob(job: WorkerJob, onBytes?: (n: number) => void): Promise<unknown> {
  switch (job.kind) {
    case 'block':
      return deflateBlock({ ...job, data: asBuffer(job.data)!, dictionary: asBuffer(job.dictionary) });
    case 'small':
      return packSmallFiles(job);
    case 'check':
      return checkEntries(job, onBytes);
  }
}

/** Buffers that own their whole ArrayBuffer can be transferred back instead of copied; pooled slices cannot. */
function transferables(result: unknown): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const add = (b: Uint8Array | null | undefined): void => {
    if (b && b.byteOffset === 0 && b.buffer.byteLength === b.byteLength && b.buffer instanceof ArrayBuffer && !out.includes(b.buffer)) out.push(b.buffer);
  };
  const r = result as { kind?: string; data?: Uint8Array; files?: Array<{ data: Uint8Array }> };
  if (r.kind === 'block') add(r.data);
  if (r.kind === 'small') r.files?.forEach((f) => add(f.data));
  return out;
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (msg: { id: number; job: WorkerJob }) => {
    let pending = 0;
    const flush = (): void => {
      if (pending) port.postMessage({ id: msg.id, progress: pending });
      pending = 0;
    };
    const timer = setInterval(flush, 100);
    runJob(msg.job, (n) => {
      pending += n;
    }).then(
      (result) => {
        clearInterval(timer);
        flush();
        port.postMessage({ id: msg.id, result }, transferables(result));
        collectIfHeavy();
      },
      (err: unknown) => {
        clearInterval(timer);
        const e = err as NodeJS.ErrnoException;
        port.postMessage({ id: msg.id, error: { message: e?.message ?? String(err), code: e?.code, name: e?.name, path: e?.path, syscall: e?.syscall } });
      },
    );
  });
}
