import type { TrackInput } from './event';
import { productCategory } from './product-category';
import {
  hasType, isNode, readId, readPrice, readText, readUrlId, resolveNode, valuesOf, type PageContext, type SchemaGraph, type SchemaNode,
} from './schema-node';

/** schema.org Product and its subtypes. */
const PRODUCT_TYPES: ReadonlySet<string> = new Set([
  'Product', 'ProductGroup', 'ProductModel', 'IndividualProduct', 'SomeProducts', 'ProductCollection',
  'DietarySupplement', 'Drug', 'Vehicle', 'Car', 'Motorcycle', 'BusOrCoach', 'MotorizedBicycle',
]);
const GROUP_TYPES: ReadonlySet<string> = new Set(['ProductGroup']);
const LISTING_TYPES: ReadonlySet<string> = new Set(['ItemList', 'OfferCatalog']);
const GTIN_KEYS = ['gtin', 'gtin14', 'gtin13', 'gtin12', 'gtin8'];
const NOT_CURRENT_PRICE = /ListPrice|StrikethroughPrice|MSRP|SRP|InvoicePrice/;
const MAX_PRODUCTS = 50;
const MAX_LIST = 2048; // variants, offers, listing entries read per node

/**
 * True when the graph has a Product (or a subtype, or a ProductGroup) at its top level.
 *
 * @example
 * hasProduct(readJsonLd(['{"@type":"schema:Product"}'])); // true
 */
export function hasProduct(graph: SchemaGraph): boolean {
  return graph.items.some((item) => hasType(item, PRODUCT_TYPES));
}

function list(graph: SchemaGraph, node: SchemaNode | undefined, name: string): SchemaNode[] {
  if (!node) return [];
  return valuesOf(node, name).slice(0, MAX_LIST).map((value) => resolveNode(graph, value)).filter(isNode);
}

function first(node: SchemaNode | undefined, names: readonly string[], read: (value: unknown) => string | undefined): string | undefined {
  if (!node) return undefined;
  for (const name of names) {
    for (const value of valuesOf(node, name)) {
      const text = read(value);
      if (text !== undefined) return text;
    }
  }
  return undefined;
}

/**
 * Everything that identifies a product, so two descriptions of one product are recognised
 * as one; with `links`, also the groups and variants it names (to join a group and its variants).
 */
function productKeys(node: SchemaNode, page: PageContext, links = false): string[] {
  const keys: string[] = [];
  for (const name of ['sku', 'productID', 'productGroupID', 'inProductGroupWithID', 'mpn', ...GTIN_KEYS]) {
    for (const value of valuesOf(node, name)) keys.push(`id:${readText(value)}`);
  }
  const refs = links ? [node, ...valuesOf(node, 'isVariantOf'), ...valuesOf(node, 'hasVariant').slice(0, MAX_LIST)] : [node];
  for (const ref of refs) if (isNode(ref) && typeof ref['@id'] === 'string') keys.push(`ref:${ref['@id']}`);
  for (const url of valuesOf(node, 'url')) keys.push(`url:${readUrlId(url, page.url)}`);
  const name = readText(valuesOf(node, 'name')[0]);
  if (name !== undefined) keys.push(`name:${name.toLowerCase()}`);
  return keys.filter((key) => !key.endsWith(':undefined'));
}

/** Keys of the products that an ItemList or OfferCatalog lists: a listing, not what this page shows. */
function listedKeys(graph: SchemaGraph, page: PageContext): Set<string> {
  const keys = new Set<string>();
  for (const listing of graph.items.filter((item) => hasType(item, LISTING_TYPES))) {
    for (const entry of list(graph, listing, 'itemListElement')) {
      const targets = [entry, ...list(graph, entry, 'item'), ...list(graph, entry, 'itemOffered')];
      for (const url of valuesOf(entry, 'item')) if (typeof url === 'string') keys.add(`url:${readUrlId(url, page.url)}`);
      for (const target of targets) for (const key of productKeys(target, page)) keys.add(key);
    }
  }
  return keys;
}

/** Puts products that share any key in one set (union-find over at most 50 products). */
function groupProducts(products: SchemaNode[], page: PageContext): SchemaNode[][] {
  const parent = products.map((_, index) => index);
  const root = (index: number): number => (parent[index] === index ? index : (parent[index] = root(parent[index]!)));
  const owners = new Map<string, number>();
  products.forEach((product, index) => {
    for (const key of productKeys(product, page, true)) {
      const owner = owners.get(key);
      if (owner === undefined) owners.set(key, index);
      else parent[root(index)] = root(owner);
    }
  });
  const sets = new Map<number, SchemaNode[]>();
  products.forEach((product, index) => sets.set(root(index), [...(sets.get(root(index)) ?? []), product]));
  return [...sets.values()];
}

/**
 * The products this page is about: one product (however many scripts describe it, with its
 * variants), or none for a listing (products in an ItemList/OfferCatalog, or several
 * unrelated products none of which is this page's own URL).
 */
function mainProduct(graph: SchemaGraph, page: PageContext): SchemaNode[] | undefined {
  const all = graph.items.filter((item) => hasType(item, PRODUCT_TYPES));
  if (all.length > MAX_PRODUCTS) return undefined;
  const listed = listedKeys(graph, page);
  const products = all.filter((product) => !productKeys(product, page).some((key) => listed.has(key)));
  if (products.length <= 1) return products.length === 1 ? products : undefined;
  const sets = groupProducts(products, page);
  if (sets.length === 1) return sets[0];
  const here = new Set([page.url, page.canonical].map((url) => readUrlId(url, page.url)));
  here.delete(undefined);
  const isHere = (product: SchemaNode): boolean =>
    [product['@id'], ...valuesOf(product, 'url')].some((url) => here.has(readUrlId(url, page.url)));
  const onThisPage = sets.filter((set) => set.some(isHere));
  return onThisPage.length === 1 ? onThisPage[0] : undefined;
}

/** The page's URL as variant matching needs it: its path and its query's values, parsed once. */
interface PageLocation {
  url: URL;
  path: string;
  query: Map<string, string>;
  values: Set<string>;
}

function decodePart(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** A URL's query pairs, read from the text without building a URL (thousands of variants are matched). */
function queryPairs(text: string): Array<[string, string]> {
  const query = text.split('#')[0]!.split('?')[1] ?? '';
  return query.split('&').filter((pair) => pair !== '').map((pair) => {
    const [key = '', value = ''] = pair.split('=');
    return [decodePart(key), decodePart(value)];
  });
}

/** 2 when the node is what this page's URL selects (its sku, or its URL's query), 1 when its URL is this page's, else 0. */
function shownScore(graph: SchemaGraph, node: SchemaNode, page: PageLocation): number {
  const sku = readId(valuesOf(node, 'sku')[0]);
  if (sku !== undefined && page.values.has(sku)) return 2;
  const urls = [node['@id'], ...valuesOf(node, 'url'), ...list(graph, node, 'offers').flatMap((offer) => valuesOf(offer, 'url'))];
  let score = 0;
  for (const value of urls) {
    const text = readText(value);
    if (text === undefined) continue;
    // Its query (?variant=2, ?color=red) names what the page shows, on any path (Shopify's /collections/…/products/…);
    // without a query, a variant URL selects only when it is this very page.
    const hasQuery = text.includes('?');
    // Every value of a selecting query is in the page's query: most variants fail this string test, unparsed.
    if (hasQuery && ![...page.values].some((val) => text.includes(val))) continue;
    const pairs = hasQuery ? queryPairs(text) : [];
    if (pairs.length > 0 && pairs.every(([key, val]) => page.query.get(key) === val)) return 2;
    if (pairs.length === 0 && score === 0 && readUrlId(text, page.url.href) === page.path) score = 1;
  }
  return score;
}

/** The node the page shows: the best match for its URL, else undefined. */
function pickShown(graph: SchemaGraph, nodes: SchemaNode[], page: PageLocation): SchemaNode | undefined {
  let best: SchemaNode | undefined;
  let bestScore = 0;
  for (const node of nodes) {
    const score = shownScore(graph, node, page);
    if (score > bestScore) [best, bestScore] = [node, score];
    if (score === 2) break;
  }
  return best;
}

function offerPrice(graph: SchemaGraph, offer: SchemaNode): number | undefined {
  const specs = list(graph, offer, 'priceSpecification');
  const current = specs.filter((spec) => !NOT_CURRENT_PRICE.test(readText(valuesOf(spec, 'priceType')[0]) ?? ''));
  const candidates = [...valuesOf(offer, 'price'), ...[...current, ...specs].flatMap((spec) => valuesOf(spec, 'price')),
    ...valuesOf(offer, 'lowPrice'), ...valuesOf(offer, 'minPrice')];
  for (const value of candidates) {
    const price = readPrice(value);
    if (price !== undefined) return price;
  }
  return undefined;
}

/**
 * The product view a page's structured data describes, or undefined when it describes no
 * single product. The item id is the first of: `sku`, `productID`, `productGroupID`; the
 * shown variant's or offer's `sku`; `gtin`/`gtin14`/`gtin13`/`gtin12`/`gtin8`; `mpn`; then
 * the product's `@id` or `url`, the canonical URL, the page URL (as paths: no query, no
 * fragment). The price is the shown offer's `price`, `priceSpecification.price`,
 * `lowPrice` or `minPrice`; the category comes from `category`, else the breadcrumbs.
 *
 * @example
 * productViewFromGraph(readJsonLd([text]), { url: location.href });
 * // { type: 'view', item: 'A1', category: 'Racing', price: 19.99 }
 */
export function productViewFromGraph(graph: SchemaGraph, page: PageContext): TrackInput | undefined {
  const set = mainProduct(graph, page);
  if (!set) return undefined;
  const url = new URL(page.url);
  const query = new Map(url.searchParams);
  const pageUrl: PageLocation = { url, path: readUrlId(url.href, url.href) ?? '', query, values: new Set(query.values()) };
  const group = set.find((product) => hasType(product, GROUP_TYPES));
  const product: SchemaNode = group ?? Object.assign({}, ...[...set].reverse());
  const variants = group ? [...set.filter((p) => p !== group), ...list(graph, group, 'hasVariant')] : [];
  const variant = pickShown(graph, variants, pageUrl)
    ?? variants.find((v) => valuesOf(v, 'sku').length > 0 || valuesOf(v, 'offers').length > 0);
  const offers = list(graph, variant ?? product, 'offers');
  const offer = pickShown(graph, offers, pageUrl) ?? offers[0];
  const item = first(product, ['sku', 'productID', 'productGroupID'], readId)
    ?? first(variant, ['sku'], readId) ?? first(offer, ['sku'], readId)
    ?? first(product, GTIN_KEYS, readId) ?? first(variant, GTIN_KEYS, readId)
    ?? first(product, ['mpn'], readId) ?? first(variant, ['mpn'], readId)
    ?? [product['@id'], ...valuesOf(product, 'url'), page.canonical, page.url]
      .map((url) => readUrlId(url, page.url)).find((id) => id !== undefined);
  if (item === undefined) return undefined;
  const view: TrackInput = { type: 'view', item };
  const nodes = [variant, product, ...list(graph, product, 'isVariantOf')].filter(isNode);
  const category = productCategory(graph, nodes, product, page);
  if (category !== undefined) view.category = category;
  const priced = [offer, ...offers, ...(variant ? list(graph, product, 'offers') : [])].filter(isNode);
  for (const candidate of priced) {
    const price = offerPrice(graph, candidate);
    if (price === undefined) continue;
    view.price = price;
    break;
  }
  return view;
}
