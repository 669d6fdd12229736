import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConsent } from '../../src/consent/consent';
import { DAY_MS } from '../../src/core/clock';
import { openVisitorStore } from '../../src/store/gated-store';
import type { StoreOptions } from '../../src/store/types';

const options = (): StoreOptions => ({
  maxEvents: 100, retentionMs: 30 * DAY_MS, openTimeoutMs: 500, dbName: 'precis-gated',
  clock: () => 1_700_000_000_000, onError: (e) => { throw e; },
});
const view = (item: string) => ({ type: 'view', item, time: 1_700_000_000_000 });
const databases = async () => (await indexedDB.databases()).map((d) => d.name);

beforeEach(() => vi.stubGlobal('indexedDB', new IDBFactory()));
afterEach(() => vi.unstubAllGlobals());

describe('the visitor store behind consent', () => {
  it('writes nothing without `store`, moves this page’s events to IndexedDB on a grant, purges on withdrawal', async () => {
    const consent = createConsent(undefined, { defaultPolicy: 'deny', tcf: {} });
    const store = await openVisitorStore(options(), consent);
    store.add(view('a'));
    await store.flush();
    expect(store.kind()).toBe('memory');
    expect(await databases()).not.toContain('precis-gated');

    consent.set({ store: true });
    await vi.waitFor(() => expect(store.kind()).toBe('indexeddb'));
    await vi.waitFor(async () => expect(await databases()).toContain('precis-gated'));
    expect((await store.recent(10)).map((e) => e.item)).toEqual(['a']);

    consent.set({ store: false });
    await vi.waitFor(async () => expect(await databases()).not.toContain('precis-gated'));
    expect(store.kind()).toBe('memory');
    expect(await store.recent(10)).toEqual([]);
    await store.close();
  });

  it('a refusal found at start deletes what an earlier visit stored', async () => {
    const allowed = createConsent(undefined, { defaultPolicy: 'allow', tcf: {} });
    const earlier = await openVisitorStore(options(), allowed);
    earlier.add(view('old'));
    await earlier.close();
    expect(await databases()).toContain('precis-gated');

    const refused = createConsent(undefined, { defaultPolicy: 'allow', tcf: {} });
    refused.set({ store: false });
    const store = await openVisitorStore(options(), refused);
    expect(await databases()).not.toContain('precis-gated');
    expect(await store.recent(10)).toEqual([]);
  });

  it('forget() deletes the database and starts afresh in IndexedDB', async () => {
    const consent = createConsent(undefined, { defaultPolicy: 'allow', tcf: {} });
    const store = await openVisitorStore(options(), consent);
    store.add(view('before'));
    await store.flush();
    await store.forget();
    expect(await store.recent(10)).toEqual([]);
    store.add(view('after'));
    await store.flush();
    expect((await store.recent(10)).map((e) => e.item)).toEqual(['after']);
    expect(store.kind()).toBe('indexeddb');
    await store.close();
  });
});

describe('what a page going away could not commit, and the localStorage state', () => {
  const memoryStorage = (): Storage => {
    const items = new Map<string, string>();
    return {
      get length() { return items.size; },
      clear: () => items.clear(),
      getItem: (key) => items.get(key) ?? null,
      key: (index) => [...items.keys()][index] ?? null,
      removeItem: (key) => void items.delete(key),
      setItem: (key, value) => void items.set(key, String(value)),
    };
  };
  beforeEach(() => vi.stubGlobal('localStorage', memoryStorage()));

  it('stash() keeps events and exposures still in flight; takeStash() hands them over once', async () => {
    const consent = createConsent(undefined, { defaultPolicy: 'allow', tcf: {} });
    const store = await openVisitorStore(options(), consent);
    store.add(view('in-flight'));
    store.addExposure({ kind: 'click', creative: 'c', slot: 'hero', arm: 'personalized', probability: 0.5, time: 1_700_000_000_000 });
    const committing = store.flush(); // the transaction is started, not yet committed
    store.stash();
    await committing;
    const stash = store.takeStash();
    expect(stash.events).toEqual([view('in-flight')]);
    expect(stash.exposures).toEqual([expect.objectContaining({ kind: 'click', creative: 'c' })]);
    expect(store.takeStash()).toEqual({ events: [], exposures: [] }); // taken: gone
    store.stash(); // everything is committed now: nothing to keep
    expect(localStorage.length).toBe(0);
    await store.close();
  });

  it('without `store` nothing is stashed or kept in localStorage; forget() removes both', async () => {
    const consent = createConsent(undefined, { defaultPolicy: 'deny', tcf: {} });
    const store = await openVisitorStore(options(), consent);
    store.add(view('a'));
    store.stash();
    store.writeState({ visitor: 'v' });
    expect(localStorage.length).toBe(0);
    expect(store.readState()).toBeUndefined();

    consent.set({ store: true });
    await vi.waitFor(() => expect(store.kind()).toBe('indexeddb'));
    store.writeState({ visitor: 'v' });
    store.add(view('b'));
    const committing = store.flush();
    store.stash();
    await committing;
    expect(localStorage.length).toBe(2);
    await store.forget();
    expect(localStorage.length).toBe(0);
    await store.close();
  });
});
