import type { PrecisEvent } from '../capture/event';
import type { Consent } from '../consent/consent';
import { toPrecisError } from '../core/errors';
import { createMemoryStore } from './memory-store';
import { deleteEventDatabase } from './delete-database';
import { openEventStore } from './open-store';
import type { Exposure } from '../measure/exposure';
import { readLocalState, removeLocalState, writeLocalState } from './local-state';
import type { EventStore, StoreKind, StoreOptions } from './types';

/** Most exposures kept; the oldest are evicted beyond it. */
export const MAX_EXPOSURES = 5000;

/** The visitor's store as the client uses it: consent decides where events live. */
export interface VisitorStore {
  kind(): StoreKind;
  add(event: PrecisEvent): void;
  flush(): Promise<void>;
  recent(limit: number): Promise<PrecisEvent[]>;
  /** Records a viewable impression, a click or a dismissal. */
  addExposure(exposure: Exposure): void;
  /** The most recent `limit` exposures within retention, oldest first. */
  exposures(limit: number): Promise<Exposure[]>;
  /** The state kept in localStorage (cached decisions, visitor id), or undefined without `store`. */
  readState(): unknown;
  /** Saves that state; does nothing without `store`. */
  writeState(value: unknown): void;
  /**
   * The page is going away: what is not yet committed to IndexedDB is kept in
   * localStorage (synchronous, so it cannot be cut short), to be recovered by the next page.
   */
  stash(): void;
  /** What the last page stashed (to validate and add again), removed from localStorage. */
  takeStash(): { events: unknown[]; exposures: unknown[] };
  /** Deletes everything stored about the visitor, here and in every open tab. */
  forget(): Promise<void>;
  close(): Promise<void>;
}

/** What the tabs tell each other: everything was forgotten, or new events were written. */
interface StoreMessage {
  type: 'forget' | 'written';
}

/**
 * Opens the visitor's store behind consent: IndexedDB only while `store` is allowed,
 * otherwise this page's memory (also while a CMP has not answered). A refusal or a
 * withdrawal purges what was stored and buffered at once; a grant moves this page's
 * events to IndexedDB. `forget()` deletes the database (other
 * tabs close their connections when asked, so none blocks it), then tells the other tabs
 * over a BroadcastChannel, so each drops what it still holds and starts afresh.
 *
 * @example
 * const store = await openVisitorStore(storeOptions, consent, () => refreshSlots());
 * await store.forget();
 */
export async function openVisitorStore(
  options: StoreOptions,
  consent: Consent,
  onForgottenElsewhere: () => void = () => {},
): Promise<VisitorStore> {
  const exposureOptions: StoreOptions = {
    ...options,
    maxEvents: MAX_EXPOSURES,
    // Both logs live in one database: when it cannot open, the events log says so once.
    onError: (error) => void (error.code !== 'store-unavailable' && options.onError(error)),
  };
  const stashKey = `${options.dbName}:unsaved`;
  let inner: EventStore = createMemoryStore(options);
  let exposures: EventStore<Exposure> = createMemoryStore<Exposure>(exposureOptions);
  let closed = false;
  // Switches happen one at a time, in order.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (step: () => Promise<void>): Promise<void> => {
    queue = queue.then(step).catch((cause: unknown) => options.onError(toPrecisError(cause, 'store-write')));
    return queue;
  };

  async function moveTo(next: EventStore, nextExposures: EventStore<Exposure>): Promise<void> {
    const events = await inner.recent(options.maxEvents);
    const seen = await exposures.recent(MAX_EXPOSURES);
    await Promise.all([inner.close(), exposures.close()]);
    for (const event of events) next.add(event);
    for (const exposure of seen) nextExposures.add(exposure);
    inner = next;
    exposures = nextExposures;
    await Promise.all([inner.flush(), exposures.flush()]);
  }

  const useStorage = (): Promise<void> =>
    enqueue(async () => {
      if (closed || inner.kind === 'indexeddb' || !consent.allows('store')) return;
      const [events, seen] = await Promise.all([openEventStore(options), openEventStore(exposureOptions, 'exposures')]);
      await moveTo(events, seen);
    });

  const dropEverything = (): Promise<void> =>
    enqueue(async () => {
      await Promise.all([inner.purge(), exposures.purge()]);
      inner = createMemoryStore(options);
      exposures = createMemoryStore<Exposure>(exposureOptions);
      removeLocalState(options.dbName);
      removeLocalState(stashKey);
      await deleteEventDatabase(options.dbName); // also when this page never opened it
    });

  const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(`precis:${options.dbName}`);
  const tell = (message: StoreMessage): void => {
    if (!closed) channel?.postMessage(message);
  };
  channel?.addEventListener('message', (event: MessageEvent<StoreMessage>) => {
    if (event.data?.type === 'written') {
      inner.invalidate();
      exposures.invalidate();
    }
    if (event.data?.type !== 'forget') return;
    // Another tab deleted the database: forget at once (also what this tab may have put in
    // localStorage while the delete ran), let go, and start afresh.
    const old = [inner, exposures];
    inner = createMemoryStore(options);
    exposures = createMemoryStore<Exposure>(exposureOptions);
    removeLocalState(options.dbName);
    removeLocalState(stashKey);
    onForgottenElsewhere();
    void enqueue(async () => void (await Promise.all(old.map((log) => log.purge())))).then(useStorage);
  });

  // A refusal purges at once; while a CMP has not answered, events wait in memory for its answer.
  const offConsent = consent.on('change', () => {
    if (consent.allows('store')) void useStorage();
    else if (consent.refused('store')) void dropEverything();
  });
  await consent.settled;
  // Consent refused since an earlier visit: what that visit stored goes now.
  if (consent.refused('store')) await dropEverything();
  await useStorage();

  return {
    kind: () => inner.kind,
    add: (event) => inner.add(event),
    async flush() {
      const writers = [inner, exposures];
      await Promise.all(writers.map((writer) => writer.flush()));
      if (writers[0]!.kind === 'indexeddb') tell({ type: 'written' });
    },
    recent: (limit) => inner.recent(limit),
    addExposure: (exposure) => exposures.add(exposure),
    exposures: (limit) => exposures.recent(limit),
    readState: () => (consent.allows('store') ? readLocalState(options.dbName) : undefined),
    stash() {
      if (closed || !consent.allows('store') || inner.kind !== 'indexeddb') return;
      const unsaved = { events: inner.unsaved(), exposures: exposures.unsaved() };
      if (unsaved.events.length + unsaved.exposures.length > 0) writeLocalState(stashKey, unsaved);
    },
    takeStash() {
      // Without `store` (a CMP may not have answered yet) the last page's stash stays where it is.
      if (!consent.allows('store')) return { events: [], exposures: [] };
      const raw = readLocalState(stashKey);
      removeLocalState(stashKey);
      const { events, exposures: seen } = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      return { events: Array.isArray(events) ? events : [], exposures: Array.isArray(seen) ? seen : [] };
    },
    writeState(value) {
      if (!closed && consent.allows('store')) writeLocalState(options.dbName, value);
    },
    async forget() {
      // Delete first (other tabs let go as the delete asks them to), then tell them, so
      // none can reopen the old database before it is gone.
      await dropEverything();
      tell({ type: 'forget' });
      await useStorage();
    },
    async close() {
      closed = true;
      offConsent();
      channel?.close();
      await enqueue(async () => void (await Promise.all([inner.close(), exposures.close()])));
    },
  };
}
