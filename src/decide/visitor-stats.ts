import type { PrecisEvent } from '../capture/event';
import { DAY_MS, SESSION_GAP_MS } from '../core/clock';
import type { Exposure } from '../measure/exposure';

export { SESSION_GAP_MS };

/** What this device has seen of one creative: what caps, exclusions and the bandit read. */
export interface CreativeStats {
  impressions: number;
  clicks: number;
  /** Viewable impressions in the last 24 hours. */
  today: number;
  /** Viewable impressions in the current session. */
  session: number;
  dismissed: boolean;
}

/**
 * When the current session began: the first activity (event or exposure) after the last
 * pause of more than SESSION_GAP_MS, or `now` when there is no recent activity.
 *
 * @example
 * sessionStart([...events, ...exposures].map((e) => e.time), Date.now());
 */
export function sessionStart(times: readonly number[], now: number): number {
  const sorted = times.filter((time) => time <= now).sort((a, b) => b - a);
  let start = now;
  for (const time of sorted) {
    if (start - time > SESSION_GAP_MS) break;
    start = time;
  }
  return start;
}

/**
 * Counts each creative's impressions, clicks and dismissals on this device, with those
 * of the last 24 hours and of the current session apart.
 *
 * @example
 * creativeStats(exposures, Date.now(), sessionStart(times, Date.now())).get('summer-sale');
 */
export function creativeStats(exposures: readonly Exposure[], now: number, sessionBegan: number): Map<string, CreativeStats> {
  const stats = new Map<string, CreativeStats>();
  for (const exposure of exposures) {
    let entry = stats.get(exposure.creative);
    if (!entry) stats.set(exposure.creative, (entry = { impressions: 0, clicks: 0, today: 0, session: 0, dismissed: false }));
    if (exposure.kind === 'dismiss') entry.dismissed = true;
    if (exposure.kind === 'click') entry.clicks += 1;
    if (exposure.kind !== 'impression') continue;
    entry.impressions += 1;
    if (exposure.time > now - DAY_MS) entry.today += 1;
    if (exposure.time >= sessionBegan) entry.session += 1;
  }
  return stats;
}

/**
 * Items the visitor bought (within retention): creatives for them are not shown again.
 *
 * @example
 * purchasedItems(events).has('sku-42');
 */
export function purchasedItems(events: readonly PrecisEvent[]): Set<string> {
  return new Set(events.flatMap((event) => (event.type === 'purchase' && event.item !== undefined ? [event.item] : [])));
}
