/** API process: REST under /v1, probes, problem+json errors. */
import { buildContainerOrExit } from '#runtime';
import { createHttpApp } from './http-app.js';

const c = await buildContainerOrExit('tideline-api', 'api');
const app = await createHttpApp(c);
await app.listen(c.settings.port, c.settings.host);
c.log.info({ url: `http://${c.settings.host}:${c.settings.port}` }, 'api listening');

const stop = async (signal: string) => {
  c.log.info({ signal }, 'api stopping');
  await app.close();
  await c.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
