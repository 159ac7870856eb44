/** Read side: one region operation (drain or restore) of a region. */
import type { RegionOperationRecord, RegionOperationStore } from '#persistence';
import { NotFoundError } from '../errors.js';

export class GetRegionOperation {
  constructor(private readonly ops: RegionOperationStore) {}

  async execute(region: string, id: string): Promise<RegionOperationRecord> {
    const op = await this.ops.get(id);
    if (!op || op.region !== region) throw new NotFoundError('region operation', id);
    return op;
  }
}
