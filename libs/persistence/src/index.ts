export * from './entities.js';
export * from './db.js';
export * from './data-source.js';
export * from './release-store.js';
export * from './gate-entities.js';
export * from './gate-store.js';
export * from './region-operation-entities.js';
export * from './region-operation-store.js';
