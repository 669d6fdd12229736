import { describe, expect, it } from 'vitest';
import type { PrecisError } from '../../src/core/errors';
import { resolveOptions } from '../../src/client/options';

const resolve = (input: unknown): { adStack: unknown; errors: string[] } => {
  const errors: PrecisError[] = [];
  const { adStack } = resolveOptions(input, (e) => errors.push(e));
  return { adStack, errors: errors.map((e) => `${e.code}: ${String(e.details.reason)}`) };
};

describe('adStack option', () => {
  it('is on by default, named after the page\'s host (or precis), without site segments', () => {
    expect(resolve({})).toEqual({ adStack: { name: 'precis', siteSegments: false }, errors: [] });
    expect(resolve({ adStack: { name: 'shop.example', siteSegments: true } }).adStack).toEqual({ name: 'shop.example', siteSegments: true });
    expect(resolve({ adStack: false }).adStack).toBeUndefined();
  });

  it('reports a bad name and uses the default', () => {
    const { adStack, errors } = resolve({ adStack: { name: 'x'.repeat(65) } });
    expect(adStack).toEqual({ name: 'precis', siteSegments: false });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^invalid-options/);
  });

  it('is off, and says why, when TCF personalisation is configured without purpose 4', () => {
    const { adStack, errors } = resolve({ tcf: { purposes: { personalize: [1, 3] } } });
    expect(adStack).toBeUndefined();
    expect(errors).toEqual(['invalid-options: the ad stack needs TCF purpose 4 in tcf.purposes.personalize']);
    expect(resolve({ tcf: { purposes: { personalize: [1, 4] } } }).adStack).toBeDefined();
  });
});
