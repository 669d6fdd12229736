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
  const logs = createLogs(options);
  const { stashKey, dropEverything } = logs;
  let closed = false;

  const useStorage = (): Promise<void> =>
    logs.enqueue(async () => {
      if (!closed && logs.events().kind !== 'indexeddb' && consent.allows('store')) await logs.openStorage();
    });

  const tabs = openTabChannel(options.dbName, (message) => {
    if (message.type === 'written') for (const log of [logs.events(), logs.exposures()]) log.invalidate();
    if (message.type === 'forget') forgottenElsewhere();
  });
  /** Another tab deleted the database: forget at once (also what this tab may have put in localStorage while the delete ran), let go, and start afresh. */
  const forgottenElsewhere = (): void => {
    const old = logs.useMemory();
    onForgottenElsewhere();
    void logs.enqueue(async () => void (await Promise.all(old.map((log) => log.purge())))).then(useStorage);
  };
  const tell = (message: StoreMessage): void => {
    if (!closed) tabs.tell(message);
  };

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
    kind: () => logs.events().kind,
    add: (event) => logs.events().add(event),
    async flush() {
      const writers = [logs.events(), logs.exposures()];
      await Promise.all(writers.map((writer) => writer.flush()));
      if (writers[0]!.kind === 'indexeddb') tell({ type: 'written' });
    },
    recent: (limit) => logs.events().recent(limit),
    addExposure: (exposure) => logs.exposures().add(exposure),
    exposures: (limit) => logs.exposures().recent(limit),
    readState: () => (consent.allows('store') ? readLocalState(options.dbName) : undefined),
    stash() {
      if (closed || !consent.allows('store') || logs.events().kind !== 'indexeddb') return;
      const unsaved = { events: logs.events().unsaved(), exposures: logs.exposures().unsaved() };
      if (unsaved.events.length + unsaved.exposures.length > 0) writeLocalState(stashKey, unsaved);
    },
    // Without `store` (a CMP may not have answered yet) the last page's stash stays where it is.
    takeStash: () => (consent.allows('store') ? takeStash(stashKey) : { events: [], exposures: [] }),
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
      tabs.close();
      await logs.enqueue(async () => void (await Promise.all([logs.events().close(), logs.exposures().close()])));
    },
  };
}

/**
 * The two logs (events and exposures) and where they live: this page's memory, or
 * IndexedDB, with what localStorage holds for them. Switches happen one step at a time,
 * in order (`enqueue`).
 */
function createLogs(options: StoreOptions) {
  const exposureOptions: StoreOptions = {
    ...options,
    maxEvents: MAX_EXPOSURES,
    // Both logs live in one database: when it cannot open, the events log says so once.
    onError: (error) => void (error.code !== 'store-unavailable' && options.onError(error)),
  };
  let events: EventStore = createMemoryStore(options);
  let exposures: EventStore<Exposure> = createMemoryStore<Exposure>(exposureOptions);
  let queue: Promise<void> = Promise.resolve();
  const stashKey = `${options.dbName}:unsaved`;
  const enqueue = (step: () => Promise<void>): Promise<void> =>
    (queue = queue.then(step).catch((cause: unknown) => options.onError(toPrecisError(cause, 'store-write'))));
  /** Starts both logs afresh in memory and forgets what localStorage holds; returns the logs let go of (to purge). */
  const useMemory = (): Array<{ purge(): Promise<void> }> => {
    removeLocalState(options.dbName);
    removeLocalState(stashKey);
    const old = [events, exposures];
    events = createMemoryStore(options);
    exposures = createMemoryStore<Exposure>(exposureOptions);
    return old;
  };
  return {
    events: () => events,
    exposures: () => exposures,
    stashKey,
    /** Runs the steps that move the logs one at a time, in order; a failed one is reported. */
    enqueue,
    /** Moves both logs to IndexedDB, with what memory held. */
    async openStorage(): Promise<void> {
      const [nextEvents, nextExposures] = await Promise.all([openEventStore(options), openEventStore(exposureOptions, 'exposures')]);
      const held = await events.recent(options.maxEvents);
      const seen = await exposures.recent(MAX_EXPOSURES);
      await Promise.all([events.close(), exposures.close()]);
      for (const event of held) nextEvents.add(event);
      for (const exposure of seen) nextExposures.add(exposure);
      events = nextEvents;
      exposures = nextExposures;
      await Promise.all([events.flush(), exposures.flush()]);
    },
    useMemory,
    /** Purges both logs and deletes the database (also when this page never opened it). */
    dropEverything: (): Promise<void> => enqueue(async () => {
      await Promise.all(useMemory().map((log) => log.purge()));
      await deleteEventDatabase(options.dbName);
    }),
  };
}

/** What the last page stashed, removed from localStorage: lists only (their entries are validated by the caller). */
function takeStash(key: string): { events: unknown[]; exposures: unknown[] } {
  const raw = readLocalState(key);
  removeLocalState(key);
  const { events, exposures } = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return { events: Array.isArray(events) ? events : [], exposures: Array.isArray(exposures) ? exposures : [] };
}

/** The other tabs of this site: what they say, and a way to tell them. */
function openTabChannel(dbName: string, onMessage: (message: StoreMessage) => void): { tell(message: StoreMessage): void; close(): void } {
  const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(`precis:${dbName}`);
  channel?.addEventListener('message', (event: MessageEvent<StoreMessage>) => {
    if (event.data) onMessage(event.data);
  });
  return { tell: (message) => channel?.postMessage(message), close: () => channel?.close() };
}
