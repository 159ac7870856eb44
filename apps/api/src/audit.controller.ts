/** /v1/audit: every action a person or CI took (actor and reason), across releases and regions. */
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { z } from 'zod';
import { MAX_OFFSET } from './input-guards.js';
import { ListAudit } from '#application';
import type { AuditEntry } from '#persistence';
import { Scopes } from './auth.js';
import { parseOrThrow } from './validation.js';

export const AuditQuery = z.strictObject({
  actor: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be a token name like ci')
    .optional(),
  type: z
    .string()
    .regex(/^[a-z_]+(\.[a-z_]+)+$/, 'must be an event type like release.rolling_back')
    .optional(),
  region: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a region name like eu-west')
    .optional(),
  release: z.uuid({ message: 'must be a release id (UUID)' }).optional(),
  since: z.iso.datetime({ offset: true, message: 'must be a date-time like 2026-11-22T10:00:00Z' }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(MAX_OFFSET).default(0),
});

export function entryView(e: AuditEntry) {
  return { ...e, at: e.at.toISOString() };
}

@Controller('v1/audit')
export class AuditController {
  constructor(@Inject(ListAudit) private readonly listAudit: ListAudit) {}

  @Get()
  @Scopes('read')
  async list(@Query() query: unknown) {
    const q = parseOrThrow(AuditQuery, query);
    const page = await this.listAudit.execute({
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.type ? { type: q.type } : {}),
      ...(q.region ? { region: q.region } : {}),
      ...(q.release ? { releaseId: q.release } : {}),
      ...(q.since ? { since: new Date(q.since) } : {}),
      limit: q.limit,
      offset: q.offset,
    });
    return { items: page.items.map(entryView), total: page.total, limit: q.limit, offset: q.offset };
  }
}
