/**
 * /docs describes the API as Nest serves it: every route Nest registers appears in the OpenAPI
 * document (and nothing else does), with the scopes its guard enforces and its error shapes.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod, type Type } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../../apps/api/src/app.module.js';
import { PUBLIC_KEY, SCOPES_KEY } from '../../apps/api/src/auth.js';
import { docsPage } from '../../apps/api/src/docs.controller.js';
import { openApiDocument } from '../../apps/api/src/openapi-document.js';
import type { Container } from '#runtime';

type Doc = {
  paths: Record<
    string,
    Record<
      string,
      { security: Array<Record<string, string[]>>; 'x-scopes': string[]; responses: Record<string, { content: Record<string, unknown> }> }
    >
  >;
};
/** Every use case a stand-in: building the app needs them, routing does not call them. */
const FAKE = new Proxy({}, { get: () => ({}) }) as unknown as Container;
const toOpenApi = (path: string) =>
  `/${path}`
    .replace(/\/+/g, '/')
    .replace(/:(\w+)/g, '{$1}')
    .replace(/(.)\/$/, '$1');

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

describe('OpenAPI document', () => {
  let app: NestExpressApplication;
  const doc = openApiDocument() as unknown as Doc;

  beforeAll(async () => {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forContainer(FAKE), { logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
  });

  function registered(): string[] {
    const express = app.getHttpAdapter().getInstance() as { router?: { stack: Layer[] }; _router?: { stack: Layer[] } };
    const stack = (express.router ?? express._router)!.stack;
    return stack
      .flatMap((l) => (l.route ? Object.keys(l.route.methods).map((m) => `${m.toUpperCase()} ${toOpenApi(l.route!.path)}`) : []))
      .sort();
  }

  function documented(): string[] {
    return Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
  }

  it('lists exactly the routes Nest registers', () => {
    const routes = registered();
    expect(routes.length).toBeGreaterThanOrEqual(20);
    expect(documented()).toEqual(routes);
  });

  it('gives every route the scopes its handler declares (public routes: none), and 401/403 problem answers', () => {
    const controllers = (AppModule.forContainer(FAKE).controllers ?? []) as Array<Type<object>>;
    let checked = 0;
    for (const controller of controllers) {
      const base = Reflect.getMetadata(PATH_METADATA, controller) as string;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number]!.toLowerCase();
        const path = toOpenApi(`${base}/${Reflect.getMetadata(PATH_METADATA, handler) as string}`);
        const op = doc.paths[path]?.[method];
        expect(op, `${method} ${path}`).toBeDefined();
        const isPublic = Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, controller);
        const scopes = (Reflect.getMetadata(SCOPES_KEY, handler) ?? Reflect.getMetadata(SCOPES_KEY, controller)) as string[] | undefined;
        if (isPublic) {
          expect(op!.security, `${method} ${path}`).toEqual([]);
        } else {
          expect(scopes, `${method} ${path} declares its scopes`).toBeDefined();
          expect(op!['x-scopes'], `${method} ${path}`).toEqual(scopes);
          expect(op!.security, `${method} ${path}`).toEqual([{ bearer: scopes }]);
          for (const status of ['401', '403'])
            expect(op!.responses[status]!.content, `${method} ${path} ${status}`).toHaveProperty(['application/problem+json']);
        }
        checked++;
      }
    }
    expect(checked).toBe(registered().length);
  });

  it('describes bodies and parameters from the DTOs, errors as problem+json, and renders a page without external resources', () => {
    const create = (
      doc.paths['/v1/releases']!.post as unknown as {
        requestBody: { content: { 'application/json': { schema: { required: string[]; additionalProperties: boolean } } } };
      }
    ).requestBody;
    expect(create.content['application/json'].schema.required).toEqual(['service', 'version', 'image', 'releaseNumber']);
    expect(create.content['application/json'].schema.additionalProperties).toBe(false);
    const promote = doc.paths['/v1/releases/{id}/promote']!.post as unknown as {
      requestBody: { required: boolean };
      responses: Record<string, unknown>;
    };
    expect(promote.requestBody.required).toBe(true);
    expect(Object.keys(promote.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '503']);
    const audit = doc.paths['/v1/audit']!.get as unknown as { parameters: Array<{ name: string; in: string }> };
    expect(audit.parameters.map((p) => p.name)).toEqual(['actor', 'type', 'region', 'release', 'since', 'limit', 'offset']);
    const html = docsPage();
    expect(html).toContain('/v1/regions/{region}/drain');
    expect(html).not.toMatch(/<script|https?:\/\//);
  });
});
