import type { PrecisEvent } from '../capture/event';
import { insertByTime, keepWithinBounds, type Timed } from './retention';
import type { EventStore, StoreOptions } from './types';

/**
 * An event store in this page's memory: used when IndexedDB is missing, fails to open,
 * or is not allowed. Same bounds as the IndexedDB store; gone when the page goes.
 *
 * @example
 * const store = createMemoryStore({ maxEvents: 1000, retentionMs: 30 * DAY_MS, clock: Date.now });
 */
export function createMemoryStore<T extends Timed = PrecisEvent>(
  options: Pick<StoreOptions, 'maxEvents' | 'retentionMs' | 'clock'>,
  initial: readonly T[] = [],
): EventStore<T> {
  let events: T[] = [];
  for (const event of initial) insertByTime(events, event);
  const trim = (): void => {
    events = keepWithinBounds(events, options.clock(), options);
  };
  trim();
  return {
    kind: 'memory',
    add(event) {
      insertByTime(events, event);
      trim();
    },
    async flush() {
      trim();
    },
    async recent(limit) {
      trim();
      return events.slice(Math.max(0, events.length - limit));
    },
    async close() {},
    async purge() {
      events = [];
    },
    invalidate() {}, // memory is this page's alone
    unsaved: () => [], // memory is never saved: nothing to rescue either
  };
}
