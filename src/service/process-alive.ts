/**
 * Whether a process with this PID exists on this machine. Signal 0 checks
 * without touching it; EPERM means it exists but belongs to someone else.
 * PIDs are reused, so callers that can must confirm with more than the PID.
 */
export function isPidAlive(pid: number): boolean {
  // 0 and negatives address process groups; never probe those.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
