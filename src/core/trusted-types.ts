import { PrecisError } from './errors';

/**
 * The Trusted Types policy name a site lists in its CSP.
 *
 * @example
 * const csp = `require-trusted-types-for 'script'; trusted-types ${TRUSTED_TYPES_POLICY}`;
 */
export const TRUSTED_TYPES_POLICY = 'precis';

/** What Chromium hands back from `createScriptURL`: an opaque value whose string is the URL. */
export interface TrustedScriptUrlLike {
  toString(): string;
}

/** The slice of the Trusted Types API used here (TypeScript's DOM lib does not have it yet). */
interface TrustedTypesFactory {
  createPolicy(name: string, rules: { createScriptURL(input: string): string }): {
    createScriptURL(input: string): TrustedScriptUrlLike;
  };
}

/** The globals this module reads; `globalThis` in a page, a stand-in in unit tests. */
export interface TrustedTypesScope {
  trustedTypes?: unknown;
  location?: { href: string; origin: string };
}

type Policy = ReturnType<TrustedTypesFactory['createPolicy']>;

// One policy per global: CSP's `trusted-types precis` (without 'allow-duplicates')
// refuses a second policy of the same name. `null` remembers that creating it failed,
// so a refused name is reported once, not on every call.
const policies = new WeakMap<object, Policy | null>();

// `precis-ml.js`, or the name a bundler gives it when it emits it with a content hash
// (`precis-ml-B3kq9x.js`, `precis-ml.4f2a.js`).
const ML_CHUNK = /\/precis-ml(?:[-.][\w-]+)?\.js$/;

/**
 * The policy's only rule: a same-origin http(s) URL whose file is `precis-ml.js` (or a
 * bundler's hashed copy of it), the SDK's own ML chunk. Anything else throws, so the policy cannot be turned into a
 * way to load arbitrary script even by code that gets hold of it.
 */
function checkMlChunkUrl(input: string, location: { href: string; origin: string }): string {
  const url = parseUrl(input, location.href);
  if (url === undefined || !isMlChunk(url, location.origin)) {
    throw new PrecisError('model-fetch', { url: String(input).slice(0, 200), reason: 'not the same-origin precis-ml.js' });
  }
  return url.href;
}

function parseUrl(input: string, base: string): URL | undefined {
  try {
    return new URL(input, base);
  } catch {
    return undefined;
  }
}

function isMlChunk(url: URL, origin: string): boolean {
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === origin &&
    url.username === '' && url.password === '' && ML_CHUNK.test(url.pathname);
}

function readFactory(scope: TrustedTypesScope): TrustedTypesFactory | undefined {
  const factory = scope.trustedTypes as Partial<TrustedTypesFactory> | undefined;
  return factory && typeof factory.createPolicy === 'function' ? (factory as TrustedTypesFactory) : undefined;
}

function getPolicy(scope: TrustedTypesScope, factory: TrustedTypesFactory): Policy | null {
  if (policies.has(scope)) return policies.get(scope)!;
  const location = scope.location;
  let policy: Policy | null = null;
  if (location) {
    try {
      policy = factory.createPolicy(TRUSTED_TYPES_POLICY, { createScriptURL: (input) => checkMlChunkUrl(input, location) });
    } catch {
      // The page's CSP lists other policy names: the plain URL goes to the sink, which
      // then refuses it, and the caller's fallback (no model) takes over.
      policy = null;
    }
  }
  policies.set(scope, policy);
  return policy;
}

/**
 * The ML chunk's URL ready for a TrustedScriptURL sink such as `new Worker(url)`: a
 * TrustedScriptURL from the `precis` policy where the browser has Trusted Types, the
 * plain string where it does not (or where the page's CSP does not allow that policy
 * name). The policy is created once per global and accepts only same-origin URLs
 * whose file is `precis-ml.js` (or a bundler's hashed copy); any other URL throws a
 * `model-fetch` PrecisError.
 *
 * @example
 * const worker = new Worker(toTrustedScriptUrl(mlUrl) as string, { type: 'module' });
 */
export function toTrustedScriptUrl(url: string, scope: TrustedTypesScope = globalThis): string | TrustedScriptUrlLike {
  const factory = readFactory(scope);
  if (!factory) return url;
  const policy = getPolicy(scope, factory);
  return policy ? policy.createScriptURL(url) : url;
}
