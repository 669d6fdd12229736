import { describe, expect, it } from 'vitest';
import type { PrecisEvent } from '../../src/capture/event';
import { DAY_MS } from '../../src/core/clock';
import type { Exposure } from '../../src/measure/exposure';
import { computeMetrics, DEFAULT_WINDOWS } from '../../src/measure/metrics';

const T = Date.UTC(2030, 0, 6, 12);
const HOUR = 3_600_000;

function exposure(kind: Exposure['kind'], creative: string, time: number, arm: Exposure['arm'] = 'personalized'): Exposure {
  return { kind, creative, slot: 'hero', arm, probability: 1, time };
}

function purchase(time: number, item = 'sku'): PrecisEvent {
  return { type: 'purchase', item, time };
}

/** Conversions per creative (only those with any). */
function conversions(exposures: Exposure[], events: PrecisEvent[], ...rest: [typeof DEFAULT_WINDOWS?, number?]) {
  return Object.fromEntries(
    computeMetrics(exposures, events, ...rest).creatives.filter((c) => c.conversions > 0).map((c) => [c.creative, c.conversions]),
  );
}

describe('computeMetrics: counts', () => {
  it('counts impressions and clicks per creative and per arm, with their rates', () => {
    const metrics = computeMetrics([
      exposure('impression', 'a', T),
      exposure('impression', 'a', T + 1),
      exposure('impression', 'a', T + 2),
      exposure('impression', 'a', T + 3),
      exposure('click', 'a', T + 4),
      exposure('impression', 'b', T + 5),
      exposure('dismiss', 'b', T + 6),
      exposure('impression', 'house', T + 7, 'control'),
      exposure('impression', 'house', T + 8, 'control'),
    ], []);
    expect(metrics.creatives).toEqual([
      { creative: 'a', arm: 'personalized', impressions: 4, clicks: 1, conversions: 0, ctr: 0.25, conversionRate: 0 },
      { creative: 'b', arm: 'personalized', impressions: 1, clicks: 0, conversions: 0, ctr: 0, conversionRate: 0 },
      { creative: 'house', arm: 'control', impressions: 2, clicks: 0, conversions: 0, ctr: 0, conversionRate: 0 },
    ]);
    expect(metrics.arms.personalized).toEqual({ impressions: 5, clicks: 1, conversions: 0, ctr: 0.2, conversionRate: 0 });
    expect(metrics.arms.control).toEqual({ impressions: 2, clicks: 0, conversions: 0, ctr: 0, conversionRate: 0 });
  });

  it('keeps the same creative apart in the two arms', () => {
    const metrics = computeMetrics([exposure('impression', 'a', T), exposure('impression', 'a', T, 'control')], []);
    expect(metrics.creatives.map((c) => [c.creative, c.arm, c.impressions])).toEqual([['a', 'personalized', 1], ['a', 'control', 1]]);
  });

  it('is all zeros without exposures (rates 0, not NaN)', () => {
    const zero = { impressions: 0, clicks: 0, conversions: 0, ctr: 0, conversionRate: 0 };
    expect(computeMetrics([], [purchase(T)])).toEqual({ arms: { personalized: zero, control: zero }, creatives: [] });
    // A click without a viewable impression still counts as a click, and the rate stays finite.
    const clickOnly = computeMetrics([exposure('click', 'a', T)], []);
    expect(clickOnly.arms.personalized).toMatchObject({ impressions: 0, clicks: 1, ctr: 0 });
  });
});

describe('computeMetrics: attribution', () => {
  it('uses 7 days after a click and 1 day after a viewable impression by default', () => {
    expect(DEFAULT_WINDOWS).toEqual({ clickMs: 7 * DAY_MS, viewMs: DAY_MS });
  });

  it('credits the last click within clickMs, even when an impression of another creative came later', () => {
    const exposures = [
      exposure('impression', 'a', T),
      exposure('click', 'a', T + HOUR),
      exposure('impression', 'b', T + 2 * HOUR),
      exposure('click', 'b', T + 3 * HOUR),
      exposure('impression', 'c', T + 4 * HOUR),
    ];
    expect(conversions(exposures, [purchase(T + 5 * HOUR)])).toEqual({ b: 1 });
    // Only clicks before the purchase count.
    expect(conversions(exposures, [purchase(T + 2 * HOUR)])).toEqual({ a: 1 });
  });

  it('falls back to the last viewable impression within viewMs when no click is in its window', () => {
    const exposures = [
      exposure('click', 'a', T - 8 * DAY_MS),
      exposure('impression', 'b', T - 2 * HOUR),
      exposure('impression', 'c', T - HOUR),
      exposure('impression', 'late', T + HOUR),
    ];
    expect(conversions(exposures, [purchase(T)])).toEqual({ c: 1 });
    // With a 9-day click window the old click wins again.
    expect(conversions(exposures, [purchase(T)], { clickMs: 9 * DAY_MS, viewMs: DAY_MS })).toEqual({ a: 1 });
  });

  it('credits nothing when neither a click nor an impression is within its window', () => {
    const exposures = [exposure('click', 'a', T - 7 * DAY_MS - 1), exposure('impression', 'b', T - DAY_MS - 1)];
    expect(conversions(exposures, [purchase(T)])).toEqual({});
    expect(computeMetrics(exposures, [purchase(T)]).arms.personalized.conversions).toBe(0);
    // The window edges are inclusive.
    const edge = [exposure('click', 'a', T - 7 * DAY_MS), exposure('impression', 'b', T - DAY_MS)];
    expect(conversions(edge, [purchase(T)])).toEqual({ a: 1 });
    expect(conversions([edge[1]!], [purchase(T)])).toEqual({ b: 1 });
  });

  it('credits each purchase to one creative only, and each purchase once', () => {
    const exposures = [
      exposure('impression', 'a', T), exposure('click', 'a', T + 1),
      exposure('impression', 'b', T + 2), exposure('click', 'b', T + 3),
    ];
    const metrics = computeMetrics(exposures, [purchase(T + HOUR, 'x'), purchase(T + 2 * HOUR, 'y'), { type: 'add_to_cart', item: 'z', time: T + HOUR }]);
    expect(metrics.arms.personalized.conversions).toBe(2);
    expect(metrics.creatives.find((c) => c.creative === 'b')).toMatchObject({ conversions: 2, conversionRate: 2 });
    expect(metrics.creatives.find((c) => c.creative === 'a')!.conversions).toBe(0);
  });

  it('credits the conversion to the arm of the exposure it is attributed to', () => {
    const metrics = computeMetrics([exposure('impression', 'house', T, 'control')], [purchase(T + HOUR)]);
    expect(metrics.arms.control.conversions).toBe(1);
    expect(metrics.arms.personalized.conversions).toBe(0);
  });
});

describe('computeMetrics: since', () => {
  it('counts only impressions, clicks and purchases after `since`, but attributes to earlier clicks', () => {
    const exposures = [
      exposure('impression', 'a', T),
      exposure('click', 'a', T + 1),
      exposure('impression', 'a', T + HOUR),
      exposure('impression', 'b', T + 2 * HOUR),
    ];
    const events = [purchase(T + 10), purchase(T + 3 * HOUR)];
    const all = computeMetrics(exposures, events);
    expect(all.arms.personalized).toMatchObject({ impressions: 3, clicks: 1, conversions: 2 });
    const since = computeMetrics(exposures, events, DEFAULT_WINDOWS, T + 30 * 60_000);
    // The click at T + 1 is before `since`: not counted again, but still credited for the later purchase.
    expect(since.arms.personalized).toMatchObject({ impressions: 2, clicks: 0, conversions: 1 });
    expect(since.creatives.find((c) => c.creative === 'a')).toMatchObject({ impressions: 1, clicks: 0, conversions: 1 });
    // `since` itself is exclusive.
    expect(computeMetrics(exposures, events, DEFAULT_WINDOWS, T + HOUR).arms.personalized.impressions).toBe(1);
  });
});
