/** Process settings from the environment (secrets stay in env; config/ holds the rest). */
import { resolve } from 'node:path';

export interface RuntimeSettings {
  configDir: string;
  databaseUrl?: string;
  databasePoolSize?: number;
  pgliteDir?: string;
  redisUrl: string;
  queuePrefix: string;
  port: number;
  host: string;
  logLevel: string;
  kubeTimeoutMs: number;
  /** how long a job stays locked to a worker without renewal (a killed worker's job is retried after this) */
  jobLockMs: number;
  /** TIDELINE_AUTH=disabled: the API accepts requests without a token (actor "anonymous"); for local use only */
  authDisabled: boolean;
  /** the worker's /metrics, /healthz, /readyz listener (METRICS_PORT, 0 = off; METRICS_HOST, default HOST) */
  metricsPort: number;
  metricsHost: string;
  /** how long the API keeps the answer of a hot read (a release, a page of releases); 0 = not at all */
  apiReadCacheMs: number;
}

export class SettingsError extends Error {}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): RuntimeSettings {
  const int = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0)
      throw new SettingsError(`environment variable ${name}: must be a non-negative integer, got "${raw}"`);
    return n;
  };
  return {
    configDir: resolve(env.TIDELINE_CONFIG_DIR || 'config'),
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize: env.DATABASE_POOL_SIZE ? Math.max(2, int('DATABASE_POOL_SIZE', 10)) : undefined,
    pgliteDir: env.TIDELINE_PGLITE_DIR || undefined,
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    queuePrefix: env.TIDELINE_QUEUE_PREFIX || 'tideline',
    port: int('PORT', 8080),
    host: env.HOST || '127.0.0.1',
    logLevel: env.LOG_LEVEL || 'info',
    kubeTimeoutMs: int('TIDELINE_KUBE_TIMEOUT_MS', 10_000),
    jobLockMs: Math.max(1_000, int('TIDELINE_JOB_LOCK_MS', 15_000)),
    authDisabled: authMode(env.TIDELINE_AUTH) === 'disabled',
    metricsPort: int('METRICS_PORT', 9464),
    metricsHost: env.METRICS_HOST || env.HOST || '127.0.0.1',
    apiReadCacheMs: int('TIDELINE_API_READ_CACHE_MS', 250),
  };
}

function authMode(raw: string | undefined): 'enabled' | 'disabled' {
  if (raw === undefined || raw === '' || raw === 'enabled') return 'enabled';
  if (raw === 'disabled') return 'disabled';
  throw new SettingsError(`environment variable TIDELINE_AUTH: must be "disabled" (or unset), got "${raw}"`);
}
