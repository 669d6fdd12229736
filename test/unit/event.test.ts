import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../src/capture/event';
import { PrecisError } from '../../src/core/errors';

const NOW = 1_700_000_000_000;

function reasonOf(input: unknown): string {
  try {
    validateEvent(input, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(PrecisError);
    expect((error as PrecisError).code).toBe('invalid-event');
    return String((error as PrecisError).details.reason);
  }
  throw new Error('expected a rejection');
}

describe('validateEvent', () => {
  it('keeps the known fields, turns numeric ids into strings and defaults the time to now', () => {
    expect(validateEvent({ type: 'add_to_cart', item: 42, category: 'rpg', price: 9.5, extra: 'x' }, NOW)).toEqual({
      type: 'add_to_cart', item: '42', category: 'rpg', price: 9.5, time: NOW,
    });
  });

  it('accepts custom types and page views without an item', () => {
    expect(validateEvent({ type: 'newsletter_signup' }, NOW)).toEqual({ type: 'newsletter_signup', time: NOW });
    expect(validateEvent({ type: 'page_view', url: '/a' }, NOW)).toEqual({ type: 'page_view', url: '/a', time: NOW });
  });

  it('keeps an explicit time', () => {
    expect(validateEvent({ type: 'view', item: 'a', time: 5 }, NOW).time).toBe(5);
  });

  it.each([
    [null, 'object'],
    ['view', 'object'],
    [[], 'object'],
    [{}, 'type'],
    [{ type: 'View', item: 'a' }, 'type'],
    [{ type: 'x'.repeat(33) }, 'type'],
    [{ type: 'view' }, 'needs an item'],
    [{ type: 'purchase', item: '' }, 'item'],
    [{ type: 'view', item: { id: 1 } }, 'item'],
    [{ type: 'view', item: 'a'.repeat(129) }, 'item'],
    [{ type: 'view', item: 'a', price: -1 }, 'price'],
    [{ type: 'view', item: 'a', price: Number.NaN }, 'price'],
    [{ type: 'view', item: 'a', time: 'yesterday' }, 'time'],
    [{ type: 'view', item: 'a', category: ['rpg'] }, 'category'],
    [{ type: 'page_view', url: 'x'.repeat(3000) }, 'url'],
  ])('rejects %j with a reason about %s', (input, reason) => {
    expect(reasonOf(input)).toContain(reason);
  });
});

describe('minimisation', () => {
  it('keeps only the path of a URL', () => {
    expect(validateEvent({ type: 'page_view', url: '/search?q=shoes&token=abc#top' }, NOW).url).toBe('/search');
    expect(validateEvent({ type: 'page_view', url: 'https://shop.example/p/1?ref=mail' }, NOW).url).toBe('/p/1');
    expect(validateEvent({ type: 'page_view', url: '/x?email=jane%40example.com' }, NOW).url).toBe('/x');
  });

  it.each([
    { type: 'view', item: 'jane.doe@example.com' },
    { type: 'view', item: 'a', category: 'mail me at jane@example.org' },
    { type: 'view', item: '+1 555 123 4567' },
    { type: 'view', item: '(555) 123-4567' },
    { type: 'page_view', url: '/unsubscribe/jane@example.com' },
    { type: 'page_view', url: '/u/jane%40example.com' },
  ])('rejects personal data: %j', (input) => {
    expect(reasonOf(input)).toMatch(/email address or a phone number/);
  });

  it('accepts numeric SKUs and barcodes', () => {
    expect(validateEvent({ type: 'view', item: '4006381333931' }, NOW).item).toBe('4006381333931');
    expect(validateEvent({ type: 'view', item: 22120 }, NOW).item).toBe('22120');
  });
});
