export { startServer, controllerOptionsFor } from './server.js';
export type { RunningServer } from './server.js';
export { serverConfigSchema, DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT } from './config.js';
export type { ResolvedServerConfig, ServerConfig } from './config.js';
export { errorResponse } from './error-body.js';
export type { OpenAIErrorBody } from './error-body.js';
export { controllerOptionsSchema } from '../controller/index.js';
