import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HOUR_MS } from '../../src/core/clock';
import { createRandom } from '../../src/decide/bandit';
import type { Exposure } from '../../src/measure/exposure';
import { countForReport, DEFAULT_WINDOWS, type InterestCounts } from '../../src/measure/metrics';
import {
  buildReport, createReporter, hasCounts, isReportDue, REPORT_SENSITIVITY, sampleLaplace, type ReportPayload,
} from '../../src/measure/report';

const T = Date.UTC(2030, 0, 6, 12);
const VISITOR = 'c1f0a9d3b7e2446f8d5a0b1c2d3e4f50';

function exposure(kind: Exposure['kind'], creative: string, time: number, arm: Exposure['arm'] = 'personalized', interest?: string): Exposure {
  const entry: Exposure = { kind, creative, slot: 'hero', arm, probability: 0.37, time };
  return interest === undefined ? entry : { ...entry, interest };
}

const count = (exposures: Exposure[], events: Parameters<typeof countForReport>[1] = []): InterestCounts[] =>
  countForReport(exposures, events, DEFAULT_WINDOWS, -Infinity);
const scope = (creatives: string[], interests: string[] = [], arm: Exposure['arm'] = 'personalized') => ({ creatives, interests, arm });
const zeros = { impressions: 0, clicks: 0, conversions: 0 };

const EXPOSURES: Exposure[] = [
  exposure('impression', 'a', T),
  exposure('impression', 'a', T + 1000),
  exposure('click', 'a', T + 2000),
  exposure('impression', 'b', T + 3000),
];
const COUNTS = count(EXPOSURES, [{ type: 'purchase', item: 'sku-1', time: T + 60_000 }]);

describe('buildReport', () => {
  it('without ε: exact counts, one row for every catalog creative in the visitor’s arm, zeros included', () => {
    const payload = buildReport(COUNTS, scope(['a', 'b', 'c', 'd']), undefined, 0);
    expect(payload).toEqual({
      format: 'precis-report@2',
      epsilon: null,
      periodHours: 0,
      rows: [
        { creative: 'a', arm: 'personalized', interest: '', impressions: 2, clicks: 1, conversions: 1 },
        { creative: 'b', arm: 'personalized', interest: '', impressions: 1, clicks: 0, conversions: 0 },
        { creative: 'c', arm: 'personalized', interest: '', ...zeros },
        { creative: 'd', arm: 'personalized', interest: '', ...zeros },
      ],
    });
  });

  it('one row per creative and interest of the catalog plus \'\', each exposure counted under the interest it was decided under', () => {
    const counts = count([
      exposure('impression', 'a', T, 'personalized', 'racing'),
      exposure('click', 'a', T + 1, 'personalized', 'racing'),
      exposure('impression', 'b', T + 2, 'personalized', ''),
      exposure('impression', 'a', T + 3, 'personalized', 'rpg'),
    ]);
    const payload = buildReport(counts, scope(['a', 'b'], ['racing', 'rpg']), undefined, 24);
    expect(payload.periodHours).toBe(24);
    expect(payload.rows).toEqual([
      { creative: 'a', arm: 'personalized', interest: '', ...zeros },
      { creative: 'a', arm: 'personalized', interest: 'racing', impressions: 1, clicks: 1, conversions: 0 },
      { creative: 'a', arm: 'personalized', interest: 'rpg', impressions: 1, clicks: 0, conversions: 0 },
      { creative: 'b', arm: 'personalized', interest: '', impressions: 1, clicks: 0, conversions: 0 },
      { creative: 'b', arm: 'personalized', interest: 'racing', ...zeros },
      { creative: 'b', arm: 'personalized', interest: 'rpg', ...zeros },
    ]);
  });

  it('counts under an interest the catalog no longer lists, or none recorded, go under \'\'', () => {
    const counts = count([exposure('impression', 'a', T, 'personalized', 'puzzles'), exposure('impression', 'a', T + 1)]);
    const payload = buildReport(counts, scope(['a'], ['racing']), undefined, 0);
    expect(payload.rows).toEqual([
      { creative: 'a', arm: 'personalized', interest: '', impressions: 2, clicks: 0, conversions: 0 },
      { creative: 'a', arm: 'personalized', interest: 'racing', ...zeros },
    ]);
  });

  it('keeps rows of another arm the counts hold (after forget() the visitor may have moved), with all of that creative’s interest rows', () => {
    const payload = buildReport(count([exposure('impression', 'a', T, 'control', 'racing')]), scope(['a', 'b'], ['racing']), undefined, 0);
    expect(payload.rows).toEqual([
      { creative: 'a', arm: 'personalized', interest: '', ...zeros },
      { creative: 'a', arm: 'personalized', interest: 'racing', ...zeros },
      { creative: 'b', arm: 'personalized', interest: '', ...zeros },
      { creative: 'b', arm: 'personalized', interest: 'racing', ...zeros },
      { creative: 'a', arm: 'control', interest: '', ...zeros },
      { creative: 'a', arm: 'control', interest: 'racing', impressions: 1, clicks: 0, conversions: 0 },
    ]);
  });

  it('the rows listed do not depend on what this visitor saw or is interested in', () => {
    const catalog = scope(['a', 'b', 'c'], ['racing', 'rpg']);
    const rowsOf = (counts: InterestCounts[]) =>
      buildReport(counts, catalog, 1, 0, createRandom(1)).rows.map((r) => `${r.arm}/${r.creative}/${r.interest}`);
    const racingFan = count(EXPOSURES.map((e) => ({ ...e, interest: 'racing' })));
    expect(rowsOf(COUNTS)).toEqual(rowsOf(count([])));
    expect(rowsOf(racingFan)).toEqual(rowsOf(count([])));
    expect(rowsOf(count([]))).toHaveLength(9);
  });

  it('the payload carries no visitor id, times, slots or probabilities', () => {
    const exposures = EXPOSURES.map((e) => ({ ...e, slot: `slot-of-${VISITOR}` }));
    const counts = count(exposures, [{ type: 'purchase', item: 'sku-1', time: T + 60_000 }]);
    for (const epsilon of [undefined, 1]) {
      const payload = buildReport(counts, scope(['a', 'b'], ['racing']), epsilon, 24, createRandom(4));
      const json = JSON.stringify(payload);
      expect(json).not.toContain(VISITOR);
      expect(json).not.toContain('slot');
      expect(json).not.toContain('probability');
      expect(json).not.toContain('"time');
      expect(json).not.toContain('sku-1');
      for (const time of [T, T + 1000, T + 2000, T + 3000, T + 60_000]) expect(json).not.toContain(String(time));
      expect(Object.keys(payload).sort()).toEqual(['epsilon', 'format', 'periodHours', 'rows']);
      for (const row of payload.rows) {
        expect(Object.keys(row).sort()).toEqual(['arm', 'clicks', 'conversions', 'creative', 'impressions', 'interest']);
      }
    }
  });

  it('with ε, adds Laplace noise of scale 3/ε to every count: unbiased, mean absolute deviation 3/ε', () => {
    expect(REPORT_SENSITIVITY).toBe(3);
    const random = createRandom(77);
    const counts = count([exposure('impression', 'a', T), ...Array.from({ length: 6 }, (_, i) => exposure('impression', 'a', T + i + 1))]);
    const draws: number[] = [];
    let payload: ReportPayload | undefined;
    for (let i = 0; i < 20_000; i += 1) {
      payload = buildReport(counts, scope(['a']), 1, 0, random);
      draws.push(payload.rows[0]!.impressions);
    }
    expect(payload!.epsilon).toBe(1);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const deviation = draws.reduce((s, x) => s + Math.abs(x - 7), 0) / draws.length;
    expect(Math.abs(mean - 7)).toBeLessThan(0.1);
    expect(Math.abs(deviation - 3) / 3).toBeLessThan(0.05);
    // Noise is real-valued and differs between counts and reports.
    expect(new Set(draws).size).toBeGreaterThan(19_990);
    expect(draws.every(Number.isFinite)).toBe(true);
  });

  it('a smaller ε means more noise (scale 3/ε)', () => {
    const random = createRandom(5);
    const deviation = (epsilon: number) => {
      let sum = 0;
      for (let i = 0; i < 20_000; i += 1) sum += Math.abs(buildReport([], scope(['a'], [], 'control'), epsilon, 0, random).rows[0]!.clicks);
      return sum / 20_000;
    };
    expect(deviation(0.5) / 6).toBeCloseTo(1, 1);
    expect(deviation(3) / 1).toBeCloseTo(1, 1);
  });
});

describe('countForReport: what one impression, click or purchase can change', () => {
  // Exposures and purchases of a day: two creatives under two interests, three purchases.
  const exposures: Exposure[] = [
    exposure('impression', 'a', T, 'personalized', 'racing'),
    exposure('click', 'a', T + 10, 'personalized', 'racing'),
    exposure('impression', 'b', T + 20, 'personalized', 'rpg'),
    exposure('click', 'b', T + 30, 'personalized', 'rpg'),
    exposure('impression', 'a', T + 40, 'personalized', 'rpg'),
  ];
  const purchases = [15, 35, 45].map((offset) => ({ type: 'purchase', item: `sku-${offset}`, time: T + offset }));
  const vector = (counts: InterestCounts[]): Map<string, number> => {
    const cells = new Map<string, number>();
    for (const row of counts) {
      for (const field of ['impressions', 'clicks', 'conversions'] as const) cells.set(`${row.creative}/${row.interest}/${field}`, row[field]);
    }
    return cells;
  };
  const distance = (a: Map<string, number>, b: Map<string, number>): number =>
    [...new Set([...a.keys(), ...b.keys()])].reduce((sum, key) => sum + Math.abs((a.get(key) ?? 0) - (b.get(key) ?? 0)), 0);

  it('counts at most one conversion per report: the first purchase that has a touch', () => {
    const counts = count(exposures, purchases);
    expect(counts.reduce((sum, row) => sum + row.conversions, 0)).toBe(1);
    expect(counts.find((row) => row.creative === 'a' && row.interest === 'racing')!.conversions).toBe(1);
  });

  it('removing any one exposure or purchase changes the counts by at most REPORT_SENSITIVITY in L1', () => {
    // 300 random histories of a few hours: every single removal is tried.
    const random = createRandom(31);
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    let largest = 0;
    for (let run = 0; run < 300; run += 1) {
      const history = Array.from({ length: 3 + Math.floor(random() * 8) }, () =>
        exposure(pick(['impression', 'click', 'impression'] as const), pick(['a', 'b', 'c']), T + Math.floor(random() * 3 * HOUR_MS),
          'personalized', pick(['', 'racing', 'rpg'])));
      const bought = Array.from({ length: Math.floor(random() * 4) }, (_, i) =>
        ({ type: 'purchase', item: `sku-${i}`, time: T + Math.floor(random() * 4 * HOUR_MS) }));
      const full = vector(count(history, bought));
      history.forEach((_, index) => {
        largest = Math.max(largest, distance(full, vector(count(history.filter((__, i) => i !== index), bought))));
      });
      bought.forEach((_, index) => {
        largest = Math.max(largest, distance(full, vector(count(history, bought.filter((__, i) => i !== index)))));
      });
    }
    expect(largest).toBe(REPORT_SENSITIVITY); // reached: a removal can move the one conversion
  });
});

describe('isReportDue', () => {
  it('pagehide (0 hours): always', () => {
    expect(isReportDue(0, T, T, T)).toBe(true);
  });

  it('daily: once 24 hours have passed since the last report, or since the oldest count of a visitor never reported', () => {
    expect(isReportDue(24, T, T + HOUR_MS, T + 23 * HOUR_MS)).toBe(false);
    expect(isReportDue(24, T, T + HOUR_MS, T + 24 * HOUR_MS)).toBe(true);
    expect(isReportDue(24, 0, T, T + 23 * HOUR_MS)).toBe(false);
    expect(isReportDue(24, 0, T, T + 25 * HOUR_MS)).toBe(true);
    expect(isReportDue(6, T, T, T + 6 * HOUR_MS)).toBe(true);
  });
});

describe('sampleLaplace', () => {
  it('inverts the Laplace CDF: 0 at the median, symmetric, scale b', () => {
    expect(sampleLaplace(3, () => 0.5) === 0).toBe(true); // (-0: sign × log 1)
    expect(sampleLaplace(3, () => 0.75)).toBeCloseTo(-3 * Math.log(0.5), 12);
    expect(sampleLaplace(3, () => 0.25)).toBeCloseTo(3 * Math.log(0.5), 12);
    const random = createRandom(8);
    const draws = Array.from({ length: 20_000 }, () => sampleLaplace(2, random));
    const positive = draws.filter((x) => x > 0).length / draws.length;
    expect(Math.abs(positive - 0.5)).toBeLessThan(0.02);
    // Variance 2b² = 8.
    const variance = draws.reduce((s, x) => s + x * x, 0) / draws.length;
    expect(variance).toBeGreaterThan(7.2);
    expect(variance).toBeLessThan(8.8);
  });

  it('stays finite when the random source returns exactly 0', () => {
    const x = sampleLaplace(3, () => 0);
    expect(Number.isFinite(x)).toBe(true);
    expect(x).toBeLessThan(-30); // still far out in the tail
    const payload = buildReport([], scope(['a']), 1, 0, () => 0);
    expect(JSON.parse(JSON.stringify(payload)).rows[0].impressions).toBe(payload.rows[0]!.impressions);
  });
});

describe('hasCounts', () => {
  it('is true only when some count is not zero', () => {
    expect(hasCounts(count([]))).toBe(false);
    expect(hasCounts(COUNTS)).toBe(true);
    expect(hasCounts(count([exposure('dismiss', 'a', T)]))).toBe(false);
  });
});

interface FakeWin {
  fetch: ReturnType<typeof vi.fn>;
  navigator: { sendBeacon?: ReturnType<typeof vi.fn> };
}

function fakeWin(responses: Array<boolean | 'throw'>, beacon?: boolean): FakeWin {
  let call = 0;
  const fetch = vi.fn(async () => {
    const next = responses[Math.min(call, responses.length - 1)];
    call += 1;
    if (next === 'throw') throw new TypeError('Failed to fetch');
    return { ok: next } as Response;
  });
  return { fetch, navigator: beacon === undefined ? {} : { sendBeacon: vi.fn(() => beacon) } };
}

const URL_ = 'https://stats.shop.example/precis';
const PAYLOAD = buildReport(COUNTS, scope(['a', 'b']), undefined, 0);

describe('createReporter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('send() posts the payload as JSON, keepalive, without credentials', async () => {
    const win = fakeWin([true]);
    const reporter = createReporter(win as unknown as Window, URL_);
    await expect(reporter.send(PAYLOAD)).resolves.toBe(true);
    expect(win.fetch).toHaveBeenCalledTimes(1);
    const [url, init] = win.fetch.mock.calls[0]! as [string, RequestInit];
    expect(url).toBe(URL_);
    expect(init).toMatchObject({ method: 'POST', keepalive: true, credentials: 'omit', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(init.body as string)).toEqual(PAYLOAD);
  });

  it('retries a failed send after 1, 2, 4, 8 and 16 s, then gives up', async () => {
    const win = fakeWin([false, 'throw', false, false, false, false, true]);
    const reporter = createReporter(win as unknown as Window, URL_);
    let result: boolean | undefined;
    void reporter.send(PAYLOAD).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(0);
    expect(win.fetch).toHaveBeenCalledTimes(1);
    let elapsed = 0;
    for (const [index, delay] of [1000, 2000, 4000, 8000, 16000].entries()) {
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(win.fetch).toHaveBeenCalledTimes(index + 1); // not a millisecond early
      await vi.advanceTimersByTimeAsync(1);
      elapsed += delay;
      expect(win.fetch).toHaveBeenCalledTimes(index + 2);
    }
    expect(elapsed).toBe(31_000);
    expect(result).toBe(false);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(win.fetch).toHaveBeenCalledTimes(6);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves true as soon as a retry gets through (a network error counts as a failure)', async () => {
    const win = fakeWin(['throw', false, true]);
    const reporter = createReporter(win as unknown as Window, URL_);
    let result: boolean | undefined;
    void reporter.send(PAYLOAD).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(2999);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toBe(true);
    expect(win.fetch).toHaveBeenCalledTimes(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('dispose() stops pending retries, and the waiting send() resolves false', async () => {
    const win = fakeWin([false]);
    const reporter = createReporter(win as unknown as Window, URL_);
    let result: boolean | undefined;
    void reporter.send(PAYLOAD).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(1000);
    expect(win.fetch).toHaveBeenCalledTimes(2);
    reporter.dispose();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(win.fetch).toHaveBeenCalledTimes(2);
    expect(result).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    reporter.dispose(); // twice is harmless
    await expect(reporter.send(PAYLOAD)).resolves.toBe(false);
    expect(win.fetch).toHaveBeenCalledTimes(2);
  });

  it('sendOnExit() hands the payload to sendBeacon as a text/plain Blob (no CORS preflight)', async () => {
    const win = fakeWin([true], true);
    const reporter = createReporter(win as unknown as Window, URL_);
    expect(reporter.sendOnExit(PAYLOAD)).toBe(true);
    expect(win.navigator.sendBeacon).toHaveBeenCalledTimes(1);
    const [url, blob] = win.navigator.sendBeacon!.mock.calls[0]! as [string, Blob];
    expect(url).toBe(URL_);
    expect(blob).toBeInstanceOf(Blob);
    expect(blob.type).toBe('text/plain');
    expect(JSON.parse(await blob.text())).toEqual(PAYLOAD);
    expect(win.fetch).not.toHaveBeenCalled();
  });

  it('sendOnExit() falls back to a keepalive fetch when sendBeacon refuses or is missing', async () => {
    for (const win of [fakeWin([true], false), fakeWin([true])]) {
      const reporter = createReporter(win as unknown as Window, URL_);
      expect(reporter.sendOnExit(PAYLOAD)).toBe(true);
      await vi.advanceTimersByTimeAsync(0);
      expect(win.fetch).toHaveBeenCalledTimes(1);
      const [url, init] = win.fetch.mock.calls[0]! as [string, RequestInit];
      expect(url).toBe(URL_);
      expect(init.keepalive).toBe(true);
      expect(JSON.parse(init.body as string)).toEqual(PAYLOAD);
    }
  });
});
