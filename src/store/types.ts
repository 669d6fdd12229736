import type { Clock } from '../core/clock';
import type { PrecisError } from '../core/errors';
import type { PrecisEvent } from '../capture/event';
import type { Timed } from './retention';

/** Where events live: IndexedDB, or this page's memory when IndexedDB cannot be used. */
export type StoreKind = 'indexeddb' | 'memory';

/**
 * A log of records ordered by time: the visitor's events, or their exposures to creatives. Writes are buffered and committed in batches; reads see
 * buffered events too.
 *
 * @example
 * store.add({ type: 'view', item: '7', time: Date.now() });
 * const last50 = await store.recent(50); // oldest first
 */
export interface EventStore<T extends Timed = PrecisEvent> {
  readonly kind: StoreKind;
  /** Buffers an event; it is committed by the next flush. */
  add(event: T): void;
  /** Commits buffered events in one transaction, then applies retention and the size bound. */
  flush(): Promise<void>;
  /** The most recent `limit` events that are within retention, oldest first. */
  recent(limit: number): Promise<T[]>;
  /** Flushes what it can and releases the connection. Safe to call twice. */
  close(): Promise<void>;
  /** Drops every event it holds in memory and lets go of its database (deleting it is the caller's). */
  purge(): Promise<void>;
  /** Another tab wrote: read the store again on the next `recent()`. */
  invalidate(): void;
  /** Records added but not yet known to be committed (buffered or in flight). */
  unsaved(): T[];
}

export interface StoreOptions {
  /** Most events kept; the oldest are evicted beyond it. Default 1,000. */
  maxEvents: number;
  /** Events older than this are deleted. Default 30 days. */
  retentionMs: number;
  /** How long to wait for IndexedDB to open before using memory. Default 2,000 ms. */
  openTimeoutMs: number;
  /** IndexedDB database name. Default `precis`. */
  dbName: string;
  clock: Clock;
  onError: (error: PrecisError) => void;
}
