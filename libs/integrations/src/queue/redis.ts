/**
 * The one Redis connection factory. REDIS_URL becomes ioredis options (`redisConnection`), and
 * `connectRedis` opens the client a process shares between its BullMQ queues and workers
 * (workers duplicate it for their blocking reads; BullMQ never closes a client it was given).
 *   redis://[user:password@]host[:port][/db]
 *   rediss://…                   the same over TLS (the server's certificate checked against the system CAs)
 *   redis+sentinel://[user:password@]host[:port][,host[:port]…]/<master name>[/db][?sentinelUsername=…&sentinelPassword=…]
 *   rediss+sentinel://…          Sentinel, with TLS to the sentinels and to Redis
 * user:password authenticate to Redis; sentinelUsername/sentinelPassword to the sentinels. Every
 * client has maxRetriesPerRequest: null (BullMQ requires it of workers: commands wait for a reconnect).
 */
import { Redis, type RedisOptions } from 'ioredis';

const SCHEMES = ['redis', 'rediss', 'redis+sentinel', 'rediss+sentinel'] as const;
const SENTINEL_QUERY = new Set(['sentinelUsername', 'sentinelPassword']);
const DEFAULT_PORT = 6379;
const DEFAULT_SENTINEL_PORT = 26379;

class RedisUrlError extends Error {
  constructor(problem: string) {
    super(`REDIS_URL ${problem}`);
    this.name = 'RedisUrlError';
  }
}

/** ioredis (and BullMQ) connection options for REDIS_URL; throws a RedisUrlError naming REDIS_URL (never its password). */
export function redisConnection(url: string): RedisOptions {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme || !(SCHEMES as readonly string[]).includes(scheme)) {
    const got = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
    throw new RedisUrlError(
      `must start with ${SCHEMES.map((s) => `${s}://`)
        .join(', ')
        .replace(/, (?=[^,]*$)/, ' or ')}, got ${got ? `${got}:` : 'no scheme'}`,
    );
  }
  const tls = scheme.startsWith('rediss');
  const options = scheme.endsWith('+sentinel') ? sentinelOptions(url, tls) : standaloneOptions(url, tls);
  return { ...options, maxRetriesPerRequest: null };
}

/** The client a process shares between its queues and workers (whoever opens it quits it). */
export function connectRedis(url: string): Redis {
  return new Redis(redisConnection(url));
}

function standaloneOptions(url: string, tls: boolean): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisUrlError('is not a valid URL');
  }
  return {
    host: unbracket(u.hostname) || '127.0.0.1',
    port: u.port ? Number(u.port) : DEFAULT_PORT,
    ...credentials(u.username, u.password),
    db: database(u.pathname.slice(1)),
    ...(tls ? { tls: {} } : {}),
  };
}

/** scheme://[userinfo@]hosts/master[/db][?query] */
const SENTINEL_URL = /^[a-z+]+:\/\/(?:([^@/?#]*)@)?([^/?#]+)\/([^/?#]+)(?:\/([^/?#]*))?\/?(?:\?([^#]*))?$/i;

function sentinelOptions(url: string, tls: boolean): RedisOptions {
  const m = SENTINEL_URL.exec(url);
  if (!m) throw new RedisUrlError('for Sentinel must look like redis+sentinel://host[:port][,host[:port]…]/<master name>[/db]');
  const [, userinfo = '', hosts = '', master = '', db = '', query = ''] = m;
  const colon = userinfo.indexOf(':');
  const params = new URLSearchParams(query);
  for (const key of params.keys()) {
    if (!SENTINEL_QUERY.has(key)) throw new RedisUrlError(`has an unknown parameter "${key}" (known: ${[...SENTINEL_QUERY].join(', ')})`);
  }
  const sentinelUsername = params.get('sentinelUsername');
  const sentinelPassword = params.get('sentinelPassword');
  return {
    sentinels: hosts.split(',').map((text, i) => sentinelAddress(text, i)),
    name: decode(master, 'master name'),
    ...credentials(colon < 0 ? userinfo : userinfo.slice(0, colon), colon < 0 ? '' : userinfo.slice(colon + 1)),
    db: database(db),
    ...(sentinelUsername ? { sentinelUsername } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    ...(tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
  };
}

function sentinelAddress(text: string, index: number): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m)
    throw new RedisUrlError(`has a malformed sentinel address (number ${index + 1}): sentinels are host or host:port, comma-separated`);
  return { host: unbracket(m[1]!), port: m[2] ? Number(m[2]) : DEFAULT_SENTINEL_PORT };
}

function credentials(user: string, password: string): { username?: string; password?: string } {
  return {
    ...(user ? { username: decode(user, 'user name') } : {}),
    ...(password ? { password: decode(password, 'password') } : {}),
  };
}

function database(text: string): number {
  if (text === '') return 0;
  if (!/^\d{1,5}$/.test(text)) throw new RedisUrlError(`database (the path after the host) must be a number`);
  return Number(text);
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new RedisUrlError(`has a malformed ${what} (bad %-encoding)`);
  }
}

const unbracket = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
