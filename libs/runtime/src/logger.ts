/**
 * JSON logs (pino) to stdout. Secrets are redacted by path as a second line of defence. Written
 * asynchronously: a line goes out at once when stdout is idle, and lines logged while a write is
 * in flight go out together in the next one (one system call for many under load, instead of
 * one per line); pino flushes what is left synchronously when the process exits.
 */
import { pino, type Logger as PinoLogger } from 'pino';

export function createLogger(name: string, level: string): PinoLogger {
  return pino(
    {
      name,
      level,
      base: { service: name, pid: process.pid },
      redact: {
        paths: [
          'token',
          '*.token',
          'authorization',
          'Authorization',
          '*.authorization',
          '*.Authorization',
          'headers.authorization',
          'req.headers.authorization',
          'request.headers.authorization',
          'password',
          '*.password',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination({ dest: 1, sync: false }),
  );
}
