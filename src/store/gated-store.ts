import type { PrecisEvent } from '../capture/event';
import type { Consent } from '../consent/consent';
import { toPrecisError } from '../core/errors';
import { createMemoryStore } from './memory-store';
import { deleteEventDatabase } from './delete-database';
import { openEventStore } from './open-store';
import type { EventStore, StoreKind, StoreOptions } from './types';

/** The visitor's store as the client uses it: consent decides where events live. */
export interface VisitorStore {
  kind(): StoreKind;
  add(event: PrecisEvent): void;
  flush(): Promise<void>;
  recent(limit: number): Promise<PrecisEvent[]>;
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
 * otherwise this page's memory. A withdrawal purges what was stored and buffered at once;
 * a grant moves this page's events to IndexedDB. `forget()` deletes the database (other
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
  let inner: EventStore = createMemoryStore(options);
  let closed = false;
  // Switches happen one at a time, in order.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (step: () => Promise<void>): Promise<void> => {
    queue = queue.then(step).catch((cause: unknown) => options.onError(toPrecisError(cause, 'store-write')));
    return queue;
  };

  async function moveTo(next: EventStore): Promise<void> {
    const events = await inner.recent(options.maxEvents);
    await inner.close();
    for (const event of events) next.add(event);
    inner = next;
    await inner.flush();
  }

  const useStorage = (): Promise<void> =>
    enqueue(async () => {
      if (closed || inner.kind === 'indexeddb' || !consent.allows('store')) return;
      await moveTo(await openEventStore(options));
    });

  const dropEverything = (): Promise<void> =>
    enqueue(async () => {
      await inner.purge();
      inner = createMemoryStore(options);
      await deleteEventDatabase(options.dbName); // also when this page never opened it
    });

  const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(`precis:${options.dbName}`);
  const tell = (message: StoreMessage): void => {
    if (!closed) channel?.postMessage(message);
  };
  channel?.addEventListener('message', (event: MessageEvent<StoreMessage>) => {
    if (event.data?.type === 'written') inner.invalidate();
    if (event.data?.type !== 'forget') return;
    // Another tab is deleting the database: forget at once, let go, and start afresh.
    const old = inner;
    inner = createMemoryStore(options);
    void enqueue(() => old.purge()).then(useStorage).then(onForgottenElsewhere);
  });

  const offConsent = consent.on('change', (state) => {
    if (!state.store) void dropEverything();
    else void useStorage();
  });
  await consent.settled;
  // Consent refused since an earlier visit: what that visit stored goes now.
  if (consent.refused('store')) await dropEverything();
  await useStorage();

  return {
    kind: () => inner.kind,
    add: (event) => inner.add(event),
    async flush() {
      const writer = inner;
      await writer.flush();
      if (writer.kind === 'indexeddb') tell({ type: 'written' });
    },
    recent: (limit) => inner.recent(limit),
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
      await enqueue(() => inner.close());
    },
  };
}
