/**
 * Preloaded into node processes by the bench (NODE_OPTIONS=--require):
 * at exit, writes this process's argv, peak RSS and CPU time to
 * `$BENCH_PROBE_DIR/<pid>.json`. It measures the node that a pwsh cmdlet
 * starts, which /usr/bin/time around pwsh cannot tell apart from pwsh.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BENCH_PROBE_DIR;
if (dir) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(
      join(dir, `${process.pid}.json`),
      JSON.stringify({ argv: process.argv.slice(1), maxRssKB: u.maxRSS, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6 }),
    );
  });
}
