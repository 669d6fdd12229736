import { looksPersonal } from './event';

/**
 * One structured-data item as a plain object: `@type`, `@id` and schema.org properties.
 *
 * @example
 * const node: SchemaNode = { '@type': 'Product', sku: 'A1' };
 */
export type SchemaNode = Record<string, unknown>;

/**
 * Where the structured data was read: the page's URL, and its canonical URL when it has one.
 *
 * @example
 * const page: PageContext = { url: location.href, canonical: 'https://shop.example/products/kart' };
 */
export interface PageContext {
  url: string;
  canonical?: string;
}

/**
 * What a page says in structured data: its top-level items, and every JSON-LD node that
 * has an `@id` (so `{"@id": "#offer"}` references can be followed).
 *
 * @example
 * const graph: SchemaGraph = { items: [{ '@type': 'Product', offers: { '@id': '#o' } }], byId: new Map([['#o', offer]]) };
 */
export interface SchemaGraph {
  items: SchemaNode[];
  byId: Map<string, SchemaNode>;
}

const MAX_ID_LENGTH = 128;
const SCHEMA_PREFIX = /^(?:schema:|https?:\/\/schema\.org\/)/;

/**
 * True for a plain object (not an array, not null).
 *
 * @example
 * isNode({ '@type': 'Product' }); // true
 */
export function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A property's values as a list, however it is written: `sku`, `schema:sku` or the full
 * IRI, one value or an array.
 *
 * @example
 * valuesOf({ 'schema:sku': ['A1', 'A2'] }, 'sku'); // ['A1', 'A2']
 */
export function valuesOf(node: SchemaNode, name: string): unknown[] {
  const value = node[name] ?? node[`schema:${name}`] ?? node[`https://schema.org/${name}`] ?? node[`http://schema.org/${name}`];
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * The node's types without their vocabulary: `schema:Product` and
 * `https://schema.org/Product` are both `Product`.
 *
 * @example
 * typesOf({ '@type': ['http://schema.org/Product', 'Car'] }); // ['Product', 'Car']
 */
export function typesOf(node: SchemaNode): string[] {
  const types = node['@type'];
  const list = Array.isArray(types) ? types : [types];
  return list.filter((t): t is string => typeof t === 'string').map((t) => t.trim().replace(SCHEMA_PREFIX, ''));
}

/**
 * True when the node has one of the types.
 *
 * @example
 * hasType({ '@type': 'schema:ItemList' }, new Set(['ItemList'])); // true
 */
export function hasType(node: SchemaNode, types: ReadonlySet<string>): boolean {
  return typesOf(node).some((type) => types.has(type));
}

/**
 * Follows a `{"@id": …}` reference to the full node when the graph has it.
 *
 * @example
 * resolveNode(graph, { '@id': '#offer' }); // the node whose @id is '#offer', else the reference itself
 */
export function resolveNode(graph: SchemaGraph, value: unknown): unknown {
  if (!isNode(value) || typeof value['@id'] !== 'string') return value;
  return graph.byId.get(value['@id']) ?? value;
}

/**
 * A scalar as trimmed text (`{"@value": …}` objects too); undefined for anything else.
 *
 * @example
 * readText({ '@value': ' 42 ' }); // '42'
 */
export function readText(value: unknown): string | undefined {
  const raw = isNode(value) ? value['@value'] : value;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined;
}

/**
 * A value usable as an item id or a category: text of at most 128 characters that does
 * not look like an email address or a phone number.
 *
 * @example
 * readId(4006381333931); // '4006381333931'
 * readId('jane@example.com'); // undefined
 */
export function readId(value: unknown): string | undefined {
  const text = readText(value);
  return text !== undefined && text.length <= MAX_ID_LENGTH && !looksPersonal(text) ? text : undefined;
}

/**
 * A product URL as an id: resolved against the page, without query, fragment or trailing
 * slash; the path alone when it is on the page's own origin, so `/p/a#product` and
 * `https://shop.example/p/a/` are the same id on that shop.
 *
 * @example
 * readUrlId('https://shop.example/p/a/?ref=x#product', 'https://shop.example/c/'); // '/p/a'
 */
export function readUrlId(value: unknown, pageUrl: string): string | undefined {
  const text = readText(value);
  if (text === undefined || text.startsWith('_:')) return undefined;
  try {
    const url = new URL(text, pageUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    const path = url.pathname.replace(/\/+$/, '') || '/';
    return readId(url.origin === new URL(pageUrl).origin ? path : url.origin + path);
  } catch {
    return undefined;
  }
}

/**
 * A price from a number or numeric text, with thousands separators and a currency sign
 * read sensibly: `"1,299.00"`, `"1.299,00 €"` and `1299` are all 1299.
 *
 * @example
 * readPrice('$1,299.00'); // 1299
 * readPrice('12,99');     // 12.99
 * readPrice('free');      // undefined
 */
export function readPrice(value: unknown): number | undefined {
  const raw = isNode(value) ? value['@value'] : value;
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const match = /^[^\d.,-]{0,4}(\d[\d.,'\s]*)[^\d.,]{0,4}$/.exec(raw.trim());
  if (!match) return undefined;
  let digits = match[1]!.replace(/['\s]/g, '');
  const decimal = Math.max(digits.lastIndexOf('.'), digits.lastIndexOf(','));
  const separators = digits.replace(/\d/g, '');
  if (separators.length > 1 || (separators === ',' && /^\d{1,3},\d{3}$/.test(digits))) {
    // Several separators: the last one is the decimal point unless it groups thousands.
    const grouped = /^\d{1,3}([.,])\d{3}(?:\1\d{3})*$/.test(digits);
    digits = grouped ? digits.replace(/[.,]/g, '') : `${digits.slice(0, decimal).replace(/[.,]/g, '')}.${digits.slice(decimal + 1)}`;
  } else {
    digits = digits.replace(',', '.');
  }
  const price = Number(digits);
  return Number.isFinite(price) && price >= 0 ? price : undefined;
}
