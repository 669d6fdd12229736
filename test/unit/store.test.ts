import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PrecisEvent } from '../../src/capture/event';
import { DAY_MS } from '../../src/core/clock';
import type { PrecisError } from '../../src/core/errors';
import { openEventStore } from '../../src/store/open-store';
import type { StoreOptions } from '../../src/store/types';

let now = 1_700_000_000_000;
let errors: PrecisError[] = [];

function options(extra: Partial<StoreOptions> = {}): StoreOptions {
  return {
    maxEvents: 1000, retentionMs: 30 * DAY_MS, openTimeoutMs: 200, dbName: 'precis-test',
    clock: () => now, onError: (e) => errors.push(e), ...extra,
  };
}

const view = (item: string, time = now): PrecisEvent => ({ type: 'view', item, time });

beforeEach(() => {
  vi.stubGlobal('indexedDB', new IDBFactory());
  now = 1_700_000_000_000;
  errors = [];
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('IndexedDB event store', () => {
  it('commits buffered events and reads them back from a new connection, oldest first', async () => {
    const store = await openEventStore(options());
    expect(store.kind).toBe('indexeddb');
    store.add(view('b', now - 1));
    store.add(view('a', now - 2));
    expect((await store.recent(10)).map((e) => e.item)).toEqual(['a', 'b']); // buffered events are readable
    await store.close();
    const again = await openEventStore(options());
    expect((await again.recent(10)).map((e) => e.item)).toEqual(['a', 'b']);
    expect((await again.recent(1)).map((e) => e.item)).toEqual(['b']);
    await again.close();
    expect(errors).toEqual([]);
  });

  it('writes a burst 500 records per task: what is not yet written stays readable and stashable', async () => {
    const store = await openEventStore(options({ maxEvents: 5000 }));
    for (let i = 0; i < 1200; i += 1) store.add(view(`burst-${i}`, now + i));
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction');
    const done = store.flush();
    expect(transaction).toHaveBeenCalledTimes(1); // this task writes the first 500 only
    expect(store.unsaved()).toHaveLength(1200); // in flight or waiting: nothing to lose
    await done;
    expect(transaction.mock.calls.filter(([, mode]) => mode === 'readwrite').length).toBeGreaterThanOrEqual(3);
    expect(store.unsaved()).toEqual([]);
    await store.close();
    const again = await openEventStore(options({ maxEvents: 5000 }));
    expect((await again.recent(5000)).map((e) => e.item)).toEqual(Array.from({ length: 1200 }, (_, i) => `burst-${i}`));
    await again.close();
  });

  it('evicts the oldest beyond maxEvents', async () => {
    const store = await openEventStore(options({ maxEvents: 5 }));
    for (let i = 0; i < 8; i += 1) store.add(view(`e${i}`, now - 100 + i));
    await store.flush();
    await store.close();
    const again = await openEventStore(options({ maxEvents: 5 }));
    expect((await again.recent(100)).map((e) => e.item)).toEqual(['e3', 'e4', 'e5', 'e6', 'e7']);
    await again.close();
  });

  it('deletes events older than the retention TTL (fake clock)', async () => {
    const store = await openEventStore(options({ retentionMs: 10 * DAY_MS }));
    store.add(view('old', now - 9 * DAY_MS));
    store.add(view('new', now));
    await store.flush();
    expect((await store.recent(10)).map((e) => e.item)).toEqual(['old', 'new']);
    now += 2 * DAY_MS; // 'old' is now 11 days old
    expect((await store.recent(10)).map((e) => e.item)).toEqual(['new']);
    store.add(view('later', now));
    await store.flush(); // the flush's trim deletes it from disk too
    await store.close();
    const raw = await readAll('precis-test');
    expect(raw.map((e) => e.item)).toEqual(['new', 'later']);
  });

  it('keeps what is stored and retries the batch when a write fails (quota exceeded)', async () => {
    const store = await openEventStore(options());
    store.add(view('kept'));
    await store.flush();
    const add = vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    store.add(view('retry-me'));
    await store.flush();
    expect(errors.map((e) => e.code)).toEqual(['store-write']);
    expect(String(errors[0]!.details.reason)).toContain('QuotaExceededError');
    expect((await store.recent(10)).map((e) => e.item)).toEqual(['kept', 'retry-me']);
    add.mockRestore();
    await store.flush();
    await store.close();
    expect((await readAll('precis-test')).map((e) => e.item)).toEqual(['kept', 'retry-me']);
  });

  it('lets go of its connection when another tab opens a newer version, and keeps working', async () => {
    const store = await openEventStore(options());
    store.add(view('a'));
    await store.flush();
    expect(await store.recent(10)).toHaveLength(1);
    const newer = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('precis-test', 99);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error('blocked: the old connection did not close'));
    });
    expect(newer.version).toBe(99);
    newer.close();
    store.add(view('b'));
    await store.flush();
    expect((await store.recent(10)).map((e) => e.item)).toEqual(['a', 'b']);
    expect(errors).toEqual([]);
  });
});

describe('falling back to memory', () => {
  it('when IndexedDB is missing', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const store = await openEventStore(options());
    expect(store.kind).toBe('memory');
    expect(errors.map((e) => e.code)).toEqual(['store-unavailable']);
    store.add(view('a'));
    expect((await store.recent(5)).map((e) => e.item)).toEqual(['a']);
  });

  it('when open throws', async () => {
    vi.stubGlobal('indexedDB', { open: () => { throw new DOMException('denied', 'SecurityError'); } });
    const store = await openEventStore(options());
    expect(store.kind).toBe('memory');
    expect(String(errors[0]!.details.reason)).toContain('SecurityError');
  });

  it('when open fails asynchronously', async () => {
    vi.stubGlobal('indexedDB', {
      open() {
        const request = Object.assign(new EventTarget(), { error: new DOMException('broken', 'UnknownError') });
        setTimeout(() => request.dispatchEvent(new Event('error')));
        return request;
      },
    });
    const store = await openEventStore(options());
    expect(store.kind).toBe('memory');
    expect(errors.map((e) => e.code)).toEqual(['store-unavailable']);
  });

  it('when open hangs past the timeout', async () => {
    // A tab holds version 1 open and ignores versionchange, so another tab's upgrade to
    // version 2 waits, and our open queues behind it: it never answers.
    const holder = await new Promise<IDBDatabase>((resolve) => {
      const request = indexedDB.open('precis-test', 1);
      request.onupgradeneeded = () => request.result.createObjectStore('events');
      request.onsuccess = () => resolve(request.result);
    });
    indexedDB.open('precis-test', 2);
    const started = Date.now();
    const store = await openEventStore(options({ openTimeoutMs: 50 }));
    expect(store.kind).toBe('memory');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(String(errors[0]!.details.reason)).toContain('did not open within 50 ms');
    holder.close();
  });

  it('memory store applies the same bounds', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const store = await openEventStore(options({ maxEvents: 2, retentionMs: DAY_MS }));
    store.add(view('expired', now - 2 * DAY_MS));
    for (const item of ['a', 'b', 'c']) store.add(view(item));
    expect((await store.recent(10)).map((e) => e.item)).toEqual(['b', 'c']);
  });
});

function readAll(name: string): Promise<PrecisEvent[]> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => {
      const db = request.result;
      const all = db.transaction('events').objectStore('events').index('time').getAll();
      all.onsuccess = () => {
        db.close();
        resolve(all.result as PrecisEvent[]);
      };
      all.onerror = () => reject(all.error);
    };
    request.onerror = () => reject(request.error);
  });
}

describe('the in-memory mirror of stored events', () => {
  it('sees another connection’s writes only after invalidate()', async () => {
    const a = await openEventStore(options());
    const b = await openEventStore(options());
    expect(await b.recent(10)).toEqual([]); // b has read (and mirrors) the empty store
    a.add(view('from-a'));
    await a.flush();
    expect(await b.recent(10)).toEqual([]); // still the mirror
    b.invalidate();
    expect((await b.recent(10)).map((e) => e.item)).toEqual(['from-a']);
    b.add(view('from-b', now + 1));
    await b.flush(); // its own writes update its mirror without a read
    expect((await b.recent(10)).map((e) => e.item)).toEqual(['from-a', 'from-b']);
    await a.close();
    await b.close();
  });
});
