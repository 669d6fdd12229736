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
  const rows = new Map<string, { creative: string; arm: Arm; impressions: number; clicks: number; conversions: number }>();
  const row = (exposure: Exposure) => {
    const key = `${exposure.arm}\u0000${exposure.creative}`;
    let entry = rows.get(key);
    if (!entry) rows.set(key, (entry = { creative: exposure.creative, arm: exposure.arm, impressions: 0, clicks: 0, conversions: 0 }));
    return entry;
  };
  for (const exposure of exposures) {
    if (exposure.time <= since) continue;
    if (exposure.kind === 'impression') row(exposure).impressions += 1;
    if (exposure.kind === 'click') row(exposure).clicks += 1;
  }
  for (const purchase of events) {
    if (purchase.type !== 'purchase' || purchase.time <= since) continue;
    const touch = lastBefore(exposures, 'click', purchase.time, windows.clickMs) ??
      lastBefore(exposures, 'impression', purchase.time, windows.viewMs);
    if (touch) row(touch).conversions += 1;
  }
  const creatives = [...rows.values()].map((entry) => withRates(entry));
  const arms = {
    personalized: sum(creatives.filter((entry) => entry.arm === 'personalized')),
    control: sum(creatives.filter((entry) => entry.arm === 'control')),
  };
  return { arms, creatives };
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
