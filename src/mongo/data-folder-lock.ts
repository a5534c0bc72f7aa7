import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { DumpLogger } from './dump-logger';

/**
 * Whether a process still holds the embedded MongoDB data folder. A running
 * mongod keeps `mongod.lock` in its dbPath and writes its PID into it; a
 * clean shutdown empties it. So: a PID in the file that is alive (POSIX,
 * and the simulated host, whose service writes its PID there), or, on
 * Windows, a lock file that cannot be opened for writing (mongod holds it
 * open) means the folder is held. Restarting AlteryxService while an
 * orphaned mongod holds it would fail.
 */
export type DataFolderHolder = { pid?: number; reason: string } | undefined;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function dataFolderHolder(dataDir: string): Promise<DataFolderHolder> {
  const lock = path.join(dataDir, 'mongod.lock');
  let text: string;
  try {
    text = await fs.readFile(lock, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EBUSY' || code === 'EPERM' || code === 'EACCES') return { reason: `${lock} is locked by another process (${code})` };
    return undefined;
  }
  const pid = Number(text.trim());
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) return { pid, reason: `${lock} names process ${pid}, which is still running` };
  if (process.platform === 'win32') {
    try {
      const fh = await fs.open(lock, 'r+');
      await fh.close();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      if (code === 'EBUSY' || code === 'EPERM' || code === 'EACCES') return { reason: `${lock} is held open by another process (${code})` };
    }
  }
  return undefined;
}

/**
 * Waits (up to `timeoutMs`) until nothing holds the data folder. Returns the
 * holder that is still there at the end, after logging it as an error: the
 * caller restarts the service anyway, and the log says why that may fail.
 */
export async function waitForDataFolderRelease(dataDir: string, log: DumpLogger, timeoutMs = 10_000): Promise<DataFolderHolder> {
  const deadline = Date.now() + timeoutMs;
  let holder = await dataFolderHolder(dataDir);
  while (holder && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    holder = await dataFolderHolder(dataDir);
  }
  if (holder) log.warn(`The MongoDB data folder is still in use after the dump: ${holder.reason}. Restarting AlteryxService may fail until that process ends.`);
  return holder;
}
