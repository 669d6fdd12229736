import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConsent } from '../../src/consent/consent';
import type { PrecisError } from '../../src/core/errors';
import { resolveOptions } from '../../src/client/options';
import { startSession } from '../../src/client/session';
import { createVisitor } from '../../src/client/visitor';

const NOW = 1_700_000_000_000;
const view = (item: string, category = 'rpg') => ({ type: 'view', item, category, time: NOW - 1000 });

function start(defaultPolicy: 'allow' | 'deny' = 'allow') {
  const errors: PrecisError[] = [];
  const options = resolveOptions({ dbName: 'precis-session', clock: () => NOW, catalog: { creatives: [{ id: 'a', slots: ['hero'], title: 'A' }] } }, (e) => errors.push(e));
  const consent = createConsent(undefined, { defaultPolicy, tcf: {} });
  const visitor = createVisitor({ visitor: 'v1', arm: 'personalized', reportedUntil: 0 }, 0);
  const forgotten = vi.fn();
  const context = { options, consent, visitor, report: (e: PrecisError) => errors.push(e) };
  const { intake, opened } = startSession(context, { started: undefined, onForgottenElsewhere: forgotten, onStoreOpen: () => {} });
  return { intake, opened, consent, visitor, errors };
}

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
    const items = new Map<string, string>();
    vi.stubGlobal('localStorage', { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), removeItem: (k: string) => void items.delete(k) });
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
});
