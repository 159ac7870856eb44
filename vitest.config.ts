import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // integration and e2e suites share Postgres/Redis and spawn processes: one file at a time
    fileParallelism: false,
    pool: 'forks',
  },
});
