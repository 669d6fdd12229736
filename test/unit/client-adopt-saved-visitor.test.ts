import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSavedVisitorAdopter } from '../../src/client/adopt-saved-visitor';
import { createVisitor } from '../../src/client/visitor';
import { createConsent, type Consent } from '../../src/consent/consent';
import { DAY_MS } from '../../src/core/clock';
import { createRandom } from '../../src/decide/bandit';
import type { Creative } from '../../src/decide/catalog';
import { explain } from '../../src/decide/explain';
import { decideSlots } from '../../src/decide/rank';
import type { SlotController } from '../../src/render/slot-controller';
import { writeLocalState } from '../../src/store/local-state';

const NOW = Date.UTC(2030, 0, 6, 12);
const VISITOR = '0123456789abcdef0123456789abcdef';
const pick: Creative = {
  id: 'racing-pick', slots: ['hero'], title: 'Racing pick', weight: 1, targets: { items: [], categories: ['racing'], segments: [] },
};

/** What the last page saved: this visitor, with a decision made ahead for the hero slot. */
function saveLastPage(): void {
  const [decision] = decideSlots(['hero'], [pick], {
    now: NOW - 60_000, arm: 'personalized', profile: { items: new Map(), categories: new Map([['racing', 2]]) }, segments: new Set(),
    purchased: new Set(), stats: new Map(), policy: { explore: false, priorStrength: 100, caps: {}, maxPerCategory: 1 }, random: createRandom(1),
  });
  const hero = { creative: pick, explanation: explain(decision!, [], NOW - 60_000, 7 * DAY_MS, 'live') };
  writeLocalState('precis', JSON.parse(JSON.stringify({ visitor: VISITOR, decisions: { hero }, reportedUntil: NOW - DAY_MS })));
}

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), removeItem: (k: string) => void items.delete(k) } as Storage;
}

/** A hero slot hidden while it waits for its decision, as a CMP on the page leaves it. */
function waitingHero() {
  const hero = { getAttribute: () => 'hero' } as unknown as HTMLElement;
  const show = vi.fn();
  const slots = { waiting: () => (show.mock.calls.length > 0 ? [] : [hero]), onPage: () => new Set<string>(), show } as unknown as SlotController;
  return { hero, show, slots };
}

function adopter(consent: Consent) {
  const visitor = createVisitor(undefined, 0); // a new id: the first paint could not read the saved one
  const { hero, show, slots } = waitingHero();
  const options = { dbName: 'precis', clock: () => NOW, holdout: 0, linkHosts: undefined } as never;
  const adopt = createSavedVisitorAdopter({ options, consent, visitor }, slots);
  return { adopt, visitor, hero, show };
}

afterEach(() => vi.unstubAllGlobals());

describe('adopting the visitor the last page saved', () => {
  it('with store allowed when the client starts (a CMP that answered before it, whose yes no listener heard): at once', () => {
    vi.stubGlobal('localStorage', memoryStorage());
    saveLastPage();
    const { visitor, hero, show } = adopter(createConsent(undefined, { defaultPolicy: 'allow', tcf: {} }));
    expect(show).toHaveBeenCalledTimes(1);
    expect(show.mock.calls[0]![0]).toBe(hero);
    expect(show.mock.calls[0]![1].creative.id).toBe('racing-pick');
    expect(visitor.state().visitor).toBe(VISITOR);
  });

  it('while a CMP has not answered: nothing read; at its yes, read once', () => {
    vi.stubGlobal('localStorage', memoryStorage());
    saveLastPage();
    let allowed = false;
    const consent = { allows: () => allowed } as unknown as Consent;
    const { adopt, visitor, show } = adopter(consent);
    adopt();
    expect(show).not.toHaveBeenCalled();
    expect(visitor.state().visitor).not.toBe(VISITOR);
    allowed = true;
    adopt();
    adopt();
    expect(show).toHaveBeenCalledTimes(1);
    expect(visitor.state().visitor).toBe(VISITOR);
  });
});
