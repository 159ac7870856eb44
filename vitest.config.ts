import { defineConfig } from 'vitest/config';

export default defineConfig({
  // package.json `imports` (#domain, #application…): the `source` condition points at the TypeScript
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites isolate themselves (a database and a Redis key prefix each, free ports) and mostly wait
    // on bakes and scrapes, so two files run at a time. Tests that read through the notification or
    // event-feed cursor poll: that cursor waits on the oldest open transaction of the whole server.
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
  },
});
