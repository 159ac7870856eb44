/** Errors a use case reports to its caller (the API maps them to problem+json). */

export interface FieldProblem {
  /** JSON path of the offending field, e.g. `image` or `plan.waves[0]` */
  field: string;
  message: string;
}

/** 400: the request is wrong; nothing was written. */
export class ValidationError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'ValidationError';
  }
}

/** 404 */
export class NotFoundError extends Error {
  constructor(
    readonly what: string,
    readonly id: string,
  ) {
    super(`${what} ${id} not found`);
    this.name = 'NotFoundError';
  }
}

/** 409: the request conflicts with the current state (`state`: the state that refused it, when there is one). */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly state?: string,
    /** more members of the problem answer (e.g. `existingRelease`, `errors` naming the fields at odds) */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** The message of anything thrown, for logs and reasons. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
