import { describe, expect, it } from 'vitest';
import type { PrecisError } from '../../src/core/errors';
import { parseExposure, type Exposure } from '../../src/measure/exposure';
import { DEFAULT_WINDOWS } from '../../src/measure/metrics';
import { nextReport } from '../../src/measure/report';
import { resolveOptions } from '../../src/client/options';

describe('reportEvery', () => {
  const resolve = (reportEvery: unknown) => {
    const errors: PrecisError[] = [];
    const options = resolveOptions({ reportEvery }, (e) => errors.push(e));
    return { hours: options.reportPeriodHours, errors: errors.map((e) => [e.code, e.details.option]) };
  };

  it('pagehide (the default) is 0 hours, day is 24, a number is hours', () => {
    expect(resolve(undefined)).toEqual({ hours: 0, errors: [] });
    expect(resolve('pagehide')).toEqual({ hours: 0, errors: [] });
    expect(resolve('day')).toEqual({ hours: 24, errors: [] });
    expect(resolve(6)).toEqual({ hours: 6, errors: [] });
  });

  it.each([['week'], [0], [-1], [Number.NaN], [Infinity], ['24']])('%s: invalid-options, every page hide', (value) => {
    expect(resolve(value)).toEqual({ hours: 0, errors: [['invalid-options', 'reportEvery']] });
  });
});

describe('parseExposure: the interest it was decided under', () => {
  const base = { kind: 'impression', creative: 'a', slot: 'hero', arm: 'personalized', probability: 0.5, time: 9 };

  it('keeps it (last, as the client writes it) or leaves it out when absent', () => {
    expect(JSON.stringify(parseExposure({ ...base, interest: 'racing' }))).toBe(JSON.stringify({ ...base, interest: 'racing' }));
    expect(parseExposure({ ...base, interest: '' })).toEqual({ ...base, interest: '' });
    expect(parseExposure(base)).toEqual(base);
  });

  it('refuses a tampered one', () => {
    expect(parseExposure({ ...base, interest: 7 })).toBeUndefined();
    expect(parseExposure({ ...base, interest: 'x'.repeat(129) })).toBeUndefined();
  });
});

describe('nextReport', () => {
  const T = Date.UTC(2030, 0, 6, 12);
  const HOUR = 3600_000;
  const seen = (time: number): Exposure => ({ kind: 'impression', creative: 'a', slot: 'hero', arm: 'personalized', probability: 1, time, interest: 'racing' });
  const input = (exposures: Exposure[], reportedUntil: number, now: number, periodHours: number) => ({
    exposures, events: [], windows: DEFAULT_WINDOWS, reportedUntil, now, periodHours, epsilon: undefined,
    scope: { creatives: ['a'], interests: ['racing'], arm: 'personalized' as const },
  });

  it('nothing new to count: no report, whatever the cadence', () => {
    expect(nextReport(input([seen(T)], T, T + 30 * HOUR, 24))).toBeUndefined();
    expect(nextReport(input([], 0, T, 0))).toBeUndefined();
  });

  it('daily: waits until the period is over, then reports everything since the last report', () => {
    const log = [seen(T + HOUR), seen(T + 5 * HOUR), seen(T + 20 * HOUR)];
    expect(nextReport(input(log, T, T + 23 * HOUR, 24))).toBeUndefined();
    const payload = nextReport(input(log, T, T + 24 * HOUR, 24))!;
    expect(payload.periodHours).toBe(24);
    expect(payload.rows).toContainEqual({ creative: 'a', arm: 'personalized', interest: 'racing', impressions: 3, clicks: 0, conversions: 0 });
  });

  it('a visitor never reported: the period starts at their oldest count', () => {
    expect(nextReport(input([seen(T)], 0, T + 23 * HOUR, 24))).toBeUndefined();
    expect(nextReport(input([seen(T)], 0, T + 24 * HOUR, 24))).toBeDefined();
    expect(nextReport(input([seen(T)], 0, T + 1, 0))).toBeDefined();
  });
});
