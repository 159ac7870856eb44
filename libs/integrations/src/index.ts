export * from './kubernetes/client-node-workloads.js';
export * from './kubernetes/clusters.js';
export * from './clock/system-clock.js';
export * from './queue/redis.js';
export * from './queue/bullmq-jobs.js';
