import { BACKEND_ORDER, type BackendName } from './backend-registry';
import type { ChoiceStore, StoredChoice } from './choose-backend';

/** Its own cache: the model cache deletes what a model's manifest does not list. */
const CACHE_NAME = 'precis-backend-choice';

async function openCache(): Promise<Cache | undefined> {
  try {
    return typeof caches === 'undefined' ? undefined : await caches.open(CACHE_NAME);
  } catch {
    return undefined; // Cache Storage refused (opaque origin, private mode): measure each time.
  }
}

const isTimes = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && Object.entries(value).every(([name, v]) => BACKEND_ORDER.includes(name as BackendName) && typeof v === 'number');
const isReasons = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');

/** A stored entry, or undefined for anything else (an older format, a damaged entry). */
function readStoredChoice(raw: unknown): StoredChoice | undefined {
  const entry = raw as Partial<StoredChoice> | null;
  if (typeof entry?.key !== 'string' || !BACKEND_ORDER.includes(entry.backend as BackendName)) return undefined;
  return isTimes(entry.msPerRun) && isReasons(entry.failed) ? (entry as StoredChoice) : undefined;
}

/**
 * Keeps a model's measured backend in Cache Storage, one entry per manifest URL (a new
 * measurement replaces the old one). Without Cache Storage nothing is kept.
 *
 * @example
 * const store = cachedChoiceStore('https://shop.example/models/games/manifest.json');
 * await store.write({ key, backend: 'wasm', msPerRun: { wasm: 2.1, cpu: 8.4 }, failed: {} });
 */
export function cachedChoiceStore(manifestUrl: string): ChoiceStore {
  const url = new URL(manifestUrl, globalThis.location?.href).href;
  return {
    async read() {
      const response = await (await openCache())?.match(url);
      return response ? readStoredChoice(await response.json()) : undefined;
    },
    async write(choice) {
      const response = new Response(JSON.stringify(choice), { headers: { 'content-type': 'application/json' } });
      await (await openCache())?.put(url, response);
    },
  };
}
