import type { PrecisEvent } from '../capture/event';
import { DAY_MS } from '../core/clock';
import type { Arm } from '../decide/holdout';
import type { Exposure } from './exposure';

/** Counts for one creative or one arm. */
export interface Counts {
  /** Viewable impressions: ≥ 50% of the slot in view for ≥ 1 s. */
  impressions: number;
  clicks: number;
  /** clicks / impressions (0 with no impressions). */
  ctr: number;
  /** Purchases attributed to an earlier click or impression (see `computeMetrics`). */
  conversions: number;
  /** conversions / impressions (0 with no impressions). */
  conversionRate: number;
}

/** What `metrics()` returns: this device's counters, per arm and per creative. */
export interface Metrics {
  arms: Record<Arm, Counts>;
  creatives: Array<Counts & { creative: string; arm: Arm }>;
}

/** How long after a click, or a viewable impression, a purchase still counts as its conversion. */
export interface AttributionWindows {
  clickMs: number;
  viewMs: number;
}

/** 7 days after a click, 1 day after a viewable impression: the usual ad-server defaults. */
export const DEFAULT_WINDOWS: AttributionWindows = { clickMs: 7 * DAY_MS, viewMs: DAY_MS };

/**
 * Counts impressions, clicks and conversions per creative and per arm. Each purchase is
 * a conversion of at most one creative: the last one clicked within `clickMs` before it,
 * else the last one viewed within `viewMs` before it. With `since`, only impressions,
 * clicks and purchases after that time count (a purchase may still be attributed to an
 * earlier click): what happened since the last report.
 *
 * @example
 * computeMetrics(exposures, events).arms.personalized.ctr; // e.g. 0.031
 */
export function computeMetrics(
  exposures: readonly Exposure[],
  events: readonly PrecisEvent[],
  windows: AttributionWindows = DEFAULT_WINDOWS,
  since = -Infinity,
): Metrics {
  const rows = tally(exposures, events, windows, since, Infinity, (exposure) => ({ creative: exposure.creative, arm: exposure.arm }));
  const creatives = rows.map((entry) => withRates(entry));
  const arms = {
    personalized: sum(creatives.filter((entry) => entry.arm === 'personalized')),
    control: sum(creatives.filter((entry) => entry.arm === 'control')),
  };
  return { arms, creatives };
}

/** The counts of one creative, in one arm, among exposures decided under one main interest. */
export interface InterestCounts {
  creative: string;
  arm: Arm;
  /** The visitor's main interest when the creative was decided ('' for none). */
  interest: string;
  impressions: number;
  clicks: number;
  conversions: number;
}

/**
 * What a report counts: impressions, clicks and conversions after `since`, per creative,
 * arm and the interest each exposure was decided under (exposures without one count
 * under ''), attributed as in `computeMetrics` — except that at most one purchase counts
 * as a conversion (the first after `since` that has a click or impression to go to), which
 * keeps what one impression, click or purchase can change in a report to three counts by
 * one each (see REPORT_SENSITIVITY).
 *
 * @example
 * countForReport(exposures, events, DEFAULT_WINDOWS, state.reportedUntil);
 * // [{ creative: 'racing-week', arm: 'personalized', interest: 'racing', impressions: 4, clicks: 1, conversions: 0 }]
 */
export function countForReport(
  exposures: readonly Exposure[],
  events: readonly PrecisEvent[],
  windows: AttributionWindows,
  since: number,
): InterestCounts[] {
  return tally(exposures, events, windows, since, 1, (exposure) => ({
    creative: exposure.creative, arm: exposure.arm, interest: exposure.interest ?? '',
  }));
}

/** Counts per key of `keyOf` (rows in order of first appearance); at most `maxConversions` purchases count. */
function tally<K extends { creative: string; arm: Arm }>(
  exposures: readonly Exposure[],
  events: readonly PrecisEvent[],
  windows: AttributionWindows,
  since: number,
  maxConversions: number,
  keyOf: (exposure: Exposure) => K,
): Array<K & { impressions: number; clicks: number; conversions: number }> {
  const rows = new Map<string, K & { impressions: number; clicks: number; conversions: number }>();
  const row = (exposure: Exposure) => {
    const key = keyOf(exposure);
    const id = Object.values(key).join('\u0000');
    let entry = rows.get(id);
    if (!entry) rows.set(id, (entry = { ...key, impressions: 0, clicks: 0, conversions: 0 }));
    return entry;
  };
  for (const exposure of exposures) {
    if (exposure.time <= since) continue;
    if (exposure.kind === 'impression') row(exposure).impressions += 1;
    if (exposure.kind === 'click') row(exposure).clicks += 1;
  }
  let conversions = 0;
  const purchases = events.filter((event) => event.type === 'purchase' && event.time > since).sort((a, b) => a.time - b.time);
  for (const purchase of purchases) {
    if (conversions >= maxConversions) break;
    const touch = lastBefore(exposures, 'click', purchase.time, windows.clickMs) ??
      lastBefore(exposures, 'impression', purchase.time, windows.viewMs);
    if (!touch) continue;
    row(touch).conversions += 1;
    conversions += 1;
  }
  return [...rows.values()];
}

function lastBefore(exposures: readonly Exposure[], kind: Exposure['kind'], time: number, windowMs: number): Exposure | undefined {
  let found: Exposure | undefined;
  for (const exposure of exposures) {
    if (exposure.kind !== kind || exposure.time > time || exposure.time < time - windowMs) continue;
    if (!found || exposure.time >= found.time) found = exposure;
  }
  return found;
}

function withRates<T extends { impressions: number; clicks: number; conversions: number }>(entry: T): T & Counts {
  const per = (count: number): number => (entry.impressions > 0 ? count / entry.impressions : 0);
  return { ...entry, ctr: per(entry.clicks), conversionRate: per(entry.conversions) };
}

function sum(entries: readonly Counts[]): Counts {
  const total = { impressions: 0, clicks: 0, conversions: 0 };
  for (const entry of entries) {
    total.impressions += entry.impressions;
    total.clicks += entry.clicks;
    total.conversions += entry.conversions;
  }
  return withRates(total);
}
