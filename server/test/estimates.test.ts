import { describe, expect, it } from 'vitest';
import { addReport, ALL, type Cell } from '../src/cells.js';
import { estimateAll, estimateArm, estimateUplift, wilsonInterval } from '../src/estimates.js';
import type { Report } from '../src/parse-report.js';
import { poolPriors, shrink } from '../src/pooled-priors.js';
import { loadSiteCatalog } from '../src/site-catalog.js';
import type { Total } from '../src/store.js';
import { TEST_CATALOG } from './databases.js';

/** Sums cells over hours, as the store's readTotals does. */
function totalsOf(cells: Map<string, Cell>): Total[] {
  const totals = new Map<string, Total>();
  for (const { hour: _hour, ...cell } of cells.values()) {
    const key = `${cell.creative}|${cell.arm}|${cell.interest}`;
    const total = totals.get(key);
    if (!total) totals.set(key, { ...cell });
    else for (const k of ['reports', 'impressions', 'clicks', 'conversions', 'impressionsSq', 'clicksSq', 'conversionsSq', 'impressionsClicks', 'impressionsConversions', 'noiseVar'] as const) total[k] += cell[k];
  }
  return [...totals.values()];
}

function reports(count: number, row: (i: number) => Partial<Report['rows'][number]>, epsilon: number | null = null): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  for (let i = 0; i < count; i += 1) {
    addReport(cells, { epsilon, periodHours: 0, rows: [{ creative: 'hero-sale', arm: 'personalized', interest: '', impressions: 10, clicks: 1, conversions: 0, ...row(i) }] }, 400_000 + (i % 48));
  }
  return cells;
}

const find = (totals: Total[], creative: string, interest: string, arm = 'personalized'): Total =>
  totals.find((t) => t.creative === creative && t.interest === interest && t.arm === arm)!;

describe('cells and estimates', () => {
  it('keeps per-row cells plus totals over interests and over creatives, one observation per report', () => {
    const totals = totalsOf(reports(4, () => ({})));
    expect(find(totals, 'hero-sale', '')).toMatchObject({ reports: 4, impressions: 40, clicks: 4, impressionsSq: 400 });
    expect(find(totals, 'hero-sale', ALL)).toMatchObject({ reports: 4, impressions: 40 });
    expect(find(totals, ALL, ALL)).toMatchObject({ reports: 4, impressions: 40 });
  });

  it('widens the intervals by the Laplace noise: 2·(3/ε)² per noisy count and report', () => {
    const exact = estimateArm(find(totalsOf(reports(400, () => ({}))), 'hero-sale', ''));
    const noisy = estimateArm(find(totalsOf(reports(400, () => ({}), 1)), 'hero-sale', ''));
    expect(exact.clicks.high - exact.clicks.low).toBe(0);
    // 400 reports of variance 18 each: sd 84.85, half-width 1.96·84.85.
    expect((noisy.clicks.high - noisy.clicks.low) / 2).toBeCloseTo(1.959964 * Math.sqrt(400 * 18), 6);
    // The CTR's: binomial plus the noise in clicks and (times CTR²) in impressions, over impressions².
    const p = 402 / 4004; // Agresti–Coull: (clicks + 2) / (impressions + 4)
    expect((noisy.ctr!.high - noisy.ctr!.low) / 2).toBeCloseTo(1.959964 * Math.sqrt((4000 * p * (1 - p) + 7200 * 1.01) / 4000 ** 2), 6);
    expect(exact.ctr!.value).toBeCloseTo(0.1, 10);
    // Binomial sampling: sqrt(p(1 − p)/4000) ≈ 0.00475.
    expect((exact.ctr!.high - exact.ctr!.low) / 2).toBeCloseTo(1.959964 * Math.sqrt((p * (1 - p)) / 4000), 6);
    const none = estimateArm(find(totalsOf(reports(10, () => ({ clicks: 0 }))), 'hero-sale', ''));
    expect(none.ctr!.value).toBe(0);
    expect(none.ctr!.high).toBeGreaterThan(0.01);
  });

  it('sees visitors who differ: the between-report variance wins over the binomial one', () => {
    const mixed = estimateArm(find(totalsOf(reports(400, (i) => ({ clicks: i % 2 ? 0 : 2 }))), 'hero-sale', ''));
    const even = estimateArm(find(totalsOf(reports(400, () => ({}))), 'hero-sale', ''));
    expect(mixed.ctr!.value).toBeCloseTo(even.ctr!.value, 10);
    expect(mixed.ctr!.high - mixed.ctr!.low).toBeGreaterThan(even.ctr!.high - even.ctr!.low);
  });

  it('gives the uplift of personalisation with an interval that excludes 0 only when the data say so', () => {
    const p = find(totalsOf(reports(2000, () => ({ clicks: 2 }))), 'hero-sale', '');
    const c = { ...find(totalsOf(reports(2000, () => ({ clicks: 1 }))), 'hero-sale', ''), arm: 'control' as const };
    const big = estimateUplift(p, c, 'clicks')!;
    expect(big.absolute.value).toBeCloseTo(0.1, 10);
    expect(big.relative!.value).toBeCloseTo(1, 10);
    expect(big.relative!.low).toBeGreaterThan(0);
    const same = estimateUplift(c, c, 'clicks')!;
    expect(same.absolute.low).toBeLessThan(0);
    expect(same.absolute.high).toBeGreaterThan(0);
  });

  it('gives the difference Newcombe’s hybrid score interval, at least ±1.96·sd (his 1998 example: 56/70 against 48/80)', () => {
    // One report per impression: the effective impressions are the impressions (80 → 79.3: the between-report variance wins there).
    const arm = (arm: 'personalized' | 'control', n: number, clicks: number): Total => ({
      creative: 'hero-sale', arm, interest: ALL, reports: n, impressions: n, clicks, conversions: 0, impressionsSq: n, clicksSq: clicks,
      conversionsSq: 0, impressionsClicks: clicks, impressionsConversions: 0, noiseVar: 0,
    });
    const uplift = estimateUplift(arm('personalized', 70, 56), arm('control', 80, 48), 'clicks')!;
    expect(uplift.absolute.value).toBeCloseTo(0.2, 10);
    // Newcombe's is (0.0524, 0.3339); each side is widened where ±1.96·sd is wider than Wilson's (0.8 + 0.094 > 0.879).
    expect(uplift.absolute.low).toBeLessThan(0.0524);
    expect(uplift.absolute.low).toBeGreaterThan(0.04);
    expect(uplift.absolute.high).toBeGreaterThan(0.3339 - 0.005);
    expect(uplift.absolute.high).toBeLessThan(0.35);
    // Wilson's interval leans away from 0: with no click in 100 it still reaches 3.7%.
    expect(wilsonInterval(0, 100).low).toBeCloseTo(0, 10);
    expect(wilsonInterval(0, 100).high).toBeCloseTo(0.037, 3);
  });

  it('hides arms below the minimum count', () => {
    const totals = totalsOf(reports(5, () => ({})));
    const shown = estimateAll(totals, [], 5, 50);
    const hidden = estimateAll(totals, [], 5, 51);
    expect(shown.creatives[0]!.arms.personalized).toBeDefined();
    expect(hidden.creatives[0]).toMatchObject({ arms: {}, hiddenArms: 1, uplift: null });
  });
});

describe('pooled priors', () => {
  const catalog = loadSiteCatalog(TEST_CATALOG);

  it('is the site prior with no reports, and moves toward the pooled CTR as impressions grow', () => {
    expect(poolPriors(catalog, []).size).toBe(0);
    const few = poolPriors(catalog, totalsOf(reports(10, () => ({}))), 1000).get('hero-sale')!;
    const many = poolPriors(catalog, totalsOf(reports(1000, () => ({}))), 1000).get('hero-sale')!;
    // 100 impressions at 10% against the site's 2% worth 100: halfway.
    expect(few.priorCtr).toBeCloseTo(0.06, 6);
    expect(few.priorStrength).toBeCloseTo(200, 6);
    expect(many.priorCtr).toBeGreaterThan(0.099);
    expect(many.priorStrength).toBe(1000);
  });

  it('counts noisy impressions as fewer, and shrinks each interest toward the creative’s pooled prior', () => {
    const sums = { reports: 100, impressions: 1000, clicks: 100, impressionsSq: 10_000, clicksSq: 100, impressionsClicks: 1000 };
    const exact = shrink(0.02, { ...sums, noiseVar: 0 }, 1e9)!;
    const noisy = shrink(0.02, { ...sums, noiseVar: 100 * 18 }, 1e9)!;
    expect(exact.priorStrength).toBeCloseTo(1100, 6);
    expect(noisy.priorStrength).toBeLessThan(exact.priorStrength / 2);
    const cells = new Map<string, Cell>();
    for (let i = 0; i < 50; i += 1) {
      addReport(cells, { epsilon: null, periodHours: 0, rows: [
        { creative: 'racing-week', arm: 'personalized', interest: 'racing', impressions: 10, clicks: 3, conversions: 0 },
        { creative: 'racing-week', arm: 'personalized', interest: 'rpg', impressions: 10, clicks: 0, conversions: 0 },
      ] }, 400_000);
    }
    const prior = poolPriors(catalog, totalsOf(cells), 1000).get('racing-week')!;
    expect(prior.priorsByInterest.racing!.priorCtr).toBeGreaterThan(prior.priorCtr);
    expect(prior.priorsByInterest.rpg!.priorCtr).toBeLessThan(prior.priorCtr);
    expect(prior.priorsByInterest['']).toBeUndefined();
    // Visitors without a listed interest report under '': they get a prior of their own.
    addReport(cells, { epsilon: null, periodHours: 0, rows: [
      { creative: 'racing-week', arm: 'personalized', interest: '', impressions: 500, clicks: 0, conversions: 0 },
    ] }, 400_000);
    const withNone = poolPriors(catalog, totalsOf(cells), 1000).get('racing-week')!;
    expect(withNone.priorsByInterest['']!.priorCtr).toBeLessThan(withNone.priorCtr);
  });
});
