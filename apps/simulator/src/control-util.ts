/** Request-body helpers shared by the `/sim` control API and the `/lb` API. */
import type { IncomingMessage } from 'node:http';
import { readBody } from './http-util.js';
import { isObject, parseJson, type Json, type JsonObject } from './json.js';

export class BadRequest extends Error {}

export function field<T>(obj: JsonObject, key: string, check: (v: Json) => v is Json & T, what: string): T | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!check(v)) throw new BadRequest(`"${key}" must be ${what}`);
  return v;
}
export const isStr = (v: Json): v is string => typeof v === 'string' && v !== '';
export const isInt = (v: Json): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
export const isNum = (v: Json): v is number => typeof v === 'number' && Number.isFinite(v);
export const isBool = (v: Json): v is boolean => typeof v === 'boolean';
export const isStrArray = (v: Json): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
export const isStrMap = (v: Json): v is JsonObject & Record<string, string> =>
  isObject(v) && Object.values(v).every((x) => typeof x === 'string');

export function required<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new BadRequest(`"${key}" is required`);
  return value;
}

/** Refuses fields other than `allowed`, naming the first unknown one. */
export function onlyFields(body: JsonObject, allowed: readonly string[]): void {
  const unknown = Object.keys(body).find((k) => !allowed.includes(k));
  if (unknown !== undefined) throw new BadRequest(`unknown field "${unknown}"`);
}

export async function jsonBody(req: IncomingMessage): Promise<JsonObject> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  let body: Json;
  try {
    body = parseJson(text);
  } catch {
    throw new BadRequest('the body must be JSON');
  }
  if (!isObject(body)) throw new BadRequest('the body must be a JSON object');
  return body;
}
