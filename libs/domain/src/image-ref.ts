/**
 * Container image references (PRODUCT.md: an immutable artifact — pinned by digest or an
 * immutable version tag; `latest` and tagless images are refused).
 */

export interface ImageRef {
  /** registry host (with port) if given, e.g. `registry.example.com:5000` */
  registry?: string;
  /** repository path, e.g. `shop/checkout` */
  repository: string;
  tag?: string;
  digest?: string;
}

export type ImageRefResult = { ok: true; ref: ImageRef } | { ok: false; problem: string };

/** Tags that conventionally move; a release must name something that cannot change under it. */
export const FLOATING_TAGS: readonly string[] = ['latest', 'stable', 'main', 'master', 'dev', 'develop', 'edge', 'nightly', 'head'];

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]{1,5})?$/;

export function parseImageRef(input: string): ImageRefResult {
  if (input.length === 0) return { ok: false, problem: 'must not be empty' };
  if (input.length > 512) return { ok: false, problem: 'must be at most 512 characters' };
  if (/\s/.test(input)) return { ok: false, problem: 'must not contain whitespace' };

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return { ok: false, problem: 'digest must be sha256: followed by 64 lowercase hex characters' };
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return { ok: false, problem: `tag "${tag}" is not a valid tag` };
  }

  const parts = rest.split('/');
  let registry: string | undefined;
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) {
    registry = parts.shift();
    if (!registry || !HOST.test(registry)) return { ok: false, problem: `registry "${registry ?? ''}" is not a valid host` };
  }
  if (parts.length === 0 || parts.some((p) => !COMPONENT.test(p))) {
    return { ok: false, problem: 'repository must be lowercase path components like registry.example.com/team/app' };
  }
  const ref: ImageRef = { repository: parts.join('/') };
  if (registry) ref.registry = registry;
  if (tag) ref.tag = tag;
  if (digest) ref.digest = digest;
  return { ok: true, ref };
}

/** Parse and require immutability: a digest, or a tag that is not a floating one. */
export function validateReleaseImage(input: string): ImageRefResult {
  const parsed = parseImageRef(input);
  if (!parsed.ok) return parsed;
  const { ref } = parsed;
  if (ref.digest) return parsed;
  if (!ref.tag)
    return { ok: false, problem: 'must be pinned by digest (@sha256:…) or an immutable version tag; a tagless image is refused' };
  if (FLOATING_TAGS.includes(ref.tag.toLowerCase())) {
    return { ok: false, problem: `tag "${ref.tag}" moves over time; pin a digest or an immutable version tag` };
  }
  return parsed;
}
