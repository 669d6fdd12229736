import type { TrackInput } from './event';
import { readJsonLd } from './json-ld';
import { readMicrodata } from './microdata';
import { readOpenGraph } from './open-graph';
import { hasProduct, productViewFromGraph } from './product-view';
import type { PageContext, SchemaGraph } from './schema-node';

const JSON_LD = 'script[type="application/ld+json" i]';

/**
 * The text of each JSON-LD script on the page, in document order.
 *
 * @example
 * readJsonLdTexts(document); // ['{"@context":"https://schema.org","@type":"Product",…}']
 */
export function readJsonLdTexts(doc: Document): string[] {
  return Array.from(doc.querySelectorAll(JSON_LD), (script) => script.textContent ?? '');
}

/**
 * Where the page is: its URL and its canonical URL (the last resort for a product's id).
 *
 * @example
 * readPageContext(window); // { url: 'https://shop.example/p/a?variant=2', canonical: 'https://shop.example/p/a' }
 */
export function readPageContext(win: Window): PageContext {
  const canonical = win.document.querySelector<HTMLLinkElement>('link[rel="canonical"]')?.href;
  return canonical ? { url: win.location.href, canonical } : { url: win.location.href };
}

/**
 * The product view the page describes: from its JSON-LD; when that has no product, from
 * its microdata; then from its Open Graph product tags (breadcrumbs from any of them).
 * Undefined when the page shows no single product (a listing, a content page).
 *
 * @example
 * readPageProductView(document, readPageContext(window), readJsonLdTexts(document));
 * // { type: 'view', item: 'A1', category: 'Racing', price: 19.99 }
 */
export function readPageProductView(doc: Document, page: PageContext, jsonLd: readonly string[]): TrackInput | undefined {
  let graph: SchemaGraph = readJsonLd(jsonLd);
  for (const readFallback of [readMicrodata, readOpenGraph]) {
    if (hasProduct(graph)) break;
    const fallback = readFallback(doc);
    graph = { items: [...graph.items, ...fallback.items], byId: graph.byId };
  }
  return productViewFromGraph(graph, page);
}
