import { describe, expect, it } from 'vitest';
import type { TrackInput } from '../../src/capture/event';
import { readJsonLd } from '../../src/capture/json-ld';
import { productViewFromGraph } from '../../src/capture/product-view';

/** The page's product view as a list (none or one), from one JSON-LD script. */
function productViewsFromJsonLd(text: string): TrackInput[] {
  const view = productViewFromGraph(readJsonLd([text]), { url: 'https://shop.example/p/1' });
  return view ? [view] : [];
}

describe('productViewFromGraph(readJsonLd(…))', () => {
  it('reads sku, category and the first offer price', () => {
    const text = JSON.stringify({
      '@context': 'https://schema.org', '@type': 'Product', sku: 'A1', category: 'rpg',
      offers: [{ '@type': 'Offer', price: '19.99' }, { price: '5' }],
    });
    expect(productViewsFromJsonLd(text)).toEqual([{ type: 'view', item: 'A1', category: 'rpg', price: 19.99 }]);
  });

  it('falls back to productID and finds products inside @graph and arrays, with multiple types', () => {
    const text = JSON.stringify([
      { '@type': 'BreadcrumbList' },
      { '@graph': [{ '@type': ['Product', 'Thing'], productID: 7 }, { '@type': 'Organization', sku: 'no' }] },
    ]);
    // Ids are text, as validateEvent stores them.
    expect(productViewsFromJsonLd(text)).toEqual([{ type: 'view', item: '7' }]);
  });

  it.each(['not json', '{"@type":"Product","name":"no id"}', 'null', '{"@type":"Product","sku":"x","offers":{"price":"free"}}'])(
    'yields nothing unusable from %s',
    (text) => {
      const views = productViewsFromJsonLd(text);
      for (const view of views) expect(view.price).toBeUndefined();
      expect(views.length).toBeLessThanOrEqual(1);
    },
  );
});
