/** A traffic provider call that did not do what was asked. `status` when the endpoint answered. */
export class TrafficError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** the endpoint's answer (truncated), when it answered */
    readonly body?: string,
  ) {
    super(message);
    this.name = 'TrafficError';
  }
}
