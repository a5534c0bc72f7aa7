import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { archiveBench } from './archive-bench';
import type { BenchContext, BenchSection } from './bench-section';
import { dumpVerifyBench } from './dump-verify-bench';
import { downtimeBench } from './downtime-bench';
import { loadLine } from './bench-util';
import { restoreBench } from './restore-bench';
import { startupBench } from './startup-bench';
import { wholeRunBench } from './whole-run-bench';

/**
 * `npm run bench`: runs every default section in order. To add one, export
 * a BenchSection from its own file and add it to this list.
 *
 * Environment: BENCH_SIZES (MB, default 300,3000), BENCH_REPEAT (alternating
 * rounds, default 3), BENCH_SECTIONS (names, default all but 'downtime', whose
 * figures the whole-run section also gives), BENCH_WHOLE_SIZES (default BENCH_SIZES),
 * BENCH_WHOLE_REPEAT (default BENCH_REPEAT).
 * A quick run: BENCH_SIZES=50 BENCH_REPEAT=1 npm run bench.
 */
const SECTIONS: BenchSection[] = [startupBench, archiveBench, dumpVerifyBench, wholeRunBench, downtimeBench, restoreBench];
const DEFAULT_OFF = new Set(['downtime']);

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '.bench');
  mkdirSync(root, { recursive: true });
  const sizesMB = (process.env.BENCH_SIZES ?? '300,3000')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isFinite(n) && n > 0);
  const only = process.env.BENCH_SECTIONS?.split(',').map((s) => s.trim());
  const ctx: BenchContext = { root, sizesMB, log: (l) => console.log(l) };
  for (const s of SECTIONS) {
    if (only ? !only.includes(s.name) : DEFAULT_OFF.has(s.name)) continue;
    const t = Date.now();
    console.log(`\n=== bench: ${s.name} (sizes ${sizesMB.join(', ')} MB; ${loadLine()}) ===`);
    await s.run(ctx);
    console.log(`=== ${s.name} took ${((Date.now() - t) / 1000).toFixed(0)} s; ${loadLine()} ===`);
  }
}


main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
