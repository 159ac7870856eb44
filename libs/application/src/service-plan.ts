/** A configured service and the plan snapshot a release of it would freeze, or a ValidationError naming `service`. */
import type { ServiceConfig, TidelineConfig } from '#config';
import { expandPlan, PlanError, type PlanSnapshot } from '#domain';
import { ValidationError } from './errors.js';

export function servicePlan(config: TidelineConfig, name: string): { service: ServiceConfig; snapshot: PlanSnapshot } {
  const service = config.services.get(name);
  if (!service) {
    const known = [...config.services.keys()].join(', ') || 'none configured';
    throw new ValidationError([{ field: 'service', message: `unknown service "${name}" (known: ${known})` }]);
  }
  const plan = config.plans.get(service.plan);
  if (!plan)
    throw new ValidationError([
      { field: 'service', message: `service "${service.name}" names plan "${service.plan}", which does not exist` },
    ]);
  try {
    return { service, snapshot: expandPlan(plan, service, new Set(config.regionsByName.keys())) };
  } catch (err) {
    if (err instanceof PlanError) throw new ValidationError([{ field: 'service', message: err.message }]);
    throw err;
  }
}
