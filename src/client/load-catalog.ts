import { PrecisError } from '../core/errors';
import { parseCatalog, type Catalog } from '../decide/catalog';

/**
 * Fetches (when given a URL; or takes the response of that request, already `started`)
 * and validates the catalog. Fails with `catalog-fetch` on a
 * network error, a non-2xx status or a timeout, and `invalid-catalog` on bad JSON.
 *
 * @example
 * const catalog = await loadCatalog('/catalog.json', 5000, reportError, ['cdn.shop.example']);
 */
export async function loadCatalog(
  source: string | object,
  timeoutMs: number,
  onError: (error: PrecisError) => void,
  allowedHosts?: readonly string[],
  started?: Promise<Response>,
): Promise<Catalog> {
  if (typeof source !== 'string') return parseCatalog(source, onError, allowedHosts);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response: Response;
  try {
    // `started`: the same request, begun by the script tag with its own timeout.
    response = await (started ?? fetch(source, { signal: controller.signal, credentials: 'same-origin' }));
  } catch (cause) {
    const timedOut = controller.signal.aborted || (cause as Error | undefined)?.name === 'TimeoutError';
    throw new PrecisError('catalog-fetch', { url: source, reason: timedOut ? 'timeout' : String(cause) });
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) throw new PrecisError('catalog-fetch', { url: source, reason: `HTTP ${response.status}` });
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new PrecisError('invalid-catalog', { url: source, reason: 'not JSON' });
  }
  return parseCatalog(json, onError, allowedHosts);
}
