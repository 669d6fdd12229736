import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { validateEvent } from '../../src/capture/event';
import { createConsent, type Consent, type ConsentState } from '../../src/consent/consent';
import { createEmitter } from '../../src/core/emitter';
import type { PrecisError } from '../../src/core/errors';
import { resolveOptions } from '../../src/client/options';
import { startSession } from '../../src/client/session';
import { createVisitor } from '../../src/client/visitor';
import { readLocalState, writeLocalState } from '../../src/store/local-state';

const NOW = 1_700_000_000_000;
const view = (item: string, category = 'rpg') => ({ type: 'view', item, category, time: NOW - 1000 });

function start(defaultPolicy: 'allow' | 'deny' = 'allow', consent: Consent = createConsent(undefined, { defaultPolicy, tcf: {} })) {
  const errors: PrecisError[] = [];
  const options = resolveOptions({ dbName: 'precis-session', clock: () => NOW, catalog: { creatives: [{ id: 'a', slots: ['hero'], title: 'A' }] } }, (e) => errors.push(e));
  const visitor = createVisitor({ visitor: 'v1', arm: 'personalized', reportedUntil: 0 }, 0);
  const forgotten = vi.fn();
  const context = { options, consent, visitor, report: (e: PrecisError) => errors.push(e) };
  const { intake, opened } = startSession(context, { started: undefined, onForgottenElsewhere: forgotten });
  return { intake, opened, consent, visitor, errors, forgotten };
}

/** A CMP that has not answered yet: nothing is allowed (nor refused) until `answer()`. */
function pendingCmp() {
  const emitter = createEmitter<{ change: ConsentState }>();
  let state: ConsentState = { store: false, personalize: false, send: false };
  let pending = true;
  let settle = (): void => {};
  const consent = {
    state: () => state,
    allows: (permission: keyof ConsentState) => state[permission],
    refused: (permission: keyof ConsentState) => !pending && !state[permission],
    settled: new Promise<void>((resolve) => { settle = resolve; }),
    on: emitter.on,
  } as unknown as Consent;
  const answer = (next: ConsentState): void => {
    state = next;
    pending = false;
    settle();
    emitter.emit('change', state);
  };
  return { consent, answer };
}

const memoryStorage = () => {
  const items = new Map<string, string>();
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), removeItem: (k: string) => void items.delete(k), items };
};
const databases = async () => (await indexedDB.databases()).map((d) => d.name);
const STASH = 'precis-session:unsaved';

beforeEach(() => vi.stubGlobal('indexedDB', new IDBFactory()));
afterEach(() => vi.unstubAllGlobals());

describe('the session', () => {
  it('is handed out with its store and catalog, keeping the events tracked while it opened', async () => {
    const { intake, opened } = start();
    intake.add(view('early') as never);
    const session = await opened;
    expect(session.catalog.creatives.map((c) => c.id)).toEqual(['a']);
    expect(session.store.kind()).toBe('indexeddb');
    intake.add(view('late') as never);
    expect(await session.history()).toEqual(['early', 'late']);
    intake.close();
  });

  it('drops exposures until the store is open, and without `personalize`', async () => {
    const { intake, opened, consent } = start();
    const exposure = { kind: 'impression' as const, creative: 'a', slot: 'hero', arm: 'personalized' as const, probability: 1, time: NOW };
    expect(intake.addExposure(exposure)).toBe(false);
    const session = await opened;
    expect(intake.addExposure(exposure)).toBe(true);
    consent.set({ personalize: false });
    expect(intake.addExposure({ ...exposure, time: NOW + 1 })).toBe(false);
    expect(await session.store.exposures(10)).toHaveLength(1);
    intake.close();
  });

  it('follows consent: without `personalize` decisions read no events and use the control arm; without `store` the events go', async () => {
    const { intake, opened, consent } = start();
    const session = await opened;
    intake.add(view('r1') as never);
    expect((await session.read()).input.arm).toBe('personalized');
    expect((await session.read()).events.map((e) => e.item)).toEqual(['r1']);
    expect((await session.profile()).categories.map((c) => c.id)).toEqual(['rpg']);

    consent.set({ personalize: false });
    const generic = await session.read();
    expect(generic.events).toEqual([]);
    expect(generic.input.arm).toBe('control');
    expect((await session.profile()).categories).toEqual([]);

    consent.set({ personalize: true, store: false });
    await vi.waitFor(() => expect(session.store.kind()).toBe('memory'));
    expect(await session.history()).toEqual([]);
    intake.close();
  });

  it('saves the visitor’s state only with `store`', async () => {
    const { items, ...storage } = memoryStorage();
    vi.stubGlobal('localStorage', storage);
    const { intake, opened, consent, visitor } = start();
    const session = await opened;
    visitor.update({ reportedUntil: 42 });
    session.saveVisitor();
    expect(session.store.readState()).toMatchObject({ visitor: 'v1', reportedUntil: 42 });
    consent.set({ store: false });
    expect(session.store.readState()).toBeUndefined();
    await vi.waitFor(() => expect([...items.keys()]).toEqual([])); // the withdrawal deletes it
    session.saveVisitor();
    expect([...items.keys()]).toEqual([]);
    intake.close();
  });

  it('while a CMP has not answered: waits, keeps events in memory and the last page’s stash in place; a grant opens IndexedDB with both; a withdrawal deletes it all', async () => {
    const { items, ...storage } = memoryStorage();
    vi.stubGlobal('localStorage', storage);
    writeLocalState(STASH, { events: [{ type: 'view', item: 'stashed', time: NOW - 2000 }], exposures: [] });
    const cmp = pendingCmp();
    const { intake, opened } = start('allow', cmp.consent);
    intake.add(view('early') as never);
    let handedOut = false;
    void opened.then(() => { handedOut = true; });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(handedOut).toBe(false);
    expect(await databases()).not.toContain('precis-session');
    expect(readLocalState(STASH)).toBeDefined();

    cmp.answer({ store: true, personalize: true, send: true });
    const session = await opened;
    expect(session.store.kind()).toBe('indexeddb');
    expect(await session.history()).toEqual(['stashed', 'early']);
    expect(readLocalState(STASH)).toBeUndefined();
    await session.store.flush();
    expect(await databases()).toContain('precis-session');

    cmp.answer({ store: false, personalize: true, send: true });
    await vi.waitFor(async () => expect(await databases()).not.toContain('precis-session'));
    expect(session.store.kind()).toBe('memory');
    expect(await session.history()).toEqual([]);
    intake.close();
  });

  it('a CMP’s refusal keeps nothing: events stay in this page’s memory and no database is created', async () => {
    const cmp = pendingCmp();
    const { intake, opened } = start('allow', cmp.consent);
    intake.add(view('early') as never);
    cmp.answer({ store: false, personalize: true, send: true });
    const session = await opened;
    expect(session.store.kind()).toBe('memory');
    expect(await session.history()).toEqual(['early']);
    await session.store.flush();
    expect(await databases()).not.toContain('precis-session');
    intake.close();
  });

  it('adds back what the last page stashed, once: tampered entries are dropped and what is already stored is not added twice', async () => {
    const { items, ...storage } = memoryStorage();
    vi.stubGlobal('localStorage', storage);
    const kept = validateEvent({ type: 'view', item: 'kept', time: NOW - 3000 }, NOW);
    const earlier = start();
    const first = await earlier.opened;
    earlier.intake.add(kept);
    await first.store.flush();
    earlier.intake.close();
    await vi.waitFor(async () => expect(await databases()).toContain('precis-session'));

    const exposure = { kind: 'click', creative: 'a', slot: 'hero', arm: 'personalized', probability: 0.5, time: NOW - 500 };
    writeLocalState(STASH, {
      events: [kept, { type: 'view', item: 'lost', time: NOW - 2000 }, { type: 42 }, 'junk'],
      exposures: [exposure, { ...exposure, kind: 'teleport' }],
    });
    const { intake, opened } = start();
    const session = await opened;
    expect((await session.store.recent(10)).map((e) => e.item)).toEqual(['kept', 'lost']);
    expect(await session.store.exposures(10)).toEqual([exposure]);
    expect(readLocalState(STASH)).toBeUndefined();
    intake.close();
  });

  it('forget() empties this session’s store; another tab’s session is told, and its events are gone too', async () => {
    const here = start();
    const there = start();
    const [mine, theirs] = await Promise.all([here.opened, there.opened]);
    here.intake.add(view('mine') as never);
    there.intake.add(view('theirs') as never);
    await Promise.all([mine.store.flush(), theirs.store.flush()]);

    await mine.store.forget();
    expect(await mine.history()).toEqual([]);
    expect(here.forgotten).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(there.forgotten).toHaveBeenCalledTimes(1));
    expect(await theirs.history()).toEqual([]);
    here.intake.add(view('after') as never);
    expect(await mine.history()).toEqual(['after']);
    here.intake.close();
    there.intake.close();
  });
});
