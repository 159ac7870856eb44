/** Every error leaves as application/problem+json (RFC 9457); unexpected ones as a bare 500. */
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { ConflictError, NotFoundError, ValidationError, type FieldProblem } from '#application';
import { LockTimeoutError } from '#persistence';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldProblem[];
  /** 409: the state of the resource that refused the request */
  state?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  503: 'Service Unavailable',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
};

/** 403: the caller is known but may not do this. */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export function problem(status: number, detail: string, errors?: FieldProblem[]): Problem {
  return { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, ...(errors ? { errors } : {}) };
}

export function sendProblem(res: ServerResponse, p: Problem): void {
  res.statusCode = p.status;
  res.setHeader('Content-Type', 'application/problem+json');
  res.end(JSON.stringify(p));
}

export function toProblem(err: unknown): Problem {
  if (err instanceof ValidationError) return problem(400, err.message, err.problems);
  if (err instanceof NotFoundError) return problem(404, err.message);
  if (err instanceof ConflictError)
    return { ...problem(409, err.message), ...(err.state !== undefined ? { state: err.state } : {}), ...err.details };
  if (err instanceof ForbiddenError) return problem(403, err.message);
  if (err instanceof LockTimeoutError) return problem(503, 'the resource is busy with another change; try again');
  if (err instanceof HttpException) {
    const status = err.getStatus();
    return problem(status, status === 404 ? 'no such endpoint' : err.message);
  }
  return problem(500, 'internal error; see the server log');
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly log: { error(o: object, m?: string): void }) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ServerResponse>();
    const p = toProblem(err);
    if (p.status >= 500) this.log.error({ err: err instanceof Error ? err.stack : String(err) }, 'request failed');
    sendProblem(res, p);
  }
}
