/** Builds the OpenAPI 3.1 document (served at /docs/openapi.json) from the route descriptions in openapi.ts. */
import { z } from 'zod';
import { ROUTES, type RouteDoc } from './openapi.js';
import { SCHEMAS } from './openapi-schemas.js';
import { LEARNING_SCHEMAS } from './openapi-learning.js';

type JsonSchema = Record<string, unknown>;

const ERROR_TEXT: Record<number, string> = {
  400: 'bad input: `errors` names every bad field; nothing was written',
  401: 'no bearer token, or not a valid one (WWW-Authenticate: Bearer)',
  403: "the token lacks the operation's scope",
  404: 'no such release, region or operation',
  409: 'makes no sense in the current state: `state` names it',
  503: 'busy with another change of the same release or region; try again',
};

function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function operation(r: RouteDoc): JsonSchema {
  const parameters: JsonSchema[] = [];
  for (const [name, s] of Object.entries(r.params ?? {})) parameters.push({ name, in: 'path', required: true, schema: jsonSchema(s) });
  for (const [name, s] of Object.entries(r.query?.shape ?? {}))
    parameters.push({ name, in: 'query', required: !s.isOptional(), schema: jsonSchema(s) });
  for (const [name, s] of Object.entries(r.headers ?? {}))
    parameters.push({ name, in: 'header', required: !s.isOptional(), schema: jsonSchema(s) });
  const responses: Record<string, JsonSchema> = {
    [String(r.ok.status)]: {
      description: r.ok.description,
      content: { [r.ok.contentType ?? 'application/json']: r.ok.schema ? { schema: { $ref: `#/components/schemas/${r.ok.schema}` } } : {} },
    },
  };
  const errors = r.scopes === 'public' ? r.errors : [...r.errors, 401, 403];
  for (const status of [...new Set(errors)].sort()) {
    responses[String(status)] = {
      description: r.errorText?.[status] ?? ERROR_TEXT[status] ?? 'error',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  const body =
    r.body instanceof z.ZodOptional
      ? { schema: r.body.unwrap() as z.ZodType, required: false }
      : r.body
        ? { schema: r.body, required: true }
        : null;
  return {
    operationId: `${r.method}${r.path.replace(/[{}]/g, '').replace(/[/.]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
    tags: [r.tag],
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    security: r.scopes === 'public' ? [] : [{ bearer: r.scopes }],
    'x-scopes': r.scopes === 'public' ? [] : r.scopes,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body ? { requestBody: { required: body.required, content: { 'application/json': { schema: jsonSchema(body.schema) } } } } : {}),
    responses,
  };
}

let cached: JsonSchema | null = null;

export function openApiDocument(): JsonSchema {
  if (cached) return cached;
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const r of ROUTES) (paths[r.path] ??= {})[r.method] = operation(r);
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Tideline',
      version: '0.1.0',
      description:
        "Progressive delivery across regions. Every request but the probes, /metrics and /docs needs `Authorization: Bearer <token>`; a token has scopes (releases:create, releases:operate, read, admin = all). The token's name is recorded as the actor of every action.",
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: ['releases', 'operator actions', 'regions', 'audit', 'learning', 'auth', 'probes', 'docs'].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token from tideline.yaml auth.tokens' } },
      schemas: { ...SCHEMAS, ...LEARNING_SCHEMAS },
    },
  };
  return cached;
}
