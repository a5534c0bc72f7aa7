import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { archiveBench } from './archive-bench';
import type { BenchContext, BenchSection } from './bench-section';
import { dumpVerifyBench } from './dump-verify-bench';
import { downtimeBench } from './downtime-bench';

/**
 * `npm run bench`: runs every section in order. To add one (dump
 * verification, service downtime, ...), export a BenchSection from its own
 * file and add it to this list.
 */
const SECTIONS: BenchSection[] = [archiveBench, dumpVerifyBench, downtimeBench];

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
    if (only && !only.includes(s.name)) continue;
    console.log(`\n=== bench: ${s.name} (sizes ${sizesMB.join(', ')} MB) ===`);
    await s.run(ctx);
  }
}


main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
