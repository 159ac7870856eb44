import { defineConfig } from 'vitest/config';

export default defineConfig({
  // package.json `imports` (#domain, #application…): the `source` condition points at the TypeScript
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // integration and e2e suites share Postgres/Redis and spawn processes: one file at a time
    fileParallelism: false,
    pool: 'forks',
  },
});
