/**
 * JSON logs (pino) to stdout. Secrets are redacted by key as a second line of defence (log-redaction.ts). Written
 * asynchronously: a line goes out at once when stdout is idle, and lines logged while a write is
 * in flight go out together in the next one (one system call for many under load, instead of
 * one per line); pino flushes what is left synchronously when the process exits.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { redactSecrets } from './log-redaction.js';

/** `destination`: stdout unless given (tests pass a stream). */
export function createLogger(
  name: string,
  level: string,
  destination: DestinationStream = pino.destination({ dest: 1, sync: false }),
): PinoLogger {
  const log = pino(
    {
      name,
      level,
      base: { service: name, pid: process.pid },
      // secrets redacted by key (log-redaction.ts), in every line and in a child's bindings
      formatters: { log: redactSecrets, bindings: redactSecrets },
    },
    destination,
  );
  // a child's bindings too (pino gives them no formatter of their own); its children inherit this
  const child = log.child;
  log.child = function (this: PinoLogger, bindings: Record<string, unknown>, options?: object) {
    return child.call(this, redactSecrets(bindings), options);
  } as PinoLogger['child'];
  return log;
}
