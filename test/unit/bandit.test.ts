import { describe, expect, it } from 'vitest';
import { createRandom, meanOf, posterior, sampleBeta, sampleGamma, type Random } from '../../src/decide/bandit';

function moments(count: number, draw: () => number): { mean: number; variance: number; min: number; max: number } {
  let sum = 0;
  let squares = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i += 1) {
    const x = draw();
    sum += x;
    squares += x * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = sum / count;
  return { mean, variance: squares / count - mean * mean, min, max };
}

describe('createRandom', () => {
  it('is mulberry32: the same seed gives the same sequence on every device', () => {
    const random = createRandom(42);
    // Golden values: a change here changes every seeded decision and test.
    expect(random()).toBe(0.6011037519201636);
    expect(random()).toBe(0.44829055899754167);
    const a = createRandom(7);
    const b = createRandom(7);
    const seqA = Array.from({ length: 100 }, a);
    expect(Array.from({ length: 100 }, b)).toEqual(seqA);
    expect(Array.from({ length: 100 }, createRandom(8))).not.toEqual(seqA);
  });

  it('is uniform on [0, 1)', () => {
    const random = createRandom(3);
    const bins = new Array<number>(10).fill(0);
    const { mean, min, max } = moments(100_000, () => {
      const x = random();
      bins[Math.floor(x * 10)]! += 1;
      return x;
    });
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(mean).toBeCloseTo(0.5, 2);
    for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(400); // ~4 standard deviations
  });

  it('treats the seed as a 32-bit unsigned integer', () => {
    expect(createRandom(2 ** 32 + 5)()).toBe(createRandom(5)());
    expect(createRandom(-1)()).toBe(createRandom(2 ** 32 - 1)());
  });
});

describe('posterior and meanOf', () => {
  it('counts the prior CTR as `strength` impressions, plus this device’s impressions and clicks', () => {
    const p = posterior(0.02, 20, { impressions: 10, clicks: 3 });
    expect(p.alpha).toBeCloseTo(3.4, 12);
    expect(p.beta).toBeCloseTo(26.6, 12);
    expect(meanOf(p)).toBeCloseTo(3.4 / 30, 12);
  });

  it('is the prior alone without data, and follows the data as it accumulates', () => {
    expect(meanOf(posterior(0.05, 100, { impressions: 0, clicks: 0 }))).toBeCloseTo(0.05, 12);
    const strong = meanOf(posterior(0.05, 100, { impressions: 100_000, clicks: 20_000 }));
    expect(strong).toBeCloseTo(0.2, 2);
    // A stronger prior moves less for the same data.
    const seen = { impressions: 200, clicks: 20 };
    expect(meanOf(posterior(0.02, 20, seen))).toBeGreaterThan(meanOf(posterior(0.02, 500, seen)));
  });

  it('never counts more clicks than impressions (a click without a viewable impression)', () => {
    expect(posterior(0.1, 10, { impressions: 2, clicks: 5 })).toEqual(posterior(0.1, 10, { impressions: 2, clicks: 2 }));
    expect(posterior(0.1, 10, { impressions: 2, clicks: 5 }).beta).toBeCloseTo(9, 12);
  });

  it('meanOf is alpha / (alpha + beta)', () => {
    expect(meanOf({ alpha: 1, beta: 3 })).toBe(0.25);
  });
});

describe('sampleGamma', () => {
  it.each([0.3, 1, 2.5, 10, 150])('Gamma(%s, 1) has mean and variance equal to its shape', (shape) => {
    const random = createRandom(Math.round(shape * 1000));
    const { mean, variance, min } = moments(40_000, () => sampleGamma(shape, random));
    expect(min).toBeGreaterThanOrEqual(0);
    // Standard error of the mean is sqrt(shape / n); 5% of the shape is ≥ 5 of them here.
    expect(Math.abs(mean - shape)).toBeLessThan(0.05 * shape + 4 * Math.sqrt(shape / 40_000));
    expect(Math.abs(variance - shape)).toBeLessThan(0.08 * shape);
  });

  it('is deterministic for a seed', () => {
    const a = createRandom(11);
    const b = createRandom(11);
    expect(Array.from({ length: 50 }, () => sampleGamma(0.7, a))).toEqual(Array.from({ length: 50 }, () => sampleGamma(0.7, b)));
  });
});

describe('sampleBeta', () => {
  it.each([
    [2, 50],
    [0.4, 19.6],
    [2, 98],
    [30, 70],
  ])('Beta(%s, %s) has the right mean and variance and stays in [0, 1]', (alpha, beta) => {
    const random = createRandom(alpha * 100 + beta);
    const { mean, variance, min, max } = moments(40_000, () => sampleBeta({ alpha, beta }, random));
    const trueMean = alpha / (alpha + beta);
    const trueVariance = (alpha * beta) / ((alpha + beta) ** 2 * (alpha + beta + 1));
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(Math.abs(mean - trueMean)).toBeLessThan(0.03 * trueMean + 5 * Math.sqrt(trueVariance / 40_000));
    expect(Math.abs(variance - trueVariance)).toBeLessThan(0.1 * trueVariance);
  });

  it('falls back to the mean when both Gamma draws underflow to 0, instead of returning NaN', () => {
    const random = createRandom(5);
    for (let i = 0; i < 200; i += 1) {
      const x = sampleBeta({ alpha: 1e-4, beta: 1e-4 }, random);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1);
    }
  });

  it('orders creatives by their posteriors most of the time, not always: it explores', () => {
    const random: Random = createRandom(21);
    const good = posterior(0.02, 20, { impressions: 300, clicks: 15 }); // mean ≈ 0.047
    const poor = posterior(0.02, 20, { impressions: 300, clicks: 6 }); // mean ≈ 0.02
    let wins = 0;
    for (let i = 0; i < 5000; i += 1) if (sampleBeta(good, random) > sampleBeta(poor, random)) wins += 1;
    expect(wins / 5000).toBeGreaterThan(0.85);
    expect(wins / 5000).toBeLessThan(0.999);
  });
});
