import { describe, expect, it } from 'vitest';
import type { PrecisError } from '../../src/core/errors';
import { mapToAudience, parseAudienceMapping } from '../../src/decide/audience-mapping';
import { parseCatalog } from '../../src/decide/catalog';

const collect = (): { errors: PrecisError[]; onError: (error: PrecisError) => void } => {
  const errors: PrecisError[] = [];
  return { errors, onError: (error) => errors.push(error) };
};

describe('parseAudienceMapping', () => {
  it('reads categories and segments, ids as strings or numbers, each once', () => {
    const { errors, onError } = collect();
    const mapping = parseAudienceMapping({
      categories: { racing: ['742', 742], rpg: 740 },
      segments: { 'cart-abandoner': ['971'], 'propensity:high': ['971', '752'] },
    }, onError);
    expect(errors).toEqual([]);
    expect([...mapping!.categories]).toEqual([['racing', ['742']], ['rpg', ['740']]]);
    expect([...mapping!.segments]).toEqual([['cart-abandoner', ['971']], ['propensity:high', ['971', '752']]]);
  });

  it('reports ids that are not in the taxonomy and keeps the rest', () => {
    const { errors, onError } = collect();
    const mapping = parseAudienceMapping({ categories: { racing: ['742', '200', 'IAB9-30'], x: ['9999'] } }, onError);
    expect([...mapping!.categories]).toEqual([['racing', ['742']]]);
    expect(errors.map((e) => e.code)).toEqual(['invalid-catalog', 'invalid-catalog', 'invalid-catalog']);
    expect(String(errors[0]!.details.reason)).toContain('200 is not an IAB Audience Taxonomy 1.1 id');
  });

  it('reports a mapping of the wrong shape', () => {
    const { errors, onError } = collect();
    expect(parseAudienceMapping(['742'], onError)).toBeUndefined();
    expect(parseAudienceMapping({ categories: 'racing' }, onError)!.categories.size).toBe(0);
    expect(errors).toHaveLength(2);
  });

  it('is read with the catalog, and a polluted prototype adds nothing', () => {
    const { errors, onError } = collect();
    (Object.prototype as Record<string, unknown>).audience = { categories: { racing: ['733'] } };
    try {
      expect(Object.hasOwn(parseCatalog({ creatives: [] }, onError), 'audience')).toBe(false);
    } finally {
      delete (Object.prototype as Record<string, unknown>).audience;
    }
    const catalog = parseCatalog({ creatives: [], audience: { categories: { racing: ['742', '1'] }, segments: { buyer: ['0'] } } }, onError);
    expect(catalog.audience!.categories.get('racing')).toEqual(['742', '1']);
    expect(catalog.audience!.segments.size).toBe(0);
    expect(errors.map((e) => e.code)).toEqual(['invalid-catalog']);
  });
});

describe('mapToAudience', () => {
  const mapping = parseAudienceMapping({
    categories: { racing: ['742'], rpg: ['740'] },
    segments: { 'cart-abandoner': ['971'], 'propensity:high': ['971'] },
  }, () => {})!;

  it('maps interests through categories and other segments directly, in order, without repeats', () => {
    expect(mapToAudience(['interest:rpg', 'interest:racing', 'cart-abandoner', 'returning', 'propensity:high'], mapping))
      .toEqual(['740', '742', '971']);
  });

  it('gives nothing without a mapping or a match', () => {
    expect(mapToAudience(['interest:racing'], undefined)).toEqual([]);
    expect(mapToAudience(['interest:puzzle', 'new-visitor'], mapping)).toEqual([]);
  });
});

describe('the demo shop\'s mapping', () => {
  it('is valid, as README shows it', async () => {
    const { readFile } = await import('node:fs/promises');
    const { errors, onError } = collect();
    const catalog = parseCatalog(JSON.parse(await readFile(new URL('../../demo/catalog.json', import.meta.url), 'utf8')), onError);
    expect(errors).toEqual([]);
    expect(mapToAudience(['interest:racing', 'cart-abandoner'], catalog.audience)).toEqual(['742', '971']);
  });
});
