import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/decide/bandit';
import { assignArm, DEFAULT_HOLDOUT, hashToUnit } from '../../src/decide/holdout';

/** Ids shaped like newVisitorId()'s (32 hex digits), from a seeded generator. */
function visitorIds(count: number, seed: number): string[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: 16 }, () => Math.floor(random() * 256).toString(16).padStart(2, '0')).join(''));
}

const IDS = visitorIds(100_000, 2024);

describe('hashToUnit', () => {
  it('is FNV-1a over UTF-16 code units, mapped to [0, 1): the same on every device', () => {
    // FNV-1a('abc') = 0x1a47e90b; FNV-1a('') is the offset basis 0x811c9dc5.
    expect(hashToUnit('abc')).toBe(0x1a47e90b / 2 ** 32);
    expect(hashToUnit('')).toBe(0x811c9dc5 / 2 ** 32);
    expect(hashToUnit('abc')).toBe(hashToUnit('abc'));
    expect(hashToUnit('abd')).not.toBe(hashToUnit('abc'));
  });

  it('spreads ids evenly over [0, 1)', () => {
    const bins = new Array<number>(20).fill(0);
    let outside = 0;
    for (const id of IDS) {
      const x = hashToUnit(id);
      if (!(x >= 0 && x < 1)) outside += 1;
      else bins[Math.floor(x * 20)]! += 1;
    }
    expect(outside).toBe(0);
    // 5,000 expected per bin, standard deviation ≈ 69.
    for (const count of bins) expect(Math.abs(count - 5000)).toBeLessThan(350);
  });
});

describe('assignArm', () => {
  it('is stable: the same id lands in the same arm on every call', () => {
    const first = IDS.slice(0, 2000).map((id) => assignArm(id, 0.05));
    expect(IDS.slice(0, 2000).map((id) => assignArm(id, 0.05))).toEqual(first);
    expect(first).toContain('control');
    expect(first).toContain('personalized');
  });

  it('puts about `share` of ids in control: 5% of 100,000 within ±0.5 percentage points', () => {
    expect(DEFAULT_HOLDOUT).toBe(0.05);
    const control = IDS.filter((id) => assignArm(id, DEFAULT_HOLDOUT) === 'control').length / IDS.length;
    expect(Math.abs(control - 0.05)).toBeLessThanOrEqual(0.005);
    // Sequential ids, the worst case for a weak hash, split as well.
    const sequential = Array.from({ length: 100_000 }, (_, i) => `visitor-${i}`);
    const share = sequential.filter((id) => assignArm(id, 0.05) === 'control').length / sequential.length;
    expect(Math.abs(share - 0.05)).toBeLessThanOrEqual(0.005);
    const fifth = IDS.filter((id) => assignArm(id, 0.2) === 'control').length / IDS.length;
    expect(Math.abs(fifth - 0.2)).toBeLessThanOrEqual(0.005);
  });

  it('a larger share only adds visitors to control: nobody already in control leaves it', () => {
    const left = IDS.filter((id) => assignArm(id, 0.05) === 'control' && assignArm(id, 0.2) !== 'control');
    expect(left).toEqual([]);
  });

  it('a new salt starts a fresh split, independent of the old one', () => {
    const before = new Set(IDS.filter((id) => assignArm(id, 0.05) === 'control'));
    const after = new Set(IDS.filter((id) => assignArm(id, 0.05, 'experiment-2') === 'control'));
    expect(Math.abs(after.size / IDS.length - 0.05)).toBeLessThanOrEqual(0.005);
    const both = [...after].filter((id) => before.has(id)).length;
    // Independent splits share about 5% of 5% = 0.25% of ids (250), not most of them.
    expect(both).toBeGreaterThan(150);
    expect(both).toBeLessThan(350);
    expect(assignArm(IDS[0]!, 0.05)).toBe(assignArm(IDS[0]!, 0.05, 'precis'));
  });

  it('share 0 puts nobody in control, and share 1 everybody', () => {
    expect(IDS.some((id) => assignArm(id, 0) === 'control')).toBe(false);
    expect(IDS.every((id) => assignArm(id, 1) === 'control')).toBe(true);
  });
});
