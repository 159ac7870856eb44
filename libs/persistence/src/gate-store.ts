/** Gate evaluations: written with a release step, read by the API. */
import type { EntityManager } from 'typeorm';
import type { Db } from './db.js';
import { GateEvaluationEntity, type GateEvaluationInput, type GateEvaluationRecord } from './gate-entities.js';

export interface EvaluationFilter {
  region?: string;
  gate?: string;
  /** only evaluations with a larger id (to page or poll) */
  afterId?: string;
  limit: number;
}

export async function insertEvaluations(m: EntityManager, releaseId: string, rows: readonly GateEvaluationInput[]): Promise<void> {
  if (rows.length === 0) return;
  await m.getRepository(GateEvaluationEntity).insert(rows.map((r) => ({ ...r, releaseId })));
}

export class GateStore {
  constructor(private readonly db: Db) {}

  evaluations(releaseId: string, filter: EvaluationFilter): Promise<GateEvaluationRecord[]> {
    return this.db.read((m) => {
      const qb = m
        .getRepository(GateEvaluationEntity)
        .createQueryBuilder('g')
        .where('g.release_id = :releaseId', { releaseId })
        .andWhere('g.id > :afterId', { afterId: filter.afterId ?? '0' });
      if (filter.region) qb.andWhere('g.region = :region', { region: filter.region });
      if (filter.gate) qb.andWhere('g.gate = :gate', { gate: filter.gate });
      return qb.orderBy('g.id', 'ASC').limit(filter.limit).getMany();
    });
  }
}
