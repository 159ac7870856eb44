/**
 * Secrets stay out of log lines (log-redaction.ts): every path the logger redacted before (pino's
 * redact paths token, *.token, authorization, *.authorization, headers.authorization,
 * req.headers.authorization, request.headers.authorization, password, *.password) is redacted in
 * the line written, the caller's objects are left as they were, and a line without secrets is not
 * copied.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets } from '#runtime';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger('test', 'info', stream) };
}

describe('log redaction', () => {
  it('redacts every secret path in the line written', () => {
    const { lines, log } = capture();
    log.info(
      {
        token: 't0p',
        password: 'pw',
        authorization: 'Bearer a',
        Authorization: 'Bearer b',
        err: { token: 'e-t', password: 'e-pw', message: 'kept' },
        headers: { authorization: 'Bearer h', accept: 'json' },
        req: { headers: { authorization: 'Bearer r', host: 'x' }, url: '/v1' },
        request: { headers: { Authorization: 'Bearer q' } },
        client: { Authorization: 'Bearer c' },
        releaseId: 'r-1',
      },
      'm',
    );
    expect(lines[0]).toMatchObject({
      token: '[redacted]',
      password: '[redacted]',
      authorization: '[redacted]',
      Authorization: '[redacted]',
      err: { token: '[redacted]', password: '[redacted]', message: 'kept' },
      headers: { authorization: '[redacted]', accept: 'json' },
      req: { headers: { authorization: '[redacted]', host: 'x' }, url: '/v1' },
      request: { headers: { Authorization: '[redacted]' } },
      client: { Authorization: '[redacted]' },
      releaseId: 'r-1',
      msg: 'm',
    });
    expect(JSON.stringify(lines[0])).not.toMatch(/t0p|pw|Bearer|e-t/);
  });

  it("redacts a child logger's bindings", () => {
    const { lines, log } = capture();
    log.child({ token: 'child-secret', releaseId: 'r-2' }).info('x');
    log
      .child({ component: 'c' })
      .child({ err: { password: 'grandchild-secret' } })
      .info('y');
    expect(lines[0]).toMatchObject({ token: '[redacted]', releaseId: 'r-2' });
    expect(lines[1]).toMatchObject({ component: 'c', err: { password: '[redacted]' } });
    expect(JSON.stringify(lines)).not.toMatch(/secret/);
  });

  it("leaves the caller's objects as they were, and a line without secrets uncopied", () => {
    const fields = { err: { token: 'e' }, req: { headers: { authorization: 'a' } }, list: [{ token: 'in a list' }] };
    const out = redactSecrets(fields);
    expect(fields).toEqual({ err: { token: 'e' }, req: { headers: { authorization: 'a' } }, list: [{ token: 'in a list' }] });
    expect(out).toEqual({
      err: { token: '[redacted]' },
      req: { headers: { authorization: '[redacted]' } },
      list: [{ token: 'in a list' }],
    });
    const clean = { releaseId: 'r', data: { version: '1' }, at: new Date(0) };
    expect(redactSecrets(clean)).toBe(clean);
    const error = Object.assign(new Error('boom'), { code: 'E' });
    expect(redactSecrets({ err: error }).err).toBe(error);
  });

  it('is not deeper than the paths it replaces', () => {
    // *.token is one level down; a token two levels down was not redacted before either
    expect(redactSecrets({ a: { b: { token: 'x' } } })).toEqual({ a: { b: { token: 'x' } } });
  });
});
