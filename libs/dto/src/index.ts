export * from './errors.js';
export * from './common.js';
export * from './user.js';
export * from './session.js';
export * from './health.js';
export * from './directory.js';
export * from './check.js';
export * from './client-session.js';
