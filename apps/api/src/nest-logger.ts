/** Nest's own logger through pino: one JSON line per message (Nest's "log" level is debug here). */
import type { LoggerService } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';

export class PinoNestLogger implements LoggerService {
  private readonly pino: PinoLogger;

  constructor(log: PinoLogger) {
    this.pino = log.child({ component: 'nest' });
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Nest passes (message, [stack], context) — the last string is the context. */
  private write(level: 'trace' | 'debug' | 'warn' | 'error' | 'fatal', message: unknown, rest: unknown[]): void {
    const strings = rest.filter((r): r is string => typeof r === 'string');
    const context = strings.length > 0 ? strings[strings.length - 1] : undefined;
    const stack = level === 'error' && strings.length > 1 ? strings[0] : undefined;
    const fields: Record<string, unknown> = { ...(context ? { context } : {}), ...(stack ? { stack } : {}) };
    if (message instanceof Error) this.pino[level]({ ...fields, err: message.message, stack: message.stack }, message.message);
    else if (typeof message === 'object' && message !== null) this.pino[level]({ ...fields, detail: message }, context ?? 'nest');
    else this.pino[level](fields, String(message));
  }
}
