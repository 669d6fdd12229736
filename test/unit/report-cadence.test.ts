import { describe, expect, it } from 'vitest';
import type { PrecisError } from '../../src/core/errors';
import { parseExposure } from '../../src/measure/exposure';
import { resolveOptions } from '../../src/options';

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
