/** A source of uniform numbers in [0, 1); `Math.random` in production, seeded in tests. */
export type Random = () => number;

/**
 * A seeded generator (mulberry32): the same seed gives the same sequence everywhere.
 *
 * @example
 * const random = createRandom(42);
 * random(); // 0.6011…
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/** A Beta posterior over a click-through rate. */
export interface BetaPosterior {
  alpha: number;
  beta: number;
}

/** The prior CTR of a creative whose catalog entry names none. */
export const DEFAULT_PRIOR_CTR = 0.02;

/**
 * The posterior over a creative's CTR on this device: the catalog's prior CTR counted as
 * `strength` impressions, plus this device's impressions and clicks.
 *
 * @example
 * posterior(0.02, 20, { impressions: 10, clicks: 3 }); // { alpha: 3.4, beta: 26.6 }
 */
export function posterior(priorCtr: number, strength: number, seen: { impressions: number; clicks: number }): BetaPosterior {
  const clicks = Math.min(seen.clicks, seen.impressions);
  return { alpha: priorCtr * strength + clicks, beta: (1 - priorCtr) * strength + seen.impressions - clicks };
}

/**
 * The posterior's mean: the CTR the decision expects when it does not explore.
 *
 * @example
 * meanOf({ alpha: 1, beta: 3 }); // 0.25
 */
export function meanOf({ alpha, beta }: BetaPosterior): number {
  return alpha / (alpha + beta);
}

/**
 * One draw from Beta(alpha, beta), as the ratio of two Gamma draws.
 *
 * @example
 * sampleBeta({ alpha: 2, beta: 50 }, Math.random); // ~0.04
 */
export function sampleBeta({ alpha, beta }: BetaPosterior, random: Random): number {
  const x = sampleGamma(alpha, random);
  const y = sampleGamma(beta, random);
  return x + y === 0 ? meanOf({ alpha, beta }) : x / (x + y);
}

/**
 * One draw from Gamma(shape, 1) (Marsaglia and Tsang; shapes below 1 are boosted by
 * U^(1/shape)).
 *
 * @example
 * sampleGamma(2.5, createRandom(1));
 */
export function sampleGamma(shape: number, random: Random): number {
  if (shape < 1) return sampleGamma(shape + 1, random) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

// Box-Muller; 1 - random() keeps the logarithm finite.
function sampleNormal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
