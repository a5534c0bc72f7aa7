import { parentPort } from 'node:worker_threads';
import { checkBsonFile } from './bson-file-verify';
import type { BsonCheckMode } from './bson-validate';

/** Worker side of the dump verifier's pool: one file per message. */
interface Job {
  id: number;
  file: string;
  mode: BsonCheckMode;
}

parentPort?.on('message', (job: Job) => {
  checkBsonFile(job.file, job.mode).then(
    (result) => parentPort?.postMessage({ id: job.id, result }),
    (err: unknown) => parentPort?.postMessage({ id: job.id, error: err instanceof Error ? `${(err as NodeJS.ErrnoException).code ?? err.name}: ${err.message}` : String(err) }),
  );
});
