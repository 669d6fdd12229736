import type { SchemaGraph, SchemaNode } from './schema-node';

const PRODUCT_TYPE = /^(?:og:)?product(?:\.item|\.group)?$/i;

/**
 * Reads Open Graph product tags (`og:type` `product`, `product:retailer_item_id`,
 * `product:price:amount` or `og:price:amount`, `product:category`, `og:url`) into one
 * Product node shaped like JSON-LD; an empty graph when the page is not a product.
 *
 * @example
 * // <meta property="og:type" content="product"><meta property="product:retailer_item_id" content="A1">
 * readOpenGraph(document).items; // [{ '@type': 'Product', sku: 'A1', … }]
 */
export function readOpenGraph(doc: Document): SchemaGraph {
  const meta = (name: string): string | undefined =>
    doc.querySelector(`meta[property="${name}"],meta[name="${name}"]`)?.getAttribute('content') ?? undefined;
  const type = meta('og:type');
  if (!type || !PRODUCT_TYPE.test(type.trim())) return { items: [], byId: new Map() };
  const product: SchemaNode = {
    '@type': 'Product',
    sku: meta('product:retailer_item_id'),
    name: meta('og:title'),
    url: meta('og:url'),
    category: meta('product:category'),
    offers: { '@type': 'Offer', price: meta('product:price:amount') ?? meta('og:price:amount') },
  };
  return { items: [product], byId: new Map() };
}
