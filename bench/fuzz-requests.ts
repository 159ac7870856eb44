/**
 * Hostile requests for every operation of the API's OpenAPI document (fast-check arbitraries):
 * malformed JSON, wrong types, control characters, lone surrogates, huge numbers and strings,
 * prototype-pollution keys, wrong content types and encodings, huge bodies, duplicate headers,
 * tokens of the wrong scope or in the wrong place — and, among them, valid creates.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  pattern?: string;
  anyOf?: Schema[];
};
interface Param {
  name: string;
  in: 'path' | 'query' | 'header';
  schema: Schema;
}
export interface Operation {
  method: string;
  path: string;
  params: Param[];
  body: Schema | null;
  scopes: string[];
}

/** What the fuzzer knows of the system under test. */
export interface FuzzContext {
  /** valid values of path parameters: id, region, operationId */
  pathValues: Record<string, string>;
  tokens: { admin: string; read: string };
  service: string;
  image: (version: string) => string;
}

export type Caller = 'admin' | 'read' | 'none' | 'wrong';
export interface FuzzRequest {
  /** "POST /v1/releases/{id}/pause" */
  op: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: Buffer | null;
  caller: Caller;
  /** the operation's method (the request's may differ on purpose) */
  opMethod: string;
  scopes: string[];
  /** a well-formed create: a fresh releaseNumber is filled in when sent */
  validCreate: boolean;
}

/** The operations of an OpenAPI document. */
export function operationsOf(doc: {
  paths: Record<
    string,
    Record<string, { parameters?: Param[]; requestBody?: { content: Record<string, { schema: Schema }> }; 'x-scopes': string[] }>
  >;
}): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      params: op.parameters ?? [],
      body: op.requestBody?.content['application/json']?.schema ?? null,
      scopes: op['x-scopes'] ?? [],
    })),
  );
}

/** Percent-encode anything, lone surrogates included (as the bytes of U+FFFD, as a careless client would). */
export function pct(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
}

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfff',
    '\ud83d',
    '\ud83d\ude00',
    '\u202e',
    '\ufeff',
    '\uffff',
    '',
    ' ',
    '\t\r\n',
    "'; DROP TABLE releases;--",
    '%00',
    '../..',
    'NaN',
    '-0',
  ),
  fc.constantFrom(...PROTO_KEYS),
  fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(1_001, 70_000, 200_000).map((n) => 'x'.repeat(n)),
  fc
    .tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\u0000', '\ud800', '\udc00'), fc.string({ maxLength: 10 }))
    .map((t) => t.join('')),
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1.5, 2 ** 31, 2 ** 31 - 1, 2 ** 53 + 2, 2 ** 63, 9.3e18, 1e308, -1e308, Number.MIN_VALUE),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Hostile strings that still fit in a URL (Node refuses a request line past 16 KiB with 431). */
const urlHostile = hostileString.filter((s) => pct(s).length <= 3_000);

const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc
      .array(fc.tuple(fc.oneof(hostileString, fc.constantFrom(...PROTO_KEYS)), tie('v')), { maxLength: 3 })
      .map((e) => Object.fromEntries(e)),
  ),
})).v;

/** A value that passes the field's schema as far as a generator can guess it. */
function validValue(name: string, s: Schema, ctx: FuzzContext): unknown {
  const known: Record<string, unknown> = {
    service: ctx.service,
    version: '1.0.0',
    image: ctx.image('1.0.0'),
    releaseNumber: 999_999,
    gitSha: 'abcdef1',
    requestedBy: 'fuzz',
    reason: 'fuzzing',
    region: 'eu-west',
  };
  if (name in known) return known[name];
  if (s.enum) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  return type === 'integer' || type === 'number' ? 1 : type === 'boolean' ? true : 'x';
}

/** Raw bodies no object could serialize to. */
const rawBodies: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .constantFrom(
      '',
      'null',
      '[]',
      '"reason"',
      '1e400',
      '{"reason":1e400}',
      '{"releaseNumber":1e400}',
      '{"reason":"\\u0000"}',
      '{"reason":"\\ud800"}',
      '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"x":1}}}',
      '{"reason":"a","reason":"b"}',
      '{,}',
      '{"reason":',
      'true',
      '\ufeff{}',
      "{'reason':'x'}",
      '{"reason":"x"}garbage',
    )
    .map((s) => Buffer.from(s)),
  fc.constantFrom(3_000, 100_000).map((n) => Buffer.from('['.repeat(n) + ']'.repeat(n))),
  fc.constant(Buffer.from([0x7b, 0x22, 0x72, 0x65, 0x61, 0x73, 0x6f, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d])),
  fc.constant(Buffer.from(JSON.stringify({ reason: 'x'.repeat(300_000) }))),
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
);

function bodyFor(op: Operation, ctx: FuzzContext): fc.Arbitrary<Buffer | null> {
  const props = Object.entries(op.body?.properties ?? {});
  const objectBody = fc
    .tuple(
      fc.tuple(
        ...props.map(([name, s]) =>
          fc.oneof(
            { weight: 3, arbitrary: fc.constant({ v: validValue(name, s, ctx) }) },
            { weight: 3, arbitrary: hostileJson.map((v) => ({ v })) },
            { weight: 1, arbitrary: fc.constant(null) },
          ),
        ),
      ),
      fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTO_KEYS), hostileString), hostileJson), { maxLength: 2 }),
    )
    .map(([values, extra]) => {
      const o: Record<string, unknown> = {};
      props.forEach(([name], i) => {
        const v = values[i];
        if (v) Object.defineProperty(o, name, { value: v.v, enumerable: true, writable: true, configurable: true });
      });
      for (const [k, v] of extra) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      return Buffer.from(JSON.stringify(o));
    });
  return fc.oneof({ weight: 6, arbitrary: objectBody }, { weight: 3, arbitrary: rawBodies }, { weight: 1, arbitrary: fc.constant(null) });
}

function pathParam(name: string, ctx: FuzzContext): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(pct(ctx.pathValues[name] ?? 'x')) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%E0%A4%A',
        '%',
        '%zz',
        '%00',
        '%ED%A0%80',
        '%C0%AF',
        'not-a-uuid',
        '00000000-0000-4000-8000-000000000000',
        '..',
        'x'.repeat(5_000),
      ),
    },
    { weight: 2, arbitrary: urlHostile.filter((s) => s.length > 0).map(pct) },
  );
}

function queryFor(op: Operation, ctx: FuzzContext): fc.Arbitrary<string> {
  const declared = op.params.filter((p) => p.in === 'query');
  const value = (p: Param) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(String(validValue(p.name, p.schema, ctx))) },
      {
        weight: 2,
        arbitrary: fc.oneof(
          urlHostile,
          hostileNumber.map(String),
          fc.constantFrom('99999999999999999999', '9223372036854775808', '9223372036854775807', '1e400', '0x10', ' 7', '-1', 'Infinity'),
        ),
      },
    );
  const pair = (p: Param) => value(p).map((v) => `${pct(p.name)}=${pct(v)}`);
  const declaredPairs =
    declared.length > 0
      ? fc.subarray(declared).chain((ps) => (ps.length ? fc.tuple(...ps.map(pair)) : fc.constant([] as string[])))
      : fc.constant([] as string[]);
  const unknown = fc.constantFrom(
    `access_token=${pct(ctx.tokens.admin)}`,
    `token=${pct(ctx.tokens.admin)}`,
    `api_key=${pct(ctx.tokens.read)}`,
    'colour=blue',
    '__proto__=1',
    'constructor=x',
    'limit=1&limit=2',
    '%E0%A4%A=1',
    'a=%E0%A4%A',
  );
  return fc.tuple(declaredPairs, fc.option(unknown, { freq: 4 })).map(([ps, u]) => [...ps, ...(u ? [u] : [])].join('&'));
}

const CONTENT_TYPES: fc.Arbitrary<string | string[]> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/merge-patch+json',
      'application/json;;;',
      '',
      'none',
    ),
  },
  { weight: 1, arbitrary: fc.constant<string[]>(['application/json', 'text/plain']) },
);

function authFor(caller: Caller, ctx: FuzzContext): Record<string, string | string[]> {
  if (caller === 'admin') return { authorization: `Bearer ${ctx.tokens.admin}` };
  if (caller === 'read') return { authorization: `Bearer ${ctx.tokens.read}` };
  if (caller === 'wrong') return { authorization: `Token ${ctx.tokens.admin}`, 'x-api-key': ctx.tokens.admin };
  return {};
}

/** One hostile request against one operation. */
export function requestFor(op: Operation, ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const path = fc
    .tuple(...pathParams.map((p) => pathParam(p.name, ctx)))
    .map((values) => pathParams.reduce((acc, p, i) => acc.replace(`{${p.name}}`, values[i]!), op.path));
  return fc
    .record({
      path: pathParams.length > 0 ? path : fc.constant(op.path),
      query: queryFor(op, ctx),
      body: op.body ? bodyFor(op, ctx) : fc.option(rawBodies, { freq: 8 }),
      caller: fc.constantFrom<Caller>('admin', 'admin', 'admin', 'admin', 'admin', 'admin', 'read', 'none', 'wrong'),
      method: fc.oneof(
        { weight: 15, arbitrary: fc.constant(op.method) },
        { weight: 1, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', op.method === 'GET' ? 'POST' : 'GET') },
      ),
      contentType: CONTENT_TYPES,
      encoding: fc.constantFrom('', '', '', '', '', '', '', '', 'gzip', 'gzip-bad', 'compress', 'identity', 'br-bad'),
      extra: fc.constantFrom<Record<string, string | string[]>>(
        {},
        {},
        {},
        {},
        {},
        {},
        {},
        {},
        {},
        {},
        {},
        {},
        {},
        {},
        {},
        {},
        {},
        {},
        {},
        {},
        { 'idempotency-key': ['a', 'b'] },
        { 'idempotency-key': 'k'.repeat(300) },
        { 'x-forwarded-for': '1.2.3.4' },
        { 'x-huge': 'h'.repeat(20_000) },
        { authorization: [`Bearer ${ctx.tokens.read}`, `Bearer ${ctx.tokens.admin}`] },
      ),
    })
    .map(({ path, query, body, caller, method, contentType, encoding, extra }): FuzzRequest => {
      const headers: Record<string, string | string[]> = { ...authFor(caller, ctx), ...extra };
      if ('authorization' in extra) caller = 'read'; // Node keeps the first of two Authorization headers
      if (body && contentType !== 'none') headers['content-type'] = contentType;
      let sent = body;
      if (body && encoding) {
        headers['content-encoding'] = encoding.replace(/-bad$/, '');
        if (encoding === 'gzip') sent = gzipSync(body);
      }
      return {
        op: `${op.method} ${op.path}`,
        method,
        path: query ? `${path}?${query}` : path,
        headers,
        body: sent,
        caller,
        opMethod: op.method,
        scopes: op.scopes,
        validCreate: false,
      };
    });
}

/** Requests over every operation, with a few valid creates among them. */
export function requests(ops: Operation[], ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const create = ops.find((o) => o.method === 'POST' && o.path === '/v1/releases');
  const hostile = fc.oneof(...ops.map((op) => requestFor(op, ctx)));
  if (!create) return hostile;
  const valid = fc.constant<FuzzRequest>({
    op: 'POST /v1/releases',
    method: 'POST',
    path: '/v1/releases',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.tokens.admin}` },
    body: null,
    caller: 'admin',
    opMethod: 'POST',
    scopes: create.scopes,
    validCreate: true,
  });
  return fc.oneof({ weight: 19, arbitrary: hostile }, { weight: 1, arbitrary: valid });
}
