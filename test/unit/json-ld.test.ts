import { describe, expect, it } from 'vitest';
import { productViewsFromJsonLd } from '../../src/capture/json-ld';

describe('productViewsFromJsonLd', () => {
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
    expect(productViewsFromJsonLd(text)).toEqual([{ type: 'view', item: 7 }]);
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
