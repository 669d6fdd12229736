import { describe, expect, it } from 'vitest';
import type { PrecisError } from '../../src/core/errors';
import { isSafeUrl, parseCatalog } from '../../src/decide/catalog';

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
      id: 'a', slots: ['hero'], title: 'A', targets: { items: [], categories: [] }, weight: 1,
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
