import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/core/clock';
import { creativeStats, purchasedItems, sessionStart, SESSION_GAP_MS } from '../../src/decide/visitor-stats';
import type { Exposure } from '../../src/measure/exposure';

const NOW = Date.UTC(2030, 0, 6, 12);
const MINUTE = 60_000;

function exposure(kind: Exposure['kind'], creative: string, time: number): Exposure {
  return { kind, creative, slot: 'hero', arm: 'personalized', probability: 1, time };
}

describe('sessionStart', () => {
  it('is now when there is no recent activity', () => {
    expect(SESSION_GAP_MS).toBe(30 * MINUTE);
    expect(sessionStart([], NOW)).toBe(NOW);
    expect(sessionStart([NOW - 31 * MINUTE, NOW - 2 * DAY_MS], NOW)).toBe(NOW);
  });

  it('walks back through activity without a pause longer than 30 minutes', () => {
    const times = [NOW - 5 * MINUTE, NOW - 90 * MINUTE, NOW - 30 * MINUTE, NOW - 60 * MINUTE, NOW - 121 * MINUTE];
    // NOW-5 → NOW-30 → NOW-60 → NOW-90 (each 25-30 min apart; exactly 30 still counts), then a 31-minute pause.
    expect(sessionStart(times, NOW)).toBe(NOW - 90 * MINUTE);
    expect(sessionStart([...times, NOW - 100 * MINUTE], NOW)).toBe(NOW - 121 * MINUTE);
  });

  it('ignores activity after now (a clock that went back)', () => {
    expect(sessionStart([NOW + 5 * MINUTE, NOW - 10 * MINUTE], NOW)).toBe(NOW - 10 * MINUTE);
  });
});

describe('creativeStats', () => {
  it('counts impressions and clicks per creative, with the last 24 hours and this session apart', () => {
    const began = NOW - 20 * MINUTE;
    const stats = creativeStats([
      exposure('impression', 'a', NOW - 2 * DAY_MS),
      exposure('impression', 'a', NOW - DAY_MS), // exactly 24 h ago: no longer "today"
      exposure('impression', 'a', NOW - DAY_MS + 1),
      exposure('impression', 'a', began - 1),
      exposure('impression', 'a', began),
      exposure('click', 'a', began + 1),
      exposure('impression', 'b', NOW - MINUTE),
      exposure('dismiss', 'b', NOW),
    ], NOW, began);
    expect(stats.get('a')).toEqual({ impressions: 5, clicks: 1, today: 3, session: 1, dismissed: false });
    expect(stats.get('b')).toEqual({ impressions: 1, clicks: 0, today: 1, session: 1, dismissed: true });
    expect(stats.has('c')).toBe(false);
  });

  it('a click or a dismissal is not an impression: caps count viewable impressions only', () => {
    const stats = creativeStats([exposure('click', 'a', NOW), exposure('dismiss', 'a', NOW)], NOW, NOW - MINUTE);
    expect(stats.get('a')).toEqual({ impressions: 0, clicks: 1, today: 0, session: 0, dismissed: true });
  });
});

describe('purchasedItems', () => {
  it('is the items of purchase events only', () => {
    const bought = purchasedItems([
      { type: 'purchase', item: 'a', time: 1 },
      { type: 'add_to_cart', item: 'b', time: 2 },
      { type: 'purchase', time: 3 },
      { type: 'view', item: 'c', time: 4 },
      { type: 'purchase', item: 'd', time: 5 },
    ]);
    expect([...bought].sort()).toEqual(['a', 'd']);
  });
});
