export * from './container.js';
export * from './settings.js';
export * from './logger.js';
export * from './migrate.js';
export * from './notifications.js';
export { buildContainerOrExit, CONFIG_EXIT_CODE } from './startup.js';
export * from './observability.js';
export * from './readiness.js';
export * from './metrics-server.js';
