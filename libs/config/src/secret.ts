/** What a secret shows instead of itself, in a log line, an answer or a message. */
export const REDACTED = '[redacted]';

/**
 * A secret value (cluster token…) that cannot leak by accident: string conversion,
 * JSON serialisation and `util.inspect` (hence console.log and most loggers) all yield
 * "[redacted]". Call `reveal()` at the one place the value is really needed.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    Object.freeze(this);
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}
