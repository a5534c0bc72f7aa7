import { pathError } from '../core/path-errors';
import { randomUUID } from 'node:crypto';
import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { ValidationError } from '../core/errors';
import { isPidAlive } from './process-alive';
import type { ServiceLog } from './service-types';
import { sameHost } from './topology';

export const LOCK_FILE_NAME = 'AlteryxBackup.lock';

/** What the lock file records. */
export interface LockInfo {
  hostname: string;
  pid: number;
  /** ISO 8601. */
  startedAt: string;
  /** Unique per run; the state marker carries it too, so a reused PID is not mistaken for the run. */
  runId: string;
  command?: string;
}

export function lockPath(tempDirectory: string): string {
  return path.join(tempDirectory, LOCK_FILE_NAME);
}

export interface AcquireLockOptions {
  log: ServiceLog;
  /** Recorded in the lock, e.g. the CLI command name. */
  command?: string;
  /** This machine's name; default os.hostname(). */
  hostname?: string;
}

/**
 * A held run lock. `release()` removes the file only if it is still ours,
 * and is safe to call more than once. If the process exits without
 * releasing (an uncaught error), an exit hook removes it too.
 */
export class RunLock {
  private released = false;
  private readonly exitHook = () => this.releaseSync();

  constructor(
    readonly path: string,
    readonly info: LockInfo,
  ) {
    process.once('exit', this.exitHook);
  }

  get runId(): string {
    return this.info.runId;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.exitHook);
    const current = await readLockFile(this.path).catch(() => undefined);
    if (current?.runId === this.info.runId) await fs.rm(this.path, { force: true });
  }

  private releaseSync(): void {
    if (this.released) return;
    this.released = true;
    try {
      const current = JSON.parse(fsSync.readFileSync(this.path, 'utf8')) as LockInfo;
      if (current.runId === this.info.runId) fsSync.rmSync(this.path, { force: true });
    } catch {
      /* gone or unreadable: not ours to touch */
    }
  }
}

async function readLockFile(file: string): Promise<LockInfo | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const v = JSON.parse(text) as Partial<LockInfo>;
  if (typeof v.hostname !== 'string' || typeof v.pid !== 'number' || typeof v.startedAt !== 'string') {
    throw new SyntaxError('lock file is missing hostname, pid or startedAt');
  }
  return { runId: '', ...v } as LockInfo;
}

/** The current lock holder, or undefined if there is none. */
export async function readRunLock(tempDirectory: string): Promise<LockInfo | undefined> {
  return readLockFile(lockPath(tempDirectory));
}

function describe(l: LockInfo): string {
  return `PID ${l.pid} on ${l.hostname}, started ${l.startedAt}${l.command ? ` (${l.command})` : ''}`;
}

/** A lock file is written in one go right after creation; an unreadable one this old was never finished. */
const UNREADABLE_LOCK_GRACE_MS = 30_000;

/**
 * Takes `<TempDirectory>/AlteryxBackup.lock`, created with O_EXCL so two runs
 * cannot both get it.
 *
 * - Held by a live process, or by any process on another host:
 *   ValidationError LOCK_HELD (exit 3), naming the holder. Nothing else is touched.
 * - Left by a dead PID on this host: broken, with a warning.
 */
export async function acquireRunLock(tempDirectory: string, o: AcquireLockOptions): Promise<RunLock> {
  const file = lockPath(tempDirectory);
  const hostname = o.hostname ?? os.hostname();
  try {
    await fs.mkdir(tempDirectory, { recursive: true });
  } catch (err) {
    throw pathError('TempDirectory', tempDirectory, err, 'TEMP_UNWRITABLE', 'the run lock cannot be created there');
  }
  // A folder (or anything else) where the lock file belongs would be "broken" as a stale lock forever.
  const existing = await fs.lstat(file).catch(() => undefined);
  if (existing && !existing.isFile()) {
    throw new ValidationError(
      `The run lock ${file} is ${existing.isDirectory() ? 'a folder' : 'not a regular file'}. Remove it, or point BackupConfiguration.TempDirectory elsewhere.`,
      'PATH_INVALID',
      { category: 'InvalidArgument' },
    );
  }
  const info: LockInfo = {
    hostname,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    runId: randomUUID(),
    ...(o.command ? { command: o.command } : {}),
  };

  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const handle = await fs.open(file, 'wx');
      try {
        await handle.writeFile(JSON.stringify(info, null, 2) + '\n', 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      o.log.debug(`Run lock taken: ${file}.`);
      return new RunLock(file, info);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw pathError('TempDirectory', tempDirectory, err, 'TEMP_UNWRITABLE', `the run lock ${file} cannot be created`);
    }

    let holder: LockInfo | undefined;
    try {
      holder = await readLockFile(file);
    } catch {
      // Possibly being written right now by its creator; judge it by age.
      const st = await fs.stat(file).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs < UNREADABLE_LOCK_GRACE_MS) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      if (st) {
        o.log.warn(`Breaking an unreadable run lock ${file} (last written ${st.mtime.toISOString()}).`);
        await breakLock(file, undefined);
      }
      continue;
    }
    if (!holder) continue; // released between our open and our read

    if (!sameHost(holder.hostname, hostname)) {
      throw new ValidationError(
        `Another backup run holds the lock ${file}: ${describe(holder)}. ` +
          'A lock from another host is never broken automatically; delete the file only if you are sure that run is gone.',
        'LOCK_HELD',
        { category: 'ResourceBusy' },
      );
    }
    if (isPidAlive(holder.pid)) {
      throw new ValidationError(`Another backup run is in progress: ${describe(holder)} (lock ${file}).`, 'LOCK_HELD', {
        category: 'ResourceBusy',
      });
    }
    o.log.warn(`Breaking a stale run lock left by a process that no longer exists: ${describe(holder)}.`);
    await breakLock(file, holder);
  }
  throw new ValidationError(`Could not take the run lock ${file}: it kept changing hands.`, 'LOCK_HELD', { category: 'ResourceBusy' });
}

/**
 * Moves a stale lock aside, then checks that what was moved is the lock we
 * judged stale: if another run replaced it in between, it is put back.
 */
async function breakLock(file: string, judged: LockInfo | undefined): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${Date.now()}`;
  try {
    await fs.rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await readLockFile(aside).catch(() => undefined);
  const same = judged === undefined ? moved === undefined : moved?.runId === judged.runId && moved.pid === judged.pid;
  if (!same) {
    // Not the one we judged: restore it unless yet another lock appeared.
    await fs.link(aside, file).catch(() => undefined);
  }
  await fs.rm(aside, { force: true });
}
