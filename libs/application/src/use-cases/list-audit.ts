/** GET /v1/audit: who did what, when and why — release actions and region drains/restores. */
import type { AuditEntry, AuditFilter, AuditStore } from '#persistence';
import { ENGINE_ACTOR } from '#domain';

export type AuditQuery = Omit<AuditFilter, 'engineActor'>;

export class ListAudit {
  constructor(private readonly audit: AuditStore) {}

  execute(query: AuditQuery): Promise<{ items: AuditEntry[]; total: number }> {
    return this.audit.list({ ...query, engineActor: ENGINE_ACTOR });
  }
}
