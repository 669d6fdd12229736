import { describe, expect, it } from 'vitest';
import type { PrecisError } from '../../src/core/errors';
import { parseCatalog } from '../../src/decide/catalog';
import { cleanTitle, isSafeUrl } from '../../src/decide/safe-content';
import { expand, PAYLOADS } from '../fixtures/xss-payloads';

describe('isSafeUrl', () => {
  it.each(['/p/1', 'p/1', '?q=1', 'https://shop.example/a', 'http://shop.example', '//cdn.example/x.png'])(
    'allows %s',
    (url) => expect(isSafeUrl(url)).toBe(true),
  );
  it.each(['javascript:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'JAVASCRIPT:x', 'data:text/html,<b>',
    'vbscript:x', 'file:///etc/passwd', 'blob:https://a/b', 'x'.repeat(3000)])(
    'refuses %j',
    (url) => expect(isSafeUrl(url)).toBe(false),
  );
});

describe('parseCatalog', () => {
  it('fills defaults and parses dates', () => {
    const errors: PrecisError[] = [];
    const catalog = parseCatalog({
      creatives: [{ id: 'a', slots: ['hero'], title: 'A', start: '2026-01-01T00:00:00Z', end: 1_900_000_000_000 }],
    }, (e) => errors.push(e));
    expect(errors).toEqual([]);
    expect(catalog.creatives[0]).toEqual({
      id: 'a', slots: ['hero'], title: 'A', targets: { items: [], categories: [], segments: [] }, weight: 1,
      start: Date.parse('2026-01-01T00:00:00Z'), end: 1_900_000_000_000,
    });
  });

  it('drops each bad creative with an error naming its index, and keeps the good ones', () => {
    const errors: PrecisError[] = [];
    const good = { id: 'ok', slots: ['hero'], title: 'Fine', url: '/x', targets: { items: [1, '2'] } };
    const catalog = parseCatalog({
      creatives: [
        { id: 'js', slots: ['hero'], title: 'x', url: 'javascript:alert(1)' },
        { id: 'img', slots: ['hero'], title: 'x', image: 'data:image/svg+xml,<svg onload=alert(1)>' },
        { slots: ['hero'], title: 'no id' },
        { id: 'noslot', slots: [], title: 'x' },
        { id: 'w', slots: ['hero'], title: 'x', weight: 0 },
        { id: 'd', slots: ['hero'], title: 'x', end: 'not a date' },
        { id: 'long', slots: ['hero'], title: 'x'.repeat(1_000_000) },
        'not an object',
        good,
        { ...good, title: 'duplicate' },
      ],
    }, (e) => errors.push(e));
    expect(catalog.creatives.map((c) => c.id)).toEqual(['ok']);
    expect(catalog.creatives[0]!.targets.items).toEqual(['1', '2']);
    expect(errors.map((e) => e.code)).toEqual(Array(9).fill('invalid-catalog'));
    expect(errors.map((e) => e.details.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 9]);
  });

  it.each([null, [], { creatives: 'x' }, 'x'])('throws invalid-catalog for %j', (raw) => {
    expect(() => parseCatalog(raw, () => {})).toThrow(expect.objectContaining({ code: 'invalid-catalog' }));
  });
});


const valid = (id: string): Record<string, unknown> => ({ id, slots: ['hero'], title: `Valid ${id}` });

describe('isSafeUrl with an allowlist of hosts', () => {
  const hosts = ['shop.example', 'CDN.Shop.Example', 'img.example:8443', 'bücher.example'];
  it.each([
    '/p/1', 'p/1', '?q=1', '#top', 'https://shop.example/a', 'http://shop.example', 'https://SHOP.example/x',
    'https://cdn.shop.example/a.png', 'https://img.example:8443/a.png', 'https://xn--bcher-kva.example/', 'https://bücher.example/',
  ])('allows %s', (url) => expect(isSafeUrl(url, hosts)).toBe(true));

  it.each([
    'https://evil.example/', '//evil.example/x.png', '\\\\evil.example/x.png', '/\\evil.example/x.png', 'https:evil.example/x',
    'https://shop.example.evil.example/', 'https://evil.example/shop.example', 'https://sub.shop.example/',
    'https://img.example/a.png', 'https://img.example:9999/a.png', 'https://shop.example@evil.example/',
    'https://a.precis.invalid/x', 'http://b.precis.invalid/x', 'javascript:alert(1)',
  ])('refuses %s', (url) => expect(isSafeUrl(url, hosts)).toBe(false));

  it('allows only relative URLs when the list is empty', () => {
    expect(isSafeUrl('/a', [])).toBe(true);
    expect(isSafeUrl('https://shop.example/a', [])).toBe(false);
  });

  it('ignores entries that are not hosts', () => {
    const odd = ['', 'not a host', 'shop.example/path', 'evil.example@shop.example', 'shop.example?x', 42] as unknown as string[];
    expect(isSafeUrl('https://shop.example/', odd)).toBe(false);
    expect(isSafeUrl('/ok', odd)).toBe(true);
  });

  it('refuses URLs carrying credentials even without a list', () => {
    expect(isSafeUrl('https://shop.example@evil.example/')).toBe(false);
    expect(isSafeUrl('https://user:pass@shop.example/')).toBe(false);
  });
});

describe('isSafeUrl against the XSS corpus', () => {
  const urls = PAYLOADS.filter((p) => p.expect !== undefined);
  it('covers every URL trick the corpus lists', () => expect(urls.length).toBeGreaterThan(50));
  it.each(urls.map((p) => [p.name, p] as const))('%s', (_name, payload) => {
    const value = expand(payload);
    expect(isSafeUrl(value)).toBe(payload.expect !== 'refused');
    expect(isSafeUrl(value, ['shop.example'])).toBe(payload.expect === 'relative');
  });
});

describe('cleanTitle', () => {
  it.each(PAYLOADS.filter((p) => p.clean !== undefined).map((p) => [p.name, p] as const))('%s', (_name, payload) => {
    const cleaned = cleanTitle(payload.value);
    if (payload.clean === null) expect(cleaned.trim()).toBe('');
    else expect(cleaned).toBe(payload.clean);
    expect(cleaned).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('keeps markup as it is: it is only ever shown as text', () => {
    expect(cleanTitle('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
  });
});

describe('parseCatalog against hostile input', () => {
  it('keeps titles with markup as text, cleans bidi controls, and refuses empty or huge ones', () => {
    const errors: PrecisError[] = [];
    const titles = PAYLOADS.filter((p) => p.fields.includes('title'));
    const catalog = parseCatalog({
      creatives: [valid('first'), ...titles.map((p, i) => ({ ...valid(`t${i}`), title: expand(p) })), valid('last')],
    }, (e) => errors.push(e));
    const byId = new Map(catalog.creatives.map((c) => [c.id, c]));
    titles.forEach((payload, i) => {
      const kept = byId.get(`t${i}`);
      const value = expand(payload);
      if (value.length > 300 || payload.clean === null) expect(kept, payload.name).toBeUndefined();
      else expect(kept?.title, payload.name).toBe(payload.clean ?? cleanTitle(value));
    });
    expect(byId.has('first') && byId.has('last')).toBe(true);
    expect(errors.every((e) => e.code === 'invalid-catalog')).toBe(true);
  });

  it('drops every creative whose url or image is refused, and keeps the rest', () => {
    const errors: PrecisError[] = [];
    const urls = PAYLOADS.filter((p) => p.expect !== undefined);
    const raw = urls.flatMap((p, i) => [{ ...valid(`u${i}`), url: expand(p) }, { ...valid(`i${i}`), image: expand(p) }]);
    const catalog = parseCatalog({ creatives: [...raw, valid('ok')] }, (e) => errors.push(e));
    const kept = new Set(catalog.creatives.map((c) => c.id));
    urls.forEach((payload, i) => {
      expect(kept.has(`u${i}`), payload.name).toBe(payload.expect !== 'refused');
      expect(kept.has(`i${i}`), payload.name).toBe(payload.expect !== 'refused');
    });
    expect(kept.has('ok')).toBe(true);
    expect(errors).toHaveLength(urls.filter((p) => p.expect === 'refused').length * 2);
  });

  it('with allowedHosts, drops creatives linking or pointing elsewhere, naming their index', () => {
    const errors: PrecisError[] = [];
    const catalog = parseCatalog({
      creatives: [
        { ...valid('cdn'), url: '/a', image: 'https://cdn.shop.example/a.png' },
        { ...valid('away'), url: 'https://evil.example/' },
        { ...valid('tracker'), image: '//evil.example/pixel.gif' },
        { ...valid('home'), url: 'https://shop.example/sale' },
      ],
    }, (e) => errors.push(e), ['shop.example', 'cdn.shop.example']);
    expect(catalog.creatives.map((c) => c.id)).toEqual(['cdn', 'home']);
    expect(errors.map((e) => e.details.index)).toEqual([1, 2]);
    expect(String(errors[0]!.details.reason)).toMatch(/allowed host/);
  });

  it('refuses megabyte ids, titles, urls and target ids', () => {
    const mb = 'x'.repeat(5_000_000);
    const errors: PrecisError[] = [];
    const catalog = parseCatalog({
      creatives: [
        { ...valid('a'), id: mb }, { ...valid('b'), title: mb }, { ...valid('c'), url: `/${mb}` }, { ...valid('d'), image: `/${mb}` },
        { ...valid('e'), targets: { items: [mb] } }, { ...valid('f'), slots: [mb] }, valid('g'),
      ],
    }, (e) => errors.push(e));
    expect(catalog.creatives.map((c) => c.id)).toEqual(['g']);
    expect(errors.map((e) => e.details.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('never pollutes prototypes through __proto__, constructor or prototype keys', () => {
    const members = PAYLOADS.filter((p) => p.fields.some((f) => f.endsWith('-json')));
    const creative = (extra: string, targets = ''): string =>
      `{${extra ? `${extra}, ` : ''}"id": "c${Math.random()}", "slots": ["hero"], "title": "T", "targets": {${targets ? `${targets}, ` : ''}"items": ["__proto__", "constructor"]}}`;
    for (const payload of members) {
      const [field] = payload.fields;
      const text = field === 'catalog-json'
        ? `{${payload.value}, "creatives": [${creative('')}]}`
        : `{"creatives": [${field === 'creative-json' ? creative(payload.value) : creative('', payload.value)}]}`;
      const catalog = parseCatalog(JSON.parse(text), () => {});
      expect(catalog.creatives, payload.name).toHaveLength(1);
      expect(catalog.creatives[0]!.url, payload.name).toBeUndefined();
      expect(catalog.creatives[0]!.targets.items).toEqual(['__proto__', 'constructor']);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  });

  it('reads only own properties: an inherited or already polluted url is ignored', () => {
    const inherited = Object.assign(Object.create({ url: 'https://evil.example/', image: 'https://evil.example/i.png' }), valid('inh'));
    const proto = Object.prototype as Record<string, unknown>;
    proto.url = 'https://evil.example/polluted';
    try {
      const catalog = parseCatalog({ creatives: [inherited, valid('plain')] }, () => {});
      // Own keys only: with Object.prototype polluted, every object would "have" a url.
      expect(catalog.creatives.map((c) => [c.id, Object.keys(c).filter((k) => k === 'url' || k === 'image')])).toEqual([
        ['inh', []], ['plain', []],
      ]);
    } finally {
      delete proto.url;
    }
  });

  it('refuses a catalog whose creatives are only inherited', () => {
    const raw = Object.create({ creatives: [valid('a')] }) as object;
    expect(() => parseCatalog(raw, () => {})).toThrow(expect.objectContaining({ code: 'invalid-catalog' }));
  });
});
