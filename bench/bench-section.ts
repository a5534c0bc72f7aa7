/** One part of `npm run bench`. Sections share the data folder and write their own results file. */
export interface BenchContext {
  /** The git-ignored `.bench/` folder at the repository root. */
  root: string;
  /** Data set sizes to run, in MB (from BENCH_SIZES, default 300 and 3000). */
  sizesMB: number[];
  log: (line: string) => void;
}

export interface BenchSection {
  name: string;
  run(ctx: BenchContext): Promise<void>;
}
