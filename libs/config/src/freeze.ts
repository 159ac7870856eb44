import { Secret } from './secret.js';

/** A Map that refuses changes after construction. */
export class FrozenMap<K, V> extends Map<K, V> {
  #sealed = false;

  constructor(entries: Iterable<readonly [K, V]>) {
    super();
    for (const [key, value] of entries) super.set(key, value);
    this.#sealed = true;
    Object.freeze(this);
  }

  override set(key: K, value: V): this {
    if (this.#sealed) throw new TypeError('configuration is read-only');
    return super.set(key, value);
  }

  override delete(_key: K): boolean {
    throw new TypeError('configuration is read-only');
  }

  override clear(): void {
    throw new TypeError('configuration is read-only');
  }
}

/** Freezes plain objects and arrays recursively (maps are expected to be `FrozenMap`s). */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || value instanceof Secret) return value;
  if (value instanceof Map) {
    for (const item of value.values()) deepFreeze(item);
    return value;
  }
  if (Object.isFrozen(value)) return value;
  for (const item of Object.values(value)) deepFreeze(item);
  return Object.freeze(value);
}
