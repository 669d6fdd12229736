import { describe, expect, it } from 'vitest';
import type { PrecisError } from '../../src/core/errors';
import { parseCatalog } from '../../src/decide/catalog';

// The fields the decision code reads: priorCtr, value, caps, category, targets.segments.
function parse(fields: Record<string, unknown>) {
  const errors: PrecisError[] = [];
  const catalog = parseCatalog({ creatives: [{ id: 'x', slots: ['hero'], title: 'X', ...fields }, { id: 'ok', slots: ['hero'], title: 'OK' }] },
    (e) => errors.push(e));
  return { creative: catalog.creatives.find((c) => c.id === 'x'), ids: catalog.creatives.map((c) => c.id), errors };
}

describe('parseCatalog: decision fields', () => {
  it('reads them when valid', () => {
    const { creative, errors } = parse({
      priorCtr: 0.035, value: 12.5, caps: { perDay: 3, perSession: 1 }, category: 'racing',
      targets: { items: ['a'], categories: ['racing'], segments: ['interest:racing', 'cart-abandoner'] },
    });
    expect(errors).toEqual([]);
    expect(creative).toEqual({
      id: 'x', slots: ['hero'], title: 'X', weight: 1, priorCtr: 0.035, value: 12.5, caps: { perDay: 3, perSession: 1 }, category: 'racing',
      targets: { items: ['a'], categories: ['racing'], segments: ['interest:racing', 'cart-abandoner'] },
    });
  });

  it('leaves them out when absent: segments default to [], caps may name one field', () => {
    expect(parse({}).creative).toEqual({ id: 'x', slots: ['hero'], title: 'X', weight: 1, targets: { items: [], categories: [], segments: [] } });
    expect(parse({ caps: { perDay: 2 } }).creative!.caps).toEqual({ perDay: 2 });
    expect(parse({ caps: {} }).creative!.caps).toEqual({});
  });

  it.each([
    ['priorCtr', { priorCtr: 0 }],
    ['priorCtr', { priorCtr: 1 }],
    ['priorCtr', { priorCtr: -0.1 }],
    ['priorCtr', { priorCtr: '0.02' }],
    ['priorCtr', { priorCtr: Number.NaN }],
    ['value', { value: 0 }],
    ['value', { value: -3 }],
    ['value', { value: Infinity }],
    ['caps', { caps: 3 }],
    ['caps', { caps: [1] }],
    ['caps.perDay', { caps: { perDay: 0 } }],
    ['caps.perDay', { caps: { perDay: 1.5 } }],
    ['caps.perSession', { caps: { perSession: -1 } }],
    ['caps.perSession', { caps: { perSession: '2' } }],
    ['category', { category: '' }],
    ['category', { category: 7 }],
    ['category', { category: 'x'.repeat(129) }],
    ['targets.segments', { targets: { segments: 'buyer' } }],
    ['targets.segments', { targets: { segments: [''] } }],
  ])('reports an invalid %s and leaves the creative out (%j)', (field, fields) => {
    const { creative, ids, errors } = parse(fields);
    expect(creative).toBeUndefined();
    expect(ids).toEqual(['ok']);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('invalid-catalog');
    expect(errors[0]!.details).toMatchObject({ index: 0 });
    expect(String((errors[0]!.details as { reason: string }).reason)).toContain(field);
  });

  it('reads only own properties of caps and targets', () => {
    const caps = Object.create({ perDay: 1 }) as Record<string, unknown>;
    caps.perSession = 2;
    expect(parse({ caps }).creative!.caps).toEqual({ perSession: 2 });
  });
});
