import type { TrackInput } from './event';

type Json = Record<string, unknown>;

function isProduct(node: Json): boolean {
  const type = node['@type'];
  return type === 'Product' || (Array.isArray(type) && type.includes('Product'));
}

/** Yields every object in a JSON-LD document, through arrays and `@graph`. */
function* walk(value: unknown, depth = 0): Generator<Json> {
  if (depth > 8 || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const entry of value) yield* walk(entry, depth + 1);
    return;
  }
  yield value as Json;
  const graph = (value as Json)['@graph'];
  if (graph !== undefined) yield* walk(graph, depth + 1);
}

function readPrice(offers: unknown): number | undefined {
  const offer = Array.isArray(offers) ? offers[0] : offers;
  if (typeof offer !== 'object' || offer === null) return undefined;
  const price = Number((offer as Json).price);
  return Number.isFinite(price) && price >= 0 ? price : undefined;
}

/**
 * Reads schema.org `Product` objects from JSON-LD text and turns each into a product
 * `view` (item from `sku` or `productID`, `category`, `offers.price`). Malformed JSON and
 * products without an id are skipped.
 *
 * @example
 * productViewsFromJsonLd('{"@type":"Product","sku":"A1","category":"games"}');
 * // [{ type: 'view', item: 'A1', category: 'games' }]
 */
export function productViewsFromJsonLd(text: string): TrackInput[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const views: TrackInput[] = [];
  for (const node of walk(parsed)) {
    if (!isProduct(node)) continue;
    const id = node.sku ?? node.productID;
    if (typeof id !== 'string' && typeof id !== 'number') continue;
    const view: TrackInput = { type: 'view', item: id };
    if (typeof node.category === 'string') view.category = node.category;
    const price = readPrice(node.offers);
    if (price !== undefined) view.price = price;
    views.push(view);
  }
  return views;
}
