import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRandom } from '../../src/decide/bandit';
import type { Exposure } from '../../src/measure/exposure';
import { computeMetrics, type Metrics } from '../../src/measure/metrics';
import { buildReport, createReporter, hasCounts, REPORT_SENSITIVITY, sampleLaplace, type ReportPayload } from '../../src/measure/report';

const T = Date.UTC(2030, 0, 6, 12);
const VISITOR = 'c1f0a9d3b7e2446f8d5a0b1c2d3e4f50';

function exposure(kind: Exposure['kind'], creative: string, time: number, arm: Exposure['arm'] = 'personalized'): Exposure {
  return { kind, creative, slot: 'hero', arm, probability: 0.37, time };
}

const EXPOSURES: Exposure[] = [
  exposure('impression', 'a', T),
  exposure('impression', 'a', T + 1000),
  exposure('click', 'a', T + 2000),
  exposure('impression', 'b', T + 3000),
];
const METRICS = computeMetrics(EXPOSURES, [{ type: 'purchase', item: 'sku-1', time: T + 60_000 }]);

describe('buildReport', () => {
  it('without ε: exact counts, one row for every catalog creative in the visitor’s arm, zeros included', () => {
    const payload = buildReport(METRICS, ['a', 'b', 'c', 'd'], 'personalized', undefined);
    expect(payload).toEqual({
      format: 'precis-report@1',
      epsilon: null,
      rows: [
        { creative: 'a', arm: 'personalized', impressions: 2, clicks: 1, conversions: 1 },
        { creative: 'b', arm: 'personalized', impressions: 1, clicks: 0, conversions: 0 },
        { creative: 'c', arm: 'personalized', impressions: 0, clicks: 0, conversions: 0 },
        { creative: 'd', arm: 'personalized', impressions: 0, clicks: 0, conversions: 0 },
      ],
    });
  });

  it('keeps rows of another arm the metrics hold (after forget() the visitor may have moved), without padding that arm', () => {
    const metrics = computeMetrics([exposure('impression', 'a', T, 'control')], []);
    const payload = buildReport(metrics, ['a', 'b'], 'personalized', undefined);
    expect(payload.rows).toEqual([
      { creative: 'a', arm: 'personalized', impressions: 0, clicks: 0, conversions: 0 },
      { creative: 'b', arm: 'personalized', impressions: 0, clicks: 0, conversions: 0 },
      { creative: 'a', arm: 'control', impressions: 1, clicks: 0, conversions: 0 },
    ]);
  });

  it('the rows listed do not depend on what this visitor saw', () => {
    const catalog = ['a', 'b', 'c'];
    const rowsOf = (metrics: Metrics) => buildReport(metrics, catalog, 'personalized', 1, createRandom(1)).rows.map((r) => r.creative);
    expect(rowsOf(METRICS)).toEqual(rowsOf(computeMetrics([], [])));
  });

  it('the payload carries no visitor id, times, slots or probabilities', () => {
    const exposures = EXPOSURES.map((e) => ({ ...e, slot: `slot-of-${VISITOR}` }));
    const metrics = computeMetrics(exposures, [{ type: 'purchase', item: 'sku-1', time: T + 60_000 }]);
    for (const epsilon of [undefined, 1]) {
      const payload = buildReport(metrics, ['a', 'b'], 'personalized', epsilon, createRandom(4));
      const json = JSON.stringify(payload);
      expect(json).not.toContain(VISITOR);
      expect(json).not.toContain('slot');
      expect(json).not.toContain('probability');
      expect(json).not.toContain('time');
      expect(json).not.toContain('sku-1');
      for (const time of [T, T + 1000, T + 2000, T + 3000, T + 60_000]) expect(json).not.toContain(String(time));
      expect(Object.keys(payload).sort()).toEqual(['epsilon', 'format', 'rows']);
      for (const row of payload.rows) expect(Object.keys(row).sort()).toEqual(['arm', 'clicks', 'conversions', 'creative', 'impressions']);
    }
  });

  it('with ε, adds Laplace noise of scale 3/ε to every count: unbiased, mean absolute deviation 3/ε', () => {
    expect(REPORT_SENSITIVITY).toBe(3);
    const random = createRandom(77);
    const metrics = computeMetrics([exposure('impression', 'a', T), ...Array.from({ length: 6 }, (_, i) => exposure('impression', 'a', T + i + 1))], []);
    const draws: number[] = [];
    let payload: ReportPayload | undefined;
    for (let i = 0; i < 20_000; i += 1) {
      payload = buildReport(metrics, ['a'], 'personalized', 1, random);
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
    const zero = computeMetrics([], []);
    const deviation = (epsilon: number) => {
      let sum = 0;
      for (let i = 0; i < 20_000; i += 1) sum += Math.abs(buildReport(zero, ['a'], 'control', epsilon, random).rows[0]!.clicks);
      return sum / 20_000;
    };
    expect(deviation(0.5) / 6).toBeCloseTo(1, 1);
    expect(deviation(3) / 1).toBeCloseTo(1, 1);
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
    const payload = buildReport(computeMetrics([], []), ['a'], 'personalized', 1, () => 0);
    expect(JSON.parse(JSON.stringify(payload)).rows[0].impressions).toBe(payload.rows[0]!.impressions);
  });
});

describe('hasCounts', () => {
  it('is true only when some count is not zero', () => {
    expect(hasCounts(computeMetrics([], []))).toBe(false);
    expect(hasCounts(METRICS)).toBe(true);
    expect(hasCounts(computeMetrics([exposure('dismiss', 'a', T)], []))).toBe(false);
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
const PAYLOAD = buildReport(METRICS, ['a', 'b'], 'personalized', undefined);

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
