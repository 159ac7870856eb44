/** JSON logs (pino). Secrets are redacted by path as a second line of defence. */
import { pino, type Logger as PinoLogger } from 'pino';

export function createLogger(name: string, level: string): PinoLogger {
  return pino({
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
  });
}
