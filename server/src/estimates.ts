import { ALL } from './cells.js';
import type { DailyCounts, Total } from './store.js';

/** 1.96: the normal quantile of a two-sided 95% interval. */
const Z95 = 1.959964;

/** An estimate with its 95% interval. */
export interface Interval {
  value: number;
  low: number;
  high: number;
}

/** What the dashboard shows of one creative (or of all, creative "*") in one arm. */
export interface ArmEstimate {
  reports: number;
  impressions: Interval;
  clicks: Interval;
  conversions: Interval;
  ctr: Interval | null;
  conversionRate: Interval | null;
}

/** The uplift of the personalised arm over the control arm. */
export interface Uplift {
  /** Difference of the rates (personalised − control). */
  absolute: Interval;
  /** Ratio of the rates minus one, when both rates' intervals are above 0 (interval from the log ratio). */
  relative: Interval | null;
}

/**
 * A count's interval: the sum of the reported counts, ± the Laplace noise in it (the
 * counts of the reporting visitors are what they are; only the noise is uncertain).
 *
 * @example
 * countInterval(1200, 2 * 9 * 40); // 40 reports at ε = 1
 */
export function countInterval(sum: number, noiseVar: number): Interval {
  const half = Z95 * Math.sqrt(noiseVar);
  return { value: sum, low: sum - half, high: sum + half };
}

/**
 * The variance of a ratio of sums Y/X (CTR = clicks/impressions) pooled over reports: the
 * larger of the between-report (cluster-robust) variance, which sees the noise and any
 * difference between visitors, and the model variance, binomial sampling plus the Laplace
 * noise in both sums (`noiseVar` per sum), which keeps small samples honest. `binomialRate`
 * (default: the ratio itself) is the rate the binomial term uses.
 *
 * @example
 * ratioVariance({ n: 40, x: 1200, y: 30, xx: 40000, yy: 50, xy: 1000, noiseVar: 0 });
 */
export function ratioVariance(
  s: { n: number; x: number; y: number; xx: number; yy: number; xy: number; noiseVar: number },
  binomialRate = s.y / s.x,
): number {
  const rate = s.y / s.x;
  const p = Math.min(Math.max(binomialRate, 0), 1);
  const model = (s.x * p * (1 - p) + s.noiseVar * (1 + rate * rate)) / (s.x * s.x);
  const robust = s.n > 1 ? ((s.n / (s.n - 1)) * Math.max(s.yy - 2 * rate * s.xy + rate * rate * s.xx, 0)) / (s.x * s.x) : 0;
  return Math.max(model, robust);
}

/** A rate's interval, the variance behind it, and its Wilson score interval (for the uplift). */
interface RateEstimate {
  interval: Interval;
  variance: number;
  /** The rate within [0, 1] and its interval for the uplift: Wilson's over the effective impressions, widened to ±1.96·sd where that is wider. */
  score: { rate: number; low: number; high: number };
}

function rateInterval(total: Total, of: 'clicks' | 'conversions'): RateEstimate | null {
  if (!(total.impressions > 0)) return null;
  const stats = of === 'clicks'
    ? { y: total.clicks, yy: total.clicksSq, xy: total.impressionsClicks }
    : { y: total.conversions, yy: total.conversionsSq, xy: total.impressionsConversions };
  // Agresti–Coull's rate for the binomial term: no zero-width interval at 0 clicks.
  const binomialRate = (stats.y + 2) / (total.impressions + 4);
  const variance = ratioVariance({ n: total.reports, x: total.impressions, xx: total.impressionsSq, noiseVar: total.noiseVar, ...stats }, binomialRate);
  const value = stats.y / total.impressions;
  const half = Z95 * Math.sqrt(variance);
  // As many impressions as a binomial sample with this variance: fewer with noise, or with visitors who differ.
  const effective = variance > 0 ? (binomialRate * (1 - binomialRate)) / variance : total.impressions;
  const rate = Math.min(Math.max(value, 0), 1);
  const wilson = wilsonInterval(rate, effective);
  // The wider of Wilson's and ±1.96·sd on each side: Wilson's leans away from 0 at few clicks,
  // but says nothing of a noisy rate outside [0, 1], which only the sd covers.
  const score = { rate, low: Math.min(wilson.low, rate - half), high: Math.max(wilson.high, rate + half) };
  return { interval: { value, low: value - half, high: value + half }, variance, score };
}

/**
 * The 95% Wilson score interval of a rate observed over `n` trials: unlike rate ± 1.96·sd,
 * it leans away from 0 and 1, where a few clicks' rate is most often too low.
 *
 * @example
 * wilsonInterval(0.02, 1000); // { low: 0.0130, high: 0.0306 }
 */
export function wilsonInterval(rate: number, n: number): { low: number; high: number } {
  const z2 = Z95 * Z95;
  const centre = (rate + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 / (1 + z2 / n)) * Math.sqrt((rate * (1 - rate)) / n + z2 / (4 * n * n));
  return { low: centre - half, high: centre + half };
}

/**
 * The estimates of one creative and arm from its totals over hours and interests.
 *
 * @example
 * estimateArm(total).ctr; // { value: 0.031, low: 0.024, high: 0.038 }
 */
export function estimateArm(total: Total): ArmEstimate {
  return {
    reports: total.reports,
    impressions: countInterval(total.impressions, total.noiseVar),
    clicks: countInterval(total.clicks, total.noiseVar),
    conversions: countInterval(total.conversions, total.noiseVar),
    ctr: rateInterval(total, 'clicks')?.interval ?? null,
    conversionRate: rateInterval(total, 'conversions')?.interval ?? null,
  };
}

/**
 * The uplift of personalisation over the holdout in CTR or conversion rate. The arms are
 * different visitors, so their uncertainties add: the difference's interval is Newcombe's
 * (hybrid score) from each arm's Wilson interval over its effective impressions (which the
 * Laplace noise and differing visitors make fewer), each side at least ±1.96·sd; the
 * ratio's, from the log ratio.
 *
 * @example
 * estimateUplift(personalizedTotal, controlTotal, 'clicks')?.relative; // { value: 0.18, low: 0.05, high: 0.33 }
 */
export function estimateUplift(personalized: Total, control: Total, of: 'clicks' | 'conversions'): Uplift | null {
  const p = rateInterval(personalized, of);
  const c = rateInterval(control, of);
  if (!p || !c) return null;
  const difference = p.interval.value - c.interval.value;
  const absolute = {
    value: difference,
    low: difference - Math.hypot(p.score.rate - p.score.low, c.score.high - c.score.rate),
    high: difference + Math.hypot(p.score.high - p.score.rate, c.score.rate - c.score.low),
  };
  // A ratio of rates that may be 0 has no useful interval: then only the difference is given.
  if (!(p.interval.low > 0 && c.interval.low > 0)) return { absolute, relative: null };
  const logRatio = Math.log(p.interval.value / c.interval.value);
  const logHalf = Z95 * Math.sqrt(p.variance / p.interval.value ** 2 + c.variance / c.interval.value ** 2);
  return {
    absolute,
    relative: { value: Math.exp(logRatio) - 1, low: Math.exp(logRatio - logHalf) - 1, high: Math.exp(logRatio + logHalf) - 1 },
  };
}

/** One creative's row on the dashboard; `arms` omits an arm below the minimum count. */
export interface CreativeEstimate {
  creative: string;
  arms: { personalized?: ArmEstimate; control?: ArmEstimate };
  /** How many of its arms are hidden for having fewer impressions than the minimum. */
  hiddenArms: number;
  uplift: { ctr: Uplift | null; conversionRate: Uplift | null } | null;
}

/** Everything the dashboard shows. */
export interface Estimates {
  reports: number;
  minImpressions: number;
  overall: CreativeEstimate;
  creatives: CreativeEstimate[];
  /** Per creative: days (since the epoch) and each arm's daily CTR (null: no impressions that day). */
  daily: Array<{ creative: string; days: number[]; personalized: Array<number | null>; control: Array<number | null> }>;
}

/**
 * Builds the dashboard's estimates from the store's totals: per creative and arm (over
 * interests), overall, and the uplift of each; arms with fewer than `minImpressions`
 * impressions are hidden.
 *
 * @example
 * estimateAll(await store.readTotals(), await store.readDaily(), 500, 100);
 */
export function estimateAll(totals: Total[], daily: DailyCounts[], reports: number, minImpressions: number): Estimates {
  const byCreative = new Map<string, { personalized?: Total; control?: Total }>();
  for (const total of totals) {
    if (total.interest !== ALL) continue;
    const entry = byCreative.get(total.creative) ?? {};
    entry[total.arm] = total;
    byCreative.set(total.creative, entry);
  }
  const describe = (creative: string): CreativeEstimate => {
    const entry = byCreative.get(creative) ?? {};
    const shown = (total?: Total): total is Total => total !== undefined && total.impressions >= minImpressions;
    const arms: CreativeEstimate['arms'] = {};
    if (shown(entry.personalized)) arms.personalized = estimateArm(entry.personalized);
    if (shown(entry.control)) arms.control = estimateArm(entry.control);
    const hiddenArms = [entry.personalized, entry.control].filter((t) => t !== undefined && !shown(t)).length;
    const uplift = shown(entry.personalized) && shown(entry.control)
      ? { ctr: estimateUplift(entry.personalized, entry.control, 'clicks'), conversionRate: estimateUplift(entry.personalized, entry.control, 'conversions') }
      : null;
    return { creative, arms, hiddenArms, uplift };
  };
  const creatives = [...byCreative.keys()].filter((c) => c !== ALL).sort().map(describe);
  const visible = new Set(creatives.filter((c) => c.arms.personalized || c.arms.control).map((c) => c.creative));
  return { reports, minImpressions, overall: describe(ALL), creatives, daily: dailySeries(daily.filter((d) => visible.has(d.creative))) };
}

function dailySeries(daily: DailyCounts[]): Estimates['daily'] {
  const days = [...new Set(daily.map((d) => d.day))].sort((a, b) => a - b);
  const byCreative = new Map<string, Map<string, DailyCounts>>();
  for (const row of daily) {
    const rows = byCreative.get(row.creative) ?? new Map();
    rows.set(`${row.arm}:${row.day}`, row);
    byCreative.set(row.creative, rows);
  }
  const ctr = (row?: DailyCounts): number | null => (row && row.impressions > 0 ? Math.max(row.clicks, 0) / row.impressions : null);
  return [...byCreative.keys()].sort().map((creative) => {
    const rows = byCreative.get(creative)!;
    return {
      creative, days,
      personalized: days.map((day) => ctr(rows.get(`personalized:${day}`))),
      control: days.map((day) => ctr(rows.get(`control:${day}`))),
    };
  });
}
