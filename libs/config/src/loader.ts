import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { checkPlanFile, checkRegionsFile, checkServiceFile, regionNames } from './cross-checks.js';
import { ConfigError, formatPath, isPrefix } from './errors.js';
import type { ConfigIssue, PathSegment } from './errors.js';
import { deepFreeze, FrozenMap } from './freeze.js';
import { interpolateTree } from './interpolate.js';
import { notificationsFileSchema } from './notifications-schema.js';
import type { Env, InterpolationProblem } from './interpolate.js';
import { planFileSchema } from './plan-schema.js';
import type { RegionsFile } from './region-schema.js';
import { regionsFileSchema } from './region-schema.js';
import { serviceFileSchema } from './service-schema.js';
import { DEFAULT_ENGINE, DEFAULT_PREFLIGHT, tidelineFileSchema } from './schema.js';
import { checkDrainProviders } from './plan-checks.js';
import { NO_AUTH } from './auth-schema.js';
import type { SchemaContext } from './schema.js';
import { DNS_LABEL_HINT, isDnsLabel, validate } from './schema-kit.js';
import type { Problem } from './schema-kit.js';
import { readYamlFile, type Position } from './yaml-file.js';
import { checkKubeconfigCredentials } from './kubeconfig-check.js';
import type { EngineConfig, PlanConfig, ServiceConfig, TidelineConfig } from './types.js';

const YAML_EXTENSIONS = ['.yaml', '.yml'];

interface Source {
  file: string;
  fileName: string;
  data: unknown;
  positionOf: (path: readonly PathSegment[]) => Position | undefined;
  /** Paths whose strings could not be interpolated: later problems under them are follow-ups. */
  skip: PathSegment[][];
}

interface FileRef {
  abs: string;
  file: string;
  fileName: string;
}

/**
 * Loads `<dir>/tideline.yaml` (optional), `<dir>/regions.yaml`, `<dir>/services/*.yaml` and
 * `<dir>/plans/*.yaml`, interpolating `${VAR}` / `${VAR:-default}` from `env` first.
 * Returns a deeply frozen configuration, or throws a `ConfigError` listing every problem.
 */
export function loadConfig(dir: string = 'config', env: NodeJS.ProcessEnv = process.env): TidelineConfig {
  return new Loader(dir, env).load();
}

class Loader {
  private readonly baseDir: string;
  private readonly issues: ConfigIssue[] = [];

  constructor(
    dir: string,
    private readonly env: Env,
  ) {
    this.baseDir = resolve(dir);
  }

  load(): TidelineConfig {
    if (!isDirectory(this.baseDir)) {
      throw new ConfigError([{ file: this.display(), path: '', message: 'configuration directory not found' }]);
    }
    const tidelineRef = this.topLevelFile('tideline', false);
    const regionsRef = this.topLevelFile('regions', true);
    const planRefs = this.definitionFiles('plans', 'plan');
    const serviceRefs = this.definitionFiles('services', 'service');
    const notificationsRef = this.topLevelFile('notifications', false);

    const tidelineSource = tidelineRef && this.read(tidelineRef, true);
    const regionsSource = regionsRef && this.read(regionsRef, false);
    const context = (fileName: string, engine: EngineConfig): SchemaContext => ({
      env: this.env,
      baseDir: this.baseDir,
      fileName,
      knownRegions: regionsSource ? regionNames(regionsSource.data) : null,
      knownPlans: new Set(planRefs.map((ref) => ref.fileName)),
      engine,
    });

    const settings = (tidelineSource && this.check(tidelineSource, tidelineFileSchema(this.env), () => [])) ?? {
      engine: DEFAULT_ENGINE,
      preflight: DEFAULT_PREFLIGHT,
      auth: NO_AUTH,
    };
    const engine = settings.engine;
    const regionsFile: RegionsFile | undefined =
      regionsSource && this.check(regionsSource, regionsFileSchema(context('regions', engine)), checkRegionsFile);
    const plans = new Map<string, PlanConfig>();
    const planSources = new Map<string, Source>();
    for (const ref of planRefs) {
      const source = this.read(ref, false);
      if (source) planSources.set(ref.fileName, source);
      const plan = source && this.check(source, planFileSchema(context(ref.fileName, engine)), checkPlanFile);
      if (plan) plans.set(plan.name, plan);
    }
    const services = new Map<string, ServiceConfig>();
    for (const ref of serviceRefs) {
      const source = this.read(ref, false);
      const service = source && this.check(source, serviceFileSchema(context(ref.fileName, engine)), checkServiceFile);
      if (service) services.set(service.name, service);
    }

    if (regionsFile !== undefined) {
      for (const p of checkKubeconfigCredentials(regionsFile.regions, regionsFile.kubeconfigPath, this.env))
        this.add(regionsRef!.file, p.path, p.message);
      for (const ref of planRefs) {
        const plan = plans.get(ref.fileName);
        const at = (path: readonly PathSegment[]) => planSources.get(ref.fileName)?.positionOf(path);
        if (plan) for (const p of checkDrainProviders(plan, regionsFile.regions)) this.add(ref.file, p.path, p.message, at(p.path));
      }
    }
    const notificationsSource = notificationsRef && this.read(notificationsRef, true);
    const notifications =
      notificationsSource &&
      this.check(
        notificationsSource,
        notificationsFileSchema(context('notifications', engine), new Set(serviceRefs.map((ref) => ref.fileName))),
        () => [],
      );

    if (this.issues.length > 0 || regionsFile === undefined) throw new ConfigError(this.sortedIssues());

    const regions = deepFreeze(regionsFile.regions);
    return Object.freeze({
      dir: this.baseDir,
      engine: Object.freeze({ ...engine }),
      preflight: Object.freeze({ ...settings.preflight }),
      auth: deepFreeze({ tokens: settings.auth.tokens.map((t) => ({ ...t, scopes: [...t.scopes] })) }),
      regions,
      regionsByName: new FrozenMap(regions.map((region) => [region.name, region] as const)),
      services: new FrozenMap([...services].map(([name, service]) => [name, deepFreeze(service)] as const)),
      plans: new FrozenMap([...plans].map(([name, plan]) => [name, deepFreeze(plan)] as const)),
      ...(regionsFile.kubeconfigPath !== undefined ? { kubeconfigPath: regionsFile.kubeconfigPath } : {}),
      ...(notifications ? { notifications: deepFreeze(notifications) } : {}),
    });
  }

  /** The file shown in messages: relative to the working directory when below it, else absolute. */
  private display(...parts: string[]): string {
    const abs = join(this.baseDir, ...parts);
    const rel = relative(process.cwd(), abs);
    if (rel === '') return '.';
    return rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
  }

  private add(file: string, path: readonly PathSegment[], message: string, at?: Position): void {
    this.issues.push({ file, path: formatPath(path), message, ...(at !== undefined ? { line: at.line, column: at.column } : {}) });
  }

  /** `<base>.yaml` (or `.yml`) at the top of the configuration directory. */
  private topLevelFile(base: string, required: boolean): FileRef | undefined {
    const found = YAML_EXTENSIONS.map((ext) => `${base}${ext}`).filter((name) => existsSync(join(this.baseDir, name)));
    if (found.length > 1) this.add(this.display(found[1] ?? ''), [], `both ${found.join(' and ')} exist; keep one`);
    const name = found[0];
    if (name === undefined) {
      if (required) this.add(this.display(`${base}.yaml`), [], `file not found (${base}.yaml is required)`);
      return undefined;
    }
    return { abs: join(this.baseDir, name), file: this.display(name), fileName: base };
  }

  /** `<dir>/<sub>/*.yaml`, one definition per file, named after the file. A missing directory means none. */
  private definitionFiles(sub: string, kind: string): FileRef[] {
    const abs = join(this.baseDir, sub);
    if (!existsSync(abs)) return [];
    if (!isDirectory(abs)) {
      this.add(this.display(sub), [], 'must be a directory');
      return [];
    }
    const refs = new Map<string, FileRef>();
    for (const entry of readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const name = entry.name;
      if (name.startsWith('.') || /^readme/i.test(name) || name.endsWith('.md')) continue;
      const file = this.display(sub, name);
      const ext = extname(name);
      if (entry.isDirectory()) {
        this.add(file, [], `unexpected directory: put one ${kind} per YAML file directly in ${sub}/`);
      } else if (!YAML_EXTENSIONS.includes(ext)) {
        this.add(file, [], `not a YAML file: ${kind} files must end in .yaml`);
      } else {
        const fileName = name.slice(0, -ext.length);
        const other = refs.get(fileName);
        if (!isDnsLabel(fileName)) {
          this.add(file, [], `file name ${JSON.stringify(fileName)} is not a valid ${kind} name: ${DNS_LABEL_HINT}`);
        } else if (other !== undefined) {
          this.add(file, [], `${kind} ${JSON.stringify(fileName)} is also defined in ${other.file}`);
        } else {
          refs.set(fileName, { abs: join(abs, name), file, fileName });
        }
      }
    }
    return [...refs.values()];
  }

  /** Parses and interpolates a file; `undefined` when it cannot be parsed at all. */
  private read(ref: FileRef, emptyIsObject: boolean): Source | undefined {
    const yaml = readYamlFile(ref.abs);
    if (!yaml.ok) {
      for (const problem of yaml.problems)
        this.add(
          ref.file,
          [],
          problem.message,
          problem.line === undefined ? undefined : { line: problem.line, column: problem.column ?? 1 },
        );
      return undefined;
    }
    if (yaml.data === null || yaml.data === undefined) {
      if (emptyIsObject) return { file: ref.file, fileName: ref.fileName, data: {}, positionOf: yaml.positionOf, skip: [] };
      this.add(ref.file, [], 'file is empty');
      return undefined;
    }
    const problems: InterpolationProblem[] = [];
    const data = interpolateTree(yaml.data, this.env, problems);
    for (const problem of problems) this.add(ref.file, problem.path, problem.message, yaml.positionOf(problem.path));
    return { file: ref.file, fileName: ref.fileName, data, positionOf: yaml.positionOf, skip: problems.map((p) => p.path) };
  }

  /** Validates a source with its schema and cross-checks; the typed value when both pass. */
  private check<T extends z.ZodType>(source: Source, schema: T, crossChecks: (raw: unknown) => Problem[]): z.output<T> | undefined {
    const result = validate(schema, source.data);
    const problems = [...(result.ok ? [] : result.problems), ...crossChecks(source.data)];
    const reported = problems.filter((problem) => !source.skip.some((skipped) => isPrefix(skipped, problem.path)));
    for (const problem of reported) this.add(source.file, problem.path, problem.message, source.positionOf(problem.path));
    return result.ok && problems.length === 0 ? result.value : undefined;
  }

  /** tideline.yaml, regions.yaml, plans, services (each by name); within a file, by line. */
  private sortedIssues(): ConfigIssue[] {
    const topLevel = ['tideline.yaml', 'tideline.yml', 'regions.yaml', 'regions.yml'].map((name) => this.display(name));
    const rank = (file: string): number => {
      const index = topLevel.indexOf(file);
      if (index !== -1) return index;
      if (file.startsWith(this.display('plans'))) return topLevel.length;
      if (file.startsWith(this.display('services'))) return topLevel.length + 1;
      return topLevel.length + 2;
    };
    return this.issues
      .map((issue, index) => ({ issue, index, rank: rank(issue.file) }))
      .sort(
        (a, b) =>
          a.rank - b.rank ||
          (a.issue.file < b.issue.file ? -1 : a.issue.file > b.issue.file ? 1 : 0) ||
          (a.issue.line ?? 0) - (b.issue.line ?? 0) ||
          a.index - b.index,
      )
      .map(({ issue }) => issue);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
