export * from './entities.js';
export * from './db.js';
export * from './data-source.js';
export * from './release-store.js';
export * from './gate-entities.js';
export * from './gate-store.js';
export * from './notification-entities.js';
export * from './notification-store.js';
