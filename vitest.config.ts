import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites isolate themselves (a database and a Redis key prefix each, free ports) and mostly
    // wait on bakes and scrapes, so two files run at a time: the suite takes ~9 min instead of ~17
    // on a 2-core machine. Tests assert outcomes with generous bounds, never tight timings.
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
  },
});
