/** Tables of parts: one factory per key; the built object's type and its Nest providers are read off the table. */

/** Builds one part from the process's shared core. */
export type Factory<D, T> = (deps: D) => T;

/** A class, as an injection token (Nest injects a use case by its class). */
export type Token<T> = abstract new (...args: never) => T;

/** A part that is one instance of a class: its class doubles as its injection token. */
export interface ClassPart<D, T> extends Factory<D, T> {
  readonly token: Token<T>;
}

/** What a table builds: each key holds what its factory returns. */
export type Built<P> = { [K in keyof P]: P[K] extends Factory<never, infer T> ? T : never };

/**
 * The two ways a table names a class part, for one kind of `deps`:
 * `part(Class, (d) => [constructor arguments])` builds a new instance (the class named once, its
 * arguments checked against its constructor, building a plain `new`); `shared(Class, (d) => d.x)`
 * hands on an instance `deps` already holds, under its class.
 */
export function partsOf<D>() {
  return {
    part: <A extends unknown[], T>(token: new (...args: A) => T, args: (deps: D) => [...A]): ClassPart<D, T> =>
      Object.assign((deps: D) => new token(...args(deps)), { token }),
    shared: <T>(token: Token<T>, pick: (deps: D) => T): ClassPart<D, T> => Object.assign((deps: D) => pick(deps), { token }),
  };
}

/** Run every factory of `parts` once against `deps`. */
export function buildParts<D, P extends Record<string, Factory<D, unknown>>>(parts: P, deps: D): Built<P> {
  return Object.fromEntries(Object.entries(parts).map(([key, factory]) => [key, factory(deps)])) as Built<P>;
}

/** `{ provide, useValue }` for every class part of `parts`, the value taken from `built` (the shape Nest's providers take). */
export function valueProviders<P extends Record<string, ClassPart<never, unknown>>>(
  parts: P,
  built: Built<P>,
): Array<{ provide: Token<unknown>; useValue: unknown }> {
  return (Object.keys(parts) as Array<keyof P & string>).map((key) => ({ provide: parts[key]!.token, useValue: built[key] }));
}
