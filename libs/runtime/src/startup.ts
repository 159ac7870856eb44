/** Start-up of the API and the worker: a bad configuration or environment is reported as lines on stderr and exit code 2, never a stack trace. */
import { ConfigError, formatIssueAt } from '#config';
import { buildContainer, type ContainerFor, type Role } from './container.js';
import { SettingsError } from './settings.js';

/** Exit code of a process that refused to start on its configuration (the CLI's `config validate` uses the same). */
export const CONFIG_EXIT_CODE = 2;

export async function buildContainerOrExit<R extends Role>(
  name: string,
  role: R,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ContainerFor<R>> {
  try {
    return await buildContainer(name, role, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: invalid configuration (${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}):\n`);
      for (const issue of err.issues) process.stderr.write(`${formatIssueAt(issue)}\n`);
      process.exit(CONFIG_EXIT_CODE);
    }
    if (err instanceof SettingsError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(CONFIG_EXIT_CODE);
    }
    throw err;
  }
}
