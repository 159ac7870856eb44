import { z } from 'zod';
import { isRecord } from './interpolate.js';
import type { SchemaContext } from './schema.js';
import { fileNamed, unknownRegionMessage } from './schema.js';
import { dnsLabel, dnsSubdomain, expected, strict } from './schema-kit.js';
import type { ServiceConfig, WorkloadRef } from './types.js';

const workloadSchema = strict({
  namespace: dnsLabel('must be a Kubernetes namespace name (lowercase letters, digits and "-")').default('default'),
  deployment: dnsSubdomain(),
  container: dnsLabel('must be a Kubernetes container name (lowercase letters, digits and "-")').optional(),
}).transform((w): WorkloadRef => ({ namespace: w.namespace, deployment: w.deployment, container: w.container ?? w.deployment }));

const workloadList = () =>
  z.array(workloadSchema, expected('must be a list of workloads')).min(1, expected('must list at least one workload'));

function knownList(known: ReadonlySet<string>): string {
  return known.size > 0 ? [...known].sort().join(', ') : 'none';
}

/** `services/<name>.yaml` */
export function serviceFileSchema(ctx: SchemaContext) {
  return strict({
    name: fileNamed(ctx),
    plan: z
      .string(expected('must be a string'))
      .superRefine((plan, check) => {
        if (!ctx.knownPlans.has(plan)) {
          check.addIssue({
            code: 'custom',
            input: plan,
            message: `unknown plan ${JSON.stringify(plan)} (known: ${knownList(ctx.knownPlans)})`,
          });
        }
      })
      .optional(),
    onConcurrent: z.enum(['queue', 'supersede']).default('queue'),
    workloads: workloadList(),
    regionWorkloads: z
      .record(z.string(), workloadList(), expected('must be a mapping of region name to workloads'))
      .superRefine(
        (byRegion, check) => {
          const known = ctx.knownRegions;
          if (known === null) return;
          for (const region of Object.keys(byRegion)) {
            if (!known.has(region))
              check.addIssue({ code: 'custom', input: region, path: [region], message: unknownRegionMessage(region, known) });
          }
        },
        { when: (payload) => isRecord(payload.value) },
      )
      .optional(),
  })
    .superRefine(
      (_service, check) => {
        check.addIssue({
          code: 'custom',
          input: undefined,
          path: ['plan'],
          message: `no plan named ${JSON.stringify(ctx.fileName)} (plan defaults to the service name; known: ${knownList(ctx.knownPlans)})`,
        });
      },
      { when: (payload) => isRecord(payload.value) && payload.value['plan'] === undefined && !ctx.knownPlans.has(ctx.fileName) },
    )
    .transform((service): ServiceConfig => ({
      name: ctx.fileName,
      plan: service.plan ?? ctx.fileName,
      onConcurrent: service.onConcurrent,
      workloads: service.workloads,
      regionWorkloads: Object.fromEntries(Object.entries(service.regionWorkloads ?? {})),
    }));
}
