import { describe, expect, it } from 'vitest';
import { buildItemIndex, encodeHistory, PAD_INDEX } from '../../src/features';

describe('buildItemIndex', () => {
  it('maps ids to positions and leaves out the padding slot', () => {
    const index = buildItemIndex(['', 'a', 'b', 'c']);
    expect(index.get('a')).toBe(1);
    expect(index.get('c')).toBe(3);
    expect(index.has('')).toBe(false);
    expect(index.size).toBe(3);
  });
  it('rejects duplicate ids', () => {
    expect(() => buildItemIndex(['', 'a', 'a'])).toThrow(/duplicate/);
  });
});

describe('encodeHistory', () => {
  const index = buildItemIndex(['', 'a', 'b', 'c', 'd']);
  it('left-pads with 0, oldest first, most recent last', () => {
    expect([...encodeHistory(['a', 'b'], index, 5)]).toEqual([0, 0, 0, 1, 2]);
  });
  it('skips unknown items', () => {
    expect([...encodeHistory(['a', 'zzz', 'c', '', 'b'], index, 5)]).toEqual([0, 0, 1, 3, 2]);
  });
  it('keeps only the most recent maxLength known items', () => {
    expect([...encodeHistory(['a', 'b', 'c', 'd'], index, 2)]).toEqual([3, 4]);
    expect([...encodeHistory(['a', 'b', 'c', 'zzz', 'd', 'yyy'], index, 3)]).toEqual([2, 3, 4]);
  });
  it('returns all padding for an empty history', () => {
    expect([...encodeHistory([], index, 3)]).toEqual([PAD_INDEX, PAD_INDEX, PAD_INDEX]);
  });
  it('returns an Int32Array of exactly maxLength', () => {
    const out = encodeHistory(['a'], index, 50);
    expect(out).toBeInstanceOf(Int32Array);
    expect(out.length).toBe(50);
  });
  it('rejects a bad maxLength', () => {
    expect(() => encodeHistory(['a'], index, 0)).toThrow(RangeError);
  });
});
