import { describeCause, PrecisError } from '../core/errors';
import { parseManifest, type PrecisManifest } from './manifest';

/** A model's verified files, by path relative to the manifest. */
export interface ModelFiles {
  manifest: PrecisManifest;
  files: Map<string, ArrayBuffer>;
  /** True when nothing was fetched: manifest and files all came from the cache. */
  fromCache: boolean;
}

export interface FetchModelOptions {
  /** Per request. */
  timeoutMs: number;
  /** A cached manifest younger than this is used without asking the network. */
  maxAgeMs: number;
}

const CACHE_NAME = 'precis-models';
const STORED_AT = 'x-precis-stored-at';

/**
 * Lowercase hex sha256 of some bytes (WebCrypto).
 *
 * @example
 * await sha256Hex(new TextEncoder().encode('abc').buffer); // 'ba7816bf…'
 */
export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function fetchBytes(url: string, timeoutMs: number): Promise<ArrayBuffer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { signal: controller.signal, credentials: 'same-origin' });
    if (!response.ok) throw new PrecisError('model-fetch', { url, reason: `HTTP ${response.status}` });
    return await response.arrayBuffer();
  } catch (cause) {
    if (cause instanceof PrecisError) throw cause;
    throw new PrecisError('model-fetch', { url, reason: controller.signal.aborted ? 'timeout' : describeCause(cause) });
  } finally {
    clearTimeout(timer);
  }
}

function parseManifestBytes(bytes: ArrayBuffer): PrecisManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new PrecisError('model-manifest', { reason: 'manifest is not JSON' });
  }
  return parseManifest(raw);
}

/** The cache key of a file: its URL plus its expected hash, so versions never mix. */
const fileKey = (url: string, hash: string): string => `${url}${url.includes('?') ? '&' : '?'}precis-sha256=${hash}`;

async function openCache(): Promise<Cache | undefined> {
  try {
    return typeof caches === 'undefined' ? undefined : await caches.open(CACHE_NAME);
  } catch {
    return undefined; // Cache Storage refused (opaque origin, private mode): work uncached.
  }
}

async function readCached(cache: Cache | undefined, key: string, hash: string): Promise<ArrayBuffer | undefined> {
  const response = await cache?.match(key).catch(() => undefined);
  if (!response) return undefined;
  const bytes = await response.arrayBuffer();
  return (await sha256Hex(bytes)) === hash ? bytes : undefined;
}

/**
 * Fetches a model's manifest and every file it lists, checks each file's sha256 against
 * the manifest, and keeps them in Cache Storage under their hash. A repeat visit within
 * `maxAgeMs` makes no network request; after it, only the manifest is fetched again, and
 * files are downloaded only when their hash changed (a new version replaces the old one).
 * Fails with `model-fetch`, `model-manifest` or `model-integrity`.
 *
 * @example
 * const { manifest, files } = await fetchModel('/models/games/manifest.json', { timeoutMs: 10000, maxAgeMs: 3600000 });
 */
export async function fetchModel(manifestUrl: string, options: FetchModelOptions): Promise<ModelFiles> {
  const cache = await openCache();
  const base = new URL(manifestUrl, globalThis.location?.href);
  const absolute = (path: string): string => new URL(path, base).href;

  const cachedManifest = await cache?.match(base.href).catch(() => undefined);
  const storedAt = Number(cachedManifest?.headers.get(STORED_AT) ?? 0);
  if (cachedManifest && Date.now() - storedAt < options.maxAgeMs) {
    try {
      const manifest = parseManifestBytes(await cachedManifest.arrayBuffer());
      const files = new Map<string, ArrayBuffer>();
      for (const [path, hash] of Object.entries(manifest.files)) {
        const bytes = await readCached(cache, fileKey(absolute(path), hash), hash);
        if (!bytes) throw new Error(`cache lacks ${path}`);
        files.set(path, bytes);
      }
      return { manifest, files, fromCache: true };
    } catch {
      // An incomplete or stale cache entry: fall through to the network.
    }
  }

  const manifestBytes = await fetchBytes(base.href, options.timeoutMs);
  const manifest = parseManifestBytes(manifestBytes);
  const files = new Map<string, ArrayBuffer>();
  const keep = new Set<string>([base.href]);
  for (const [path, hash] of Object.entries(manifest.files)) {
    const key = fileKey(absolute(path), hash);
    keep.add(key);
    let bytes = await readCached(cache, key, hash);
    if (!bytes) {
      bytes = await fetchBytes(absolute(path), options.timeoutMs);
      const actual = await sha256Hex(bytes);
      if (actual !== hash) {
        throw new PrecisError('model-integrity', { url: absolute(path), expected: hash, actual, bytes: bytes.byteLength });
      }
      await cache?.put(key, new Response(bytes)).catch(() => {});
    }
    files.set(path, bytes);
  }
  if (cache) {
    const headers = { 'content-type': 'application/json', [STORED_AT]: String(Date.now()) };
    await cache.put(base.href, new Response(manifestBytes, { headers })).catch(() => {});
    await removeOtherVersions(cache, base, keep);
  }
  return { manifest, files, fromCache: false };
}

/** Deletes cached files of this model's directory that the current manifest no longer lists. */
async function removeOtherVersions(cache: Cache, base: URL, keep: ReadonlySet<string>): Promise<void> {
  const directory = new URL('.', base).href;
  for (const request of await cache.keys()) {
    if (request.url.startsWith(directory) && !keep.has(request.url)) await cache.delete(request);
  }
}
