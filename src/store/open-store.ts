import { openDB } from 'idb';
import { describeCause, PrecisError } from '../core/errors';
import { createIdbStore, type IdbEventStore } from './idb-store';
import { createMemoryStore } from './memory-store';
import { DB_VERSION, upgradeSchema, type LogName, type LogRecord, type PrecisDB } from './schema';
import type { EventStore, StoreOptions } from './types';

/**
 * Opens one of the visitor's logs (`events` by default, or `exposures`): IndexedDB when it is there and opens in time,
 * otherwise this page's memory (with an `store-unavailable` error saying why). Never
 * rejects.
 *
 * @example
 * const store = await openEventStore({ maxEvents: 1000, retentionMs: 30 * DAY_MS,
 *   openTimeoutMs: 2000, dbName: 'precis', clock: Date.now, onError: console.warn });
 */
export async function openEventStore<N extends LogName = 'events'>(
  options: StoreOptions,
  log: N = 'events' as N,
): Promise<EventStore<LogRecord[N]>> {
  const fallBack = (reason: string): EventStore<LogRecord[N]> => {
    options.onError(new PrecisError('store-unavailable', { reason }));
    return createMemoryStore<LogRecord[N]>(options);
  };
  if (typeof indexedDB === 'undefined' || indexedDB === null) {
    return fallBack('IndexedDB is not available');
  }

  let store: IdbEventStore<LogRecord[N]> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.openTimeoutMs);
  });
  try {
    // openDB can throw synchronously (a SecurityError in some sandboxed frames), so it
    // runs inside the try.
    const opening = openDB<PrecisDB>(options.dbName, DB_VERSION, {
      upgrade: (db, oldVersion) => upgradeSchema(db, oldVersion),
      // Another tab wants a newer schema: let go so it can upgrade; we carry on in memory.
      // A null version means the database is being deleted (forget): drop what we hold too.
      blocking: (_current, next) => void (next === null ? store?.purge() : store?.detach()),
      terminated: () => store?.detach(),
    });
    const winner = await Promise.race([opening, timeout]);
    if (winner === 'timeout') {
      // If it opens after all, close it: this page already uses memory.
      opening.then((db) => db.close(), () => {});
      return fallBack(`IndexedDB did not open within ${options.openTimeoutMs} ms`);
    }
    store = createIdbStore(winner, options, log);
    return store;
  } catch (cause) {
    return fallBack(`IndexedDB failed to open: ${describeCause(cause)}`);
  } finally {
    clearTimeout(timer);
  }
}

