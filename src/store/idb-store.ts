import type { IDBPDatabase } from 'idb';
import { toPrecisError } from '../core/errors';
import { insertByTime, keepWithinBounds } from './retention';
import type { LogName, LogRecord, PrecisDB } from './schema';
import type { EventStore, StoreOptions } from './types';

/** An IndexedDB event store that can let go of its connection when another tab upgrades. */
export interface IdbEventStore<T extends LogRecord[LogName] = LogRecord[LogName]> extends EventStore<T> {
  /** Closes the connection now (another tab needs a newer version); keeps working from memory. */
  detach(): void;
}

/** Records written per task; more wait for the next task. */
const MAX_BATCH = 500;

/**
 * The event store over an open database. `flush()` writes the buffer in readwrite
 * transactions created and committed in that very turn, so a flush called from `pagehide`
 * reaches the disk before the page goes; a large buffer goes MAX_BATCH records per task, so
 * a burst never blocks the main thread for long (what a departing page cannot write in
 * time, the stash keeps). Retention and the size bound are applied in a transaction of
 * their own, so several tabs writing at once each commit atomically and lose nothing.
 *
 * @example
 * const store = createIdbStore(await openDB<PrecisDB>('precis', DB_VERSION, …), options, 'events');
 */
export function createIdbStore<N extends LogName>(
  db: IDBPDatabase<PrecisDB>,
  options: StoreOptions,
  log: N,
): IdbEventStore<LogRecord[N]> {
  type Entry = LogRecord[N];
  let pending: Entry[] = [];
  const mirror = createMirror<Entry>(db, log, options);
  // Batches between flush() and their commit: still readable, so no read can miss them.
  const writing = new Set<Entry[]>();
  let attached = true;

  const unsaved = (): Entry[] => [...[...writing].flat(), ...pending];
  const reportWrite = (cause: unknown): void => options.onError(toPrecisError(cause, 'store-write'));

  function flush(): Promise<void> {
    pending = keepWithinBounds(pending, options.clock(), options);
    if (!attached || pending.length === 0) return Promise.resolve();
    const batch = pending.slice(0, MAX_BATCH);
    pending = pending.slice(batch.length);
    const rest = pending.length === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => setTimeout(() => void flush().then(resolve), 0));
    return Promise.all([write(batch), rest]).then(() => {});
  }

  function write(batch: Entry[]): Promise<void> {
    writing.add(batch);
    // The executor runs now, so the transaction is created in this turn; a throw rejects.
    return new Promise<void>((resolve) => resolve(commitBatch(db, log, batch))).then(() => {
      writing.delete(batch);
      mirror.add(batch);
      return trim(db, log, options).catch(reportWrite);
    }, (cause: unknown) => {
      writing.delete(batch);
      // What is already stored is untouched: the failed transaction rolled back as a whole.
      pending = keepWithinBounds([...batch, ...pending], options.clock(), options);
      reportWrite(cause);
    });
  }

  return {
    kind: 'indexeddb',
    add(event) {
      insertByTime(pending, event);
    },
    flush,
    async recent(limit) {
      const merged = [...(await mirror.read(attached))];
      for (const event of unsaved()) insertByTime(merged, event);
      const fresh = keepWithinBounds(merged, options.clock(), options);
      return fresh.slice(Math.max(0, fresh.length - limit));
    },
    async close() {
      await flush();
      this.detach();
    },
    async purge() {
      pending = [];
      mirror.clear();
      this.detach();
    },
    invalidate: () => mirror.invalidate(),
    unsaved,
    detach() {
      if (!attached) return;
      attached = false;
      db.close();
    },
  };
}

/**
 * Adds a batch in one readwrite transaction, created and committed in this very turn; the
 * promise settles with the transaction. Throws when no transaction can be created.
 */
function commitBatch(db: IDBPDatabase<PrecisDB>, log: LogName, batch: readonly unknown[]): Promise<void> {
  const tx = db.transaction(log, 'readwrite');
  // Per-request failures surface through tx.done; catch them here so none is unhandled.
  for (const event of batch) tx.store.add(event as never).catch(() => {});
  tx.commit();
  return tx.done;
}

/** Deletes expired events, then the oldest beyond maxEvents, in one transaction. */
async function trim(db: IDBPDatabase<PrecisDB>, log: LogName, options: StoreOptions): Promise<void> {
  const tx = db.transaction(log, 'readwrite');
  const byTime = tx.store.index('time');
  const cutoff = options.clock() - options.retentionMs;
  let expired = await byTime.openCursor(IDBKeyRange.upperBound(cutoff, true));
  while (expired) {
    expired.delete().catch(() => {});
    expired = await expired.continue();
  }
  let excess = (await tx.store.count()) - options.maxEvents;
  let oldest = excess > 0 ? await byTime.openCursor() : null;
  while (oldest && excess > 0) {
    oldest.delete().catch(() => {});
    excess -= 1;
    oldest = await oldest.continue();
  }
  await tx.done;
}

/**
 * A mirror of what is stored, so a decision does not wait on IndexedDB: read once, kept
 * up to date by our own writes, read again after another tab wrote (`invalidate`). A
 * detached store keeps it, so it still knows the visitor on this page.
 */
function createMirror<Entry extends LogRecord[LogName]>(db: IDBPDatabase<PrecisDB>, log: LogName, options: StoreOptions) {
  let stored: Entry[] = [];
  let stale = true;
  return {
    /** What is stored (read from IndexedDB first when stale and still attached). */
    async read(attached: boolean): Promise<Entry[]> {
      if (attached && stale) {
        try {
          const cutoff = options.clock() - options.retentionMs;
          stored = (await db.getAllFromIndex(log, 'time', IDBKeyRange.lowerBound(cutoff))) as Entry[];
          stale = false;
        } catch (cause) {
          options.onError(toPrecisError(cause, 'store-read'));
        }
      }
      return stored;
    },
    /** A batch was committed. A read in flight (stale) will see it: IndexedDB orders it after the write. */
    add(batch: Entry[]): void {
      if (stale) return;
      for (const event of batch) insertByTime(stored, event);
      stored = keepWithinBounds(stored, options.clock(), options); // what trim() deletes
    },
    invalidate(): void {
      stale = true;
    },
    clear(): void {
      stored = [];
    },
  };
}
