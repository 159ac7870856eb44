/** Small HTTP helpers shared by the Prometheus client and the traffic providers. */

/** The URL without user:password, query or fragment. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

/** "ECONNREFUSED", "ENOTFOUND", … or the error's message. */
export function networkErrorCode(err: unknown): string {
  const cause: unknown = err instanceof Error && err.cause !== undefined ? err.cause : err;
  if (typeof cause === 'object' && cause !== null) {
    const c = cause as { code?: unknown; errors?: unknown; message?: unknown };
    if (typeof c.code === 'string') return c.code;
    if (Array.isArray(c.errors)) {
      const first: unknown = c.errors[0];
      if (typeof first === 'object' && first !== null && typeof (first as { code?: unknown }).code === 'string')
        return (first as { code: string }).code;
    }
    if (typeof c.message === 'string' && c.message !== '') return c.message;
  }
  return String(cause);
}

export function isTimeout(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'name' in err && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/** Whitespace collapsed, at most 200 characters. */
export function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t || '(empty body)';
}

/**
 * fetch refuses URLs with user:password; move them into a Basic Authorization header so
 * http://user:pw@prometheus:9090 works, and keep them out of every message.
 */
export function splitCredentials(url: string): { url: string; authorization?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url };
  }
  if (u.username === '' && u.password === '') return { url };
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  return { url: u.toString().replace(/\/+$/, ''), authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}
