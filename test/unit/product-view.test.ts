import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readJsonLd } from '../../src/capture/json-ld';
import { hasProduct, productViewFromGraph } from '../../src/capture/product-view';
import { readPrice, type PageContext } from '../../src/capture/schema-node';

const PAGE: PageContext = { url: 'https://shop.example/products/kart' };

/** The product view of JSON-LD documents (objects, serialised; strings as they are) on a page. */
function view(docs: unknown[], page: PageContext = PAGE) {
  return productViewFromGraph(readJsonLd(docs.map((d) => (typeof d === 'string' ? d : JSON.stringify(d)))), page);
}

/** The JSON-LD scripts of a fixture page under test/browser/pages/shops/. */
function fixtureJsonLd(name: string): string[] {
  const html = readFileSync(new URL(`../browser/pages/shops/${name}`, import.meta.url), 'utf8');
  return [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
}

const CRUMBS = {
  '@type': 'BreadcrumbList',
  itemListElement: [
    { '@type': 'ListItem', position: 1, name: 'Home', item: 'https://shop.example/' },
    { '@type': 'ListItem', position: 2, name: 'Games', item: 'https://shop.example/c/games' },
    { '@type': 'ListItem', position: 3, name: 'Racing', item: 'https://shop.example/c/racing' },
    { '@type': 'ListItem', position: 4, name: 'Kart' },
  ],
};

describe('the issue #17 table: every product row is captured, with id, price and category', () => {
  it.each([
    ['a Product whose SKUs are on its offers (one Offer per variant), no top-level sku', {
      '@context': 'http://schema.org/', '@type': 'Product', name: 'Kart', category: 'Racing',
      offers: [
        { '@type': 'Offer', sku: 'K-STD', price: 39, url: 'https://shop.example/products/kart?variant=1' },
        { '@type': 'Offer', sku: 'K-DLX', price: 59, url: 'https://shop.example/products/kart?variant=2' },
      ],
    }, 'K-STD', 39],
    ['a ProductGroup with hasVariant products (Google’s variant markup)', {
      '@context': 'https://schema.org/', '@type': 'ProductGroup', name: 'Kart', category: 'Racing',
      variesBy: ['https://schema.org/color'],
      hasVariant: [
        { '@type': 'Product', sku: 'K-RED', color: 'Red', offers: { '@type': 'Offer', price: 39.99, url: 'https://shop.example/products/kart?color=red' } },
        { '@type': 'Product', sku: 'K-BLUE', color: 'Blue', offers: { '@type': 'Offer', price: 41.99, url: 'https://shop.example/products/kart?color=blue' } },
      ],
    }, 'K-RED', 39.99],
    ['"@type": "http://schema.org/Product" (full IRI)', {
      '@type': 'http://schema.org/Product', sku: 'K1', category: 'Racing', offers: { price: '39.00' },
    }, 'K1', 39],
    ['a Product with only gtin13', { '@type': 'Product', gtin13: '4006381333931', category: 'Racing', offers: { price: 39 } }, '4006381333931', 39],
    ['a Product with only gtin', { '@type': 'Product', gtin: '00012345600012', category: 'Racing', offers: { price: 39 } }, '00012345600012', 39],
    ['a Product with only mpn', { '@type': 'Product', mpn: 'KRT-2026', category: 'Racing', offers: { price: 39 } }, 'KRT-2026', 39],
    ['a Product with only @id', { '@type': 'Product', '@id': 'https://shop.example/products/kart/#product', category: 'Racing', offers: { price: 39 } }, '/products/kart', 39],
    ['a Product with only url', { '@type': 'Product', url: 'https://shop.example/products/kart?ref=home', category: 'Racing', offers: { price: 39 } }, '/products/kart', 39],
    ['offers as an AggregateOffer (lowPrice)', {
      '@type': 'Product', sku: 'K1', category: 'Racing', offers: { '@type': 'AggregateOffer', lowPrice: '29.50', highPrice: '59.00', offerCount: 3 },
    }, 'K1', 29.5],
    ['offers with a priceSpecification', {
      '@type': 'Product', sku: 'K1', category: 'Racing',
      offers: { '@type': 'Offer', priceSpecification: { '@type': 'UnitPriceSpecification', price: '1,299.00', priceCurrency: 'USD' } },
    }, 'K1', 1299],
  ])('%s', (_, product, item, price) => {
    expect(view([product])).toEqual({ type: 'view', item, price, category: 'Racing' });
  });

  it('a category as an object ({"@type": "Thing", "name": …}) or only in a BreadcrumbList', () => {
    const product = { '@type': 'Product', sku: 'K1', name: 'Kart', offers: { price: 39 } };
    expect(view([{ ...product, category: { '@type': 'Thing', name: 'Racing' } }])).toEqual({ type: 'view', item: 'K1', price: 39, category: 'Racing' });
    expect(view([CRUMBS, product])).toEqual({ type: 'view', item: 'K1', price: 39, category: 'Racing' });
  });

  it('a category page with an ItemList of products: nothing (a listing is not a product view)', () => {
    const list = {
      '@context': 'https://schema.org', '@type': 'ItemList',
      itemListElement: [1, 2, 3].map((n) => ({ '@type': 'ListItem', position: n, item: { '@type': 'Product', sku: `K${n}`, offers: { price: 10 } } })),
    };
    expect(view([list])).toBeUndefined();
  });
});

describe('the id chain', () => {
  it('takes sku, productID, the shown offer’s or variant’s sku, gtin*, mpn, then @id/url, in that order', () => {
    const full = { '@type': 'Product', sku: 'S', productID: 'P', gtin13: 'G', mpn: 'M', url: '/products/u', offers: { sku: 'O' } };
    const drop = (key: string, from: Record<string, unknown>) => Object.fromEntries(Object.entries(from).filter(([k]) => k !== key));
    const chain: string[] = [];
    let product: Record<string, unknown> = full;
    for (const key of ['sku', 'productID', 'offers', 'gtin13', 'mpn', 'url']) {
      chain.push(String(view([product])?.item));
      product = drop(key, product);
    }
    chain.push(String(view([product])?.item));
    expect(chain).toEqual(['S', 'P', 'O', 'G', 'M', '/products/u', '/products/kart']); // last: the page itself
  });

  it('gives the same id for the same product on different pages (relative or absolute, query, fragment, slash)', () => {
    const onProductPage = view([{ '@type': 'Product', '@id': '/products/kart#product' }], { url: 'https://shop.example/products/kart?variant=2' });
    const inCollection = view([{ '@type': 'Product', url: 'https://shop.example/products/kart/?utm_source=x#reviews' }], { url: 'https://shop.example/collections/racing/products/kart' });
    const canonical = view([{ '@type': 'Product', name: 'Kart' }], { url: 'https://shop.example/collections/racing/products/kart', canonical: 'https://shop.example/products/kart' });
    expect([onProductPage?.item, inCollection?.item, canonical?.item]).toEqual(['/products/kart', '/products/kart', '/products/kart']);
  });

  it('skips an identifier that looks personal or is too long, and uses the next one', () => {
    expect(view([{ '@type': 'Product', sku: 'jane@example.com', mpn: 'M1' }])?.item).toBe('M1');
    expect(view([{ '@type': 'Product', sku: 'x'.repeat(200), gtin: '4006381333931' }])?.item).toBe('4006381333931');
  });

  it('selects the variant the URL names (Shopify’s ?variant=, a variant’s own query), else the first', () => {
    const dawn = fixtureJsonLd('shopify-dawn.html');
    const at = (query: string) => view(dawn, { url: `https://pixel-parts.example/products/turbo-kart-racer${query}` });
    expect(at('')).toEqual({ type: 'view', item: '8100000000001', price: 39, category: 'Racing' });
    expect(at('?variant=40100000000002')).toEqual({ type: 'view', item: '8100000000001', price: 59, category: 'Racing' });
    const inCollection = { url: 'https://pixel-parts.example/collections/racing/products/turbo-kart-racer?variant=40100000000002' };
    expect(view(dawn, inCollection)?.price).toBe(59);
    const offers = {
      '@type': 'Product', name: 'Kart',
      offers: [{ sku: 'K-STD', price: 39, url: '/products/kart?variant=1' }, { sku: 'K-DLX', price: 59, url: '/products/kart?variant=2' }],
    };
    expect(view([offers], { url: 'https://shop.example/products/kart?variant=2' })).toMatchObject({ item: 'K-DLX', price: 59 });
    expect(view([offers], { url: 'https://shop.example/products/kart?sku=K-DLX' })).toMatchObject({ item: 'K-DLX', price: 59 });
  });

  it('reads a variant page whose Product points to its group (isVariantOf), taking the group’s category', () => {
    const variantPage = {
      '@context': 'https://schema.org', '@type': 'Product', sku: 'K-RED', name: 'Red kart',
      offers: { '@type': 'Offer', price: '39.99' },
      isVariantOf: { '@type': 'ProductGroup', '@id': '#kart', productGroupID: 'K', category: 'Toys > Racing', hasVariant: [{ url: '/products/kart-blue' }] },
    };
    expect(view([variantPage])).toEqual({ type: 'view', item: 'K-RED', price: 39.99, category: 'Racing' });
  });
});

describe('types, in any form JSON-LD allows', () => {
  it.each([
    ['Product'], ['schema:Product'], ['https://schema.org/Product'], ['http://schema.org/Product'], [['Thing', 'Product']],
    ['IndividualProduct'], ['ProductModel'], ['SomeProducts'], ['Vehicle'], ['Car'], ['https://schema.org/ProductGroup'],
  ])('%j', (type) => {
    expect(view([{ '@type': type, sku: 'K1' }])).toEqual({ type: 'view', item: 'K1' });
  });

  it('reads schema:-prefixed properties, @value objects, nested @graph and a WebPage’s mainEntity', () => {
    expect(view([{ '@type': 'schema:Product', 'schema:sku': { '@value': 'K1' }, 'schema:offers': { 'schema:price': '5' } }]))
      .toEqual({ type: 'view', item: 'K1', price: 5 });
    expect(view([{ '@graph': [{ '@type': 'ItemPage', mainEntity: { '@type': 'Product', sku: 'K2' } }] }])?.item).toBe('K2');
  });

  it('is not fooled by Products inside other things (reviews, related products, an offer catalog)', () => {
    expect(view([{ '@type': 'Review', itemReviewed: { '@type': 'Product', sku: 'K1' } }])).toBeUndefined();
    expect(view([{ '@type': 'OfferCatalog', itemListElement: [{ '@type': 'Offer', itemOffered: { '@type': 'Product', sku: 'K1' } }] }])).toBeUndefined();
  });
});

describe('one view per page', () => {
  it('merges several scripts describing one product (a theme and a reviews app) into one view', () => {
    const theme = { '@type': 'Product', name: 'Kart', sku: 'K1', offers: { price: 39 } };
    const app = { '@type': 'Product', name: 'Kart', aggregateRating: { '@type': 'AggregateRating', ratingValue: 4.5 }, category: 'Racing' };
    expect(view([theme, app])).toEqual({ type: 'view', item: 'K1', price: 39, category: 'Racing' });
  });

  it('several unrelated products: a listing, unless one of them is this page’s product', () => {
    const a = { '@type': 'Product', name: 'Kart', sku: 'K1' };
    const b = { '@type': 'Product', name: 'Rally', sku: 'R1' };
    expect(view([a, b])).toBeUndefined();
    expect(view([{ ...a, url: '/products/kart' }, b])?.item).toBe('K1');
  });

  it('a product listed by the page’s ItemList is not this page’s product', () => {
    const list = { '@type': 'ItemList', itemListElement: [{ '@type': 'ListItem', position: 1, url: 'https://shop.example/products/kart' }] };
    expect(view([list, { '@type': 'Product', url: 'https://shop.example/products/kart', sku: 'K1' }])).toBeUndefined();
  });

  it('follows @id references to offers and breadcrumbs in a @graph (Yoast-style)', () => {
    const graph = {
      '@context': 'https://schema.org',
      '@graph': [
        { '@type': 'WebPage', '@id': 'https://shop.example/products/kart#webpage', breadcrumb: { '@id': '#crumbs' } },
        { ...CRUMBS, '@id': '#crumbs' },
        { '@type': 'Product', name: 'Kart', sku: 'K1', offers: { '@id': '#offer' } },
        { '@type': 'Offer', '@id': '#offer', price: '12,50' },
      ],
    };
    expect(view([graph])).toEqual({ type: 'view', item: 'K1', price: 12.5, category: 'Racing' });
  });
});

describe('the platforms’ product pages', () => {
  it('WooCommerce: the sku, the sale price (not the ListPrice), the category from the breadcrumb', () => {
    const page = { url: 'https://pixel-parts.example/product/retro-arcade-stick/' };
    expect(view(fixtureJsonLd('woocommerce.html'), page)).toEqual({ type: 'view', item: 'RAS-8W', price: 1049.5, category: 'Controllers' });
  });

  it('BigCommerce Cornerstone: gtin13 (no sku), the price, the breadcrumb’s last category', () => {
    const page = { url: 'https://pixel-parts.example/handheld-console-x/' };
    expect(view(fixtureJsonLd('bigcommerce.html'), page)).toEqual({ type: 'view', item: '4006381333931', price: 249.99, category: 'Handheld' });
  });

  it('a category page (ItemList, breadcrumb, product cards with their own JSON-LD): no product view', () => {
    const texts = fixtureJsonLd('listing.html');
    expect(hasProduct(readJsonLd(texts))).toBe(true);
    expect(view(texts, { url: 'https://pixel-parts.example/collections/racing' })).toBeUndefined();
  });
});

describe('prices', () => {
  it.each([
    [19.99, 19.99], ['19.99', 19.99], ['1,299.00', 1299], ['1.299,00', 1299], ['1,299', 1299], ['12,99', 12.99],
    ['$1,299.00', 1299], ['1 299,00 €', 1299], ['USD 5', 5], ['0', 0], [{ '@value': '7.5' }, 7.5],
    ['free', undefined], ['', undefined], [-5, undefined], ['-5', undefined], [Number.NaN, undefined], [null, undefined],
  ])('%j → %j', (input, expected) => {
    expect(readPrice(input)).toBe(expected);
  });
});

describe('malformed markup is skipped and never throws', () => {
  it('broken JSON in one script does not hide the product in another', () => {
    expect(view(['{"@type": "Product", "sku": ', '{"@type":"Product","sku":"K1"}'])?.item).toBe('K1');
  });

  it('raw newlines inside strings (a common template slip) are forgiven', () => {
    expect(view(['{"@type":"Product","sku":"K1","description":"two\nlines"}'])?.item).toBe('K1');
  });

  it('cycles through @id end', () => {
    const a = { '@type': 'Product', '@id': '#a', sku: 'K1', isVariantOf: { '@id': '#b' }, offers: { '@id': '#o' } };
    const b = { '@type': 'ProductGroup', '@id': '#b', hasVariant: [{ '@id': '#a' }], isVariantOf: { '@id': '#a' } };
    const o = { '@type': 'Offer', '@id': '#o', itemOffered: { '@id': '#a' }, price: 3 };
    const crumbs = { '@type': 'BreadcrumbList', '@id': '#c', itemListElement: [{ '@id': '#c' }] };
    expect(view([{ '@graph': [a, b, o, crumbs] }])).toMatchObject({ type: 'view', price: 3 });
  });

  it('a script of 1 MB or more is not read at all', () => {
    const big = JSON.stringify({ '@type': 'Product', sku: 'K1', description: 'x'.repeat(1_000_000) });
    expect(view([big])).toBeUndefined();
  });

  it('hundreds of products: a listing, read within bounds', () => {
    const many = Array.from({ length: 600 }, (_, n) => ({ '@type': 'Product', sku: `K${n}`, offers: { price: n } }));
    expect(view([many])).toBeUndefined();
    expect(view([{ '@graph': many }])).toBeUndefined();
  });

  it('deep nesting, odd values and wrong shapes give no view or a partial one, never an exception', () => {
    const deep = `${'{"@type":"WebPage","mainEntity":'.repeat(5000)}{"@type":"Product","sku":"deep"}${'}'.repeat(5000)}`;
    for (const docs of [
      [deep], [`${'['.repeat(100_000)}${']'.repeat(100_000)}`], ['[[[[[[[[[[]]]]]]]]]]'], ['"just a string"'], ['42'], [{ '@type': 7 }], [{ '@type': 'Product', sku: { nested: true } }],
      [{ '@type': 'Product', sku: 'K1', offers: 'not an offer', category: 17, url: 'javascript:alert(1)' }],
      [{ '@type': 'Product', sku: 'K1', offers: { price: '1e400' } }],
    ]) {
      expect(() => view(docs)).not.toThrow();
    }
    expect(view([{ '@type': 'Product', sku: 'K1', offers: 'not an offer', category: 17, url: 'javascript:alert(1)' }]))
      .toEqual({ type: 'view', item: 'K1', category: '17' });
  });
});
