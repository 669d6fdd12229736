import { describe, expect, it } from 'vitest';
import { toTrustedScriptUrl, TRUSTED_TYPES_POLICY, type TrustedTypesScope } from '../../src/core/trusted-types';

/** Stands in for a TrustedScriptURL: what the sink would receive. */
class FakeTrustedScriptUrl {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** A minimal `trustedTypes` factory that runs the policy's rule like Chromium does. */
function createScope(options: { allowedNames?: string[]; origin?: string } = {}) {
  const created: string[] = [];
  const origin = options.origin ?? 'https://shop.example';
  const scope: TrustedTypesScope = {
    location: { href: `${origin}/products/7`, origin },
    trustedTypes: {
      createPolicy(name: string, rules: { createScriptURL(input: string): string }) {
        if (options.allowedNames && !options.allowedNames.includes(name)) throw new TypeError(`policy ${name} refused by CSP`);
        created.push(name);
        return { createScriptURL: (input: string) => new FakeTrustedScriptUrl(rules.createScriptURL(input)) };
      },
    },
  };
  return { scope, created };
}

describe('toTrustedScriptUrl', () => {
  it('returns the plain string where the browser has no Trusted Types', () => {
    expect(toTrustedScriptUrl('/dist/precis-ml.js', { location: { href: 'https://a.example/', origin: 'https://a.example' } })).toBe('/dist/precis-ml.js');
    expect(toTrustedScriptUrl('/x.js', {})).toBe('/x.js');
  });

  it('wraps the ML chunk URL through one policy named precis, created once', () => {
    const { scope, created } = createScope();
    const first = toTrustedScriptUrl('https://shop.example/dist/precis-ml.js', scope);
    const second = toTrustedScriptUrl('/static/precis-ml.js?v=3', scope);
    expect(first).toBeInstanceOf(FakeTrustedScriptUrl);
    expect(String(first)).toBe('https://shop.example/dist/precis-ml.js');
    expect(String(second)).toBe('https://shop.example/static/precis-ml.js?v=3');
    expect(created).toEqual([TRUSTED_TYPES_POLICY]);
    expect(TRUSTED_TYPES_POLICY).toBe('precis');
    // A bundler's hashed copy of the chunk (Vite emits precis-ml-<hash>.js).
    expect(String(toTrustedScriptUrl('/assets/precis-ml-B3kq_9x.js', scope))).toBe('https://shop.example/assets/precis-ml-B3kq_9x.js');
  });

  it.each([
    'https://evil.example/dist/precis-ml.js',
    '//evil.example/precis-ml.js',
    'http://shop.example/dist/precis-ml.js',
    '/dist/evil.js',
    '/dist/precis-ml.js.evil',
    '/dist/not-precis-ml.jsx',
    '/dist/precis-ml-x.js/evil.js',
    '/dist/precis-mlx.js',
    '/dist/xprecis-ml.js',
    'data:text/javascript,alert(1)//precis-ml.js',
    'blob:https://shop.example/precis-ml.js',
    'javascript:alert(1)//precis-ml.js',
    'https://user@shop.example/precis-ml.js',
  ])('refuses %s with a model-fetch error', (url) => {
    const { scope } = createScope();
    expect(() => toTrustedScriptUrl(url, scope)).toThrow(expect.objectContaining({ code: 'model-fetch' }));
  });

  it('falls back to the plain string, without throwing, when the CSP refuses the policy name, and tries once', () => {
    let attempts = 0;
    const { scope } = createScope({ allowedNames: ['other'] });
    const factory = scope.trustedTypes as { createPolicy(...args: unknown[]): unknown };
    const original = factory.createPolicy.bind(factory);
    factory.createPolicy = (...args: unknown[]) => {
      attempts += 1;
      return original(...args);
    };
    expect(toTrustedScriptUrl('/dist/precis-ml.js', scope)).toBe('/dist/precis-ml.js');
    expect(toTrustedScriptUrl('/dist/precis-ml.js', scope)).toBe('/dist/precis-ml.js');
    expect(attempts).toBe(1);
  });

  it('keeps one policy per global', () => {
    const a = createScope();
    const b = createScope({ origin: 'https://other.example' });
    toTrustedScriptUrl('/precis-ml.js', a.scope);
    expect(String(toTrustedScriptUrl('/precis-ml.js', b.scope))).toBe('https://other.example/precis-ml.js');
    expect([a.created, b.created]).toEqual([['precis'], ['precis']]);
  });
});
