export * from './ports.js';
export * from './errors.js';
export * from './jobs.js';
export * from './use-cases/create-release.js';
export * from './use-cases/read-releases.js';
export * from './use-cases/advance-release.js';
export * from './use-cases/region-driver.js';
export * from './use-cases/sweep-releases.js';
