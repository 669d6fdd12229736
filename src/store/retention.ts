/** Anything kept in a log ordered by time: events, exposures. */
export interface Timed {
  time: number;
}

/**
 * Applies the retention TTL and the size bound to events sorted oldest first: drops
 * those older than `now - retentionMs`, then the oldest beyond `maxEvents`.
 *
 * @example
 * keepWithinBounds(events, Date.now(), { maxEvents: 1000, retentionMs: 30 * DAY_MS });
 */
export function keepWithinBounds<T extends Timed>(
  events: readonly T[],
  now: number,
  bounds: { maxEvents: number; retentionMs: number },
): T[] {
  const cutoff = now - bounds.retentionMs;
  const fresh = events.filter((event) => event.time >= cutoff);
  return fresh.slice(Math.max(0, fresh.length - bounds.maxEvents));
}

/**
 * Inserts an event keeping the array sorted by time (stable: equal times keep arrival order).
 *
 * @example
 * insertByTime(events, { type: 'view', item: 'a', time: 5 });
 */
export function insertByTime<T extends Timed>(events: T[], event: T): void {
  let index = events.length;
  while (index > 0 && events[index - 1]!.time > event.time) index -= 1;
  events.splice(index, 0, event);
}
