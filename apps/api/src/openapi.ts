/**
 * The OpenAPI 3.1 description of the API, served at /docs/openapi.json (and as a page at
 * /docs). Request bodies and parameters come from the same zod DTOs the controllers validate
 * with; every operation lists the scopes its bearer token needs and its error answers.
 * test/unit/openapi.test.ts checks that every route Nest registers is described here; the
 * document itself is built in openapi-document.ts.
 */
import { z } from 'zod';
import type { Scope } from '#config';
import { AuditQuery } from './audit.controller.js';
import { LEARNING_ROUTES } from './openapi-learning.js';
import { PLAN_ROUTES } from './openapi-plans.js';
import { ListNotificationsQuery } from './notification-dto.js';
import { OperationId, RegionActionBody, RegionName } from './region-dto.js';
import { LastEventId, StreamQuery } from './stream-dto.js';
import {
  ActionBody,
  CreateReleaseBody,
  GatesQuery,
  IdempotencyKey,
  ListEventsQuery,
  ListReleasesQuery,
  PromoteBody,
  ReleaseId,
  RetryBody,
} from './release-dto.js';

type Method = 'get' | 'post';

export interface RouteDoc {
  method: Method;
  /** OpenAPI style: /v1/releases/{id} */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** the token needs one of these (`admin` always does); 'public' = no token */
  scopes: Scope[] | 'public';
  params?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  headers?: Record<string, z.ZodType>;
  body?: z.ZodType;
  ok: { status: number; description: string; schema: string; contentType?: string };
  /** error statuses besides 401/403 (added for every non-public route) */
  errors: number[];
  /** what an error status means on this route, where it differs from the common text */
  errorText?: Partial<Record<number, string>>;
}

const ACTIONS: Array<[string, string, z.ZodType, number[]]> = [
  [
    'pause',
    'Pause: no new region is touched and bake clocks stop; gates keep running and failures still act.',
    ActionBody,
    [400, 404, 409],
  ],
  [
    'resume',
    'Resume a paused release: bake windows get back the paused time; back to awaiting_approval if the stage was not approved.',
    ActionBody,
    [400, 404, 409],
  ],
  [
    'approve',
    'Approve the stage the release waits for (awaiting_approval → running); recorded with the actor and reason.',
    ActionBody,
    [400, 404, 409],
  ],
  [
    'promote',
    "Skip the rest of the current bake of the stage's baking regions (a reason is required). Gates still decide: a region is verified only when its gates agree.",
    PromoteBody,
    [400, 404, 409],
  ],
  [
    'rollback',
    'Roll back every region the release changed (newest first). Wins over a racing promote or resume; a second rollback answers 409.',
    ActionBody,
    [400, 404, 409],
  ],
  [
    'cancel',
    'Cancel a release that has not changed any region (queued, waiting for approval or a window). Once a region was changed: 409, use rollback.',
    ActionBody,
    [400, 404, 409],
  ],
  [
    'retry',
    'Deploy a failed region of a paused release again (what ran before stays recorded) and resume the release.',
    RetryBody,
    [400, 404, 409],
  ],
];

export const ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/releases',
    tag: 'releases',
    summary: 'Create a release (idempotent)',
    description:
      'The same Idempotency-Key, or the same (service, releaseNumber), with the same payload answers the existing release with 200 (requestedBy aside). ' +
      'With a different service, releaseNumber, version, image or gitSha it answers 409: `errors` names each differing field and `existingRelease` the release; nothing is written. ' +
      'A releaseNumber lower than a release of the service that is queued, running, paused, awaiting approval or succeeded answers 409 naming it in `newerRelease`, ' +
      'unless the body says `allowOlder: true` (a deliberate roll back or forward, recorded on the release.created event with the actor and the newer release).',
    scopes: ['releases:create'],
    headers: { 'Idempotency-Key': IdempotencyKey },
    body: CreateReleaseBody,
    ok: { status: 201, description: 'created (200: the existing release)', schema: 'ReleaseDetail' },
    errors: [400, 409],
    errorText: {
      409: 'the key or (service, releaseNumber) names a release with another payload (`existingRelease`, `errors` name it), or a newer release of the service went or will go live (`newerRelease`); nothing was written',
    },
  },
  {
    method: 'get',
    path: '/v1/releases',
    tag: 'releases',
    summary: 'List releases, newest first',
    scopes: ['read'],
    query: ListReleasesQuery,
    ok: { status: 200, description: 'a page', schema: 'ReleasePage' },
    errors: [400],
  },
  {
    method: 'get',
    path: '/v1/releases/{id}',
    tag: 'releases',
    summary: 'A release with its plan and every region target',
    scopes: ['read'],
    params: { id: ReleaseId },
    ok: { status: 200, description: 'the release', schema: 'ReleaseDetail' },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/v1/releases/{id}/events',
    tag: 'releases',
    summary: "The release's append-only event log (with actor and reason of every action)",
    scopes: ['read'],
    params: { id: ReleaseId },
    query: ListEventsQuery,
    ok: { status: 200, description: 'events, oldest first', schema: 'Events' },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/v1/releases/{id}/gates',
    tag: 'releases',
    summary: "Each watched gate's status per region and the stored evaluations",
    scopes: ['read'],
    params: { id: ReleaseId },
    query: GatesQuery,
    ok: { status: 200, description: 'gates and evaluations', schema: 'Gates' },
    errors: [400, 404],
  },
  ...ACTIONS.map(([action, description, body, errors]): RouteDoc => ({
    method: 'post',
    path: `/v1/releases/{id}/${action}`,
    tag: 'operator actions',
    summary: `${action[0]!.toUpperCase()}${action.slice(1)} a release`,
    description: `${description} An action that makes no sense in the release's state answers 409 naming the state.`,
    scopes: ['releases:operate'],
    params: { id: ReleaseId },
    body,
    ok: { status: 200, description: 'what happened', schema: 'ActionResult' },
    errors: [...errors, 503],
  })),
  {
    method: 'get',
    path: '/v1/notifications',
    tag: 'notifications',
    summary: 'Each delivery of a release event to Slack or a webhook: destination, status, attempts, last error',
    scopes: ['read'],
    query: ListNotificationsQuery,
    ok: { status: 200, description: 'a page of deliveries, newest event first', schema: 'NotificationPage' },
    errors: [400],
  },
  {
    method: 'get',
    path: '/v1/regions',
    tag: 'regions',
    summary: 'Every region: the version each service runs there, its traffic weight, its last drain or restore',
    scopes: ['read'],
    ok: { status: 200, description: 'regions in configuration order', schema: 'Regions' },
    errors: [],
  },
  ...(['drain', 'restore'] as const).map((kind): RouteDoc => ({
    method: 'post',
    path: `/v1/regions/{region}/${kind}`,
    tag: 'regions',
    summary: kind === 'drain' ? "Drain a region's traffic (outside any release)" : "Restore a region's traffic",
    description:
      kind === 'drain'
        ? "Sets the region's weight to 0 through its traffic provider, then verifies it by the region's request rate in Prometheus (below drainedFraction of the pre-drain rate); the time to drain 99% is recorded. Runs as a job: follow the operation (Location). 409 while a drain or restore runs, when the region is drained, or has traffic provider none."
        : 'Puts back the weight the last drain found (100 if none). A restore supersedes a drain still under way. Verified when the rate is back above half of the pre-drain rate.',
    scopes: ['releases:operate'],
    params: { region: RegionName },
    body: RegionActionBody,
    ok: { status: 202, description: 'accepted: the operation (Location: its URL)', schema: 'RegionOperationAccepted' },
    errors: [400, 404, 409, 503],
  })),
  {
    method: 'get',
    path: '/v1/regions/{region}/operations/{operationId}',
    tag: 'regions',
    summary: 'A drain or restore: state, weights, rates, drain time',
    scopes: ['read'],
    params: { region: RegionName, operationId: OperationId },
    ok: { status: 200, description: 'the operation', schema: 'RegionOperation' },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/v1/audit',
    tag: 'audit',
    summary: 'Who did what, when and why: every action by a person or CI, across releases and regions, newest first',
    scopes: ['read'],
    query: AuditQuery,
    ok: { status: 200, description: 'a page', schema: 'AuditPage' },
    errors: [400],
  },
  ...LEARNING_ROUTES,
  ...PLAN_ROUTES,
  {
    method: 'get',
    path: '/v1/whoami',
    tag: 'auth',
    summary: "The calling token's name and scopes (any valid token)",
    scopes: ['read', 'releases:create', 'releases:operate'],
    ok: { status: 200, description: 'the caller', schema: 'Whoami' },
    errors: [],
  },
  {
    method: 'get',
    path: '/v1/stream',
    tag: 'releases',
    summary: "Live changes as server-sent events: every release event (or one release's) with its release and changed target",
    description:
      'Fed from the events table in commit order by one poller per API process (every 200 ms). Each message is a delta: the event, the release row and the changed region target. Send `Last-Event-ID` (the `id` of the last message) to resume without a gap; EventSource cannot send a bearer header, so read it with fetch.',
    scopes: ['read'],
    query: StreamQuery,
    headers: { 'Last-Event-ID': LastEventId },
    ok: { status: 200, description: 'an endless text/event-stream', schema: 'StreamChange', contentType: 'text/event-stream' },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/healthz',
    tag: 'probes',
    summary: 'Liveness',
    scopes: 'public',
    ok: { status: 200, description: 'alive', schema: 'Health' },
    errors: [],
  },
  {
    method: 'get',
    path: '/readyz',
    tag: 'probes',
    summary: 'Readiness: Postgres and Redis answer',
    scopes: 'public',
    ok: { status: 200, description: 'ready (503: not ready)', schema: 'Readiness' },
    errors: [],
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'probes',
    summary: "Tideline's own metrics, Prometheus text format (bounded labels; no release ids)",
    scopes: 'public',
    ok: { status: 200, description: 'Prometheus exposition format 0.0.4', schema: '', contentType: 'text/plain' },
    errors: [],
  },
  {
    method: 'get',
    path: '/docs',
    tag: 'docs',
    summary: 'This description as a page',
    scopes: 'public',
    ok: { status: 200, description: 'HTML', schema: '', contentType: 'text/html' },
    errors: [],
  },
  {
    method: 'get',
    path: '/docs/openapi.json',
    tag: 'docs',
    summary: 'This description (OpenAPI 3.1)',
    scopes: 'public',
    ok: { status: 200, description: 'the document', schema: '', contentType: 'application/json' },
    errors: [],
  },
];
