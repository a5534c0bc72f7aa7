import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Large Buffers live outside the V8 heap, and V8 collects them lazily: a
 * thread streaming gigabytes through 1 MiB blocks can hold tens of MB of
 * dead blocks. Collecting once the dead weight passes a bound keeps peak
 * memory flat whatever the data size, for the cost of a (tiny-heap) GC.
 */
let gc: (() => void) | null | undefined;

function getGc(): (() => void) | null {
  if (gc !== undefined) return gc;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    gc = null;
  }
  return gc;
}

/** `limit`: bytes of memory outside the V8 heap (Buffers, zlib state) that may be held before collecting. */
export function collectIfHeavy(limit = 8 << 20): void {
  if (process.memoryUsage().external > limit) getGc()?.();
}

/** Between phases: drop what the last phase left behind before the next one allocates. */
export function collectNow(): void {
  getGc()?.();
}
