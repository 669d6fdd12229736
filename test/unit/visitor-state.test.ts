import { afterEach, describe, expect, it, vi } from 'vitest';
import { DAY_MS } from '../../src/core/clock';
import { createRandom } from '../../src/decide/bandit';
import type { Creative } from '../../src/decide/catalog';
import { explain, type Explanation } from '../../src/decide/explain';
import { decideSlots } from '../../src/decide/rank';
import { CACHED_DECISION_MAX_AGE_MS, newVisitorId, parseVisitorState } from '../../src/decide/visitor-state';

const NOW = Date.UTC(2030, 0, 6, 12);
const VISITOR = '0123456789abcdef0123456789abcdef';

const hero: Creative = {
  id: 'racing-week', slots: ['hero', 'side'], title: 'Racing week', url: '/c/racing', image: 'https://cdn.example/r.png', weight: 1,
  targets: { items: [], categories: ['racing'], segments: [] }, priorCtr: 0.03, category: 'racing', end: NOW + 10 * DAY_MS,
};
const side: Creative = { ...hero, id: 'rpg-week', title: 'RPG week', url: '/c/rpg', category: 'rpg', slots: ['side'] };

/** A real decision and explanation, as the client caches them. */
function cached(creative: Creative, slot: string, decidedAt = NOW - 60_000): { creative: Creative; explanation: Explanation } {
  const [decision] = decideSlots([slot], [creative], {
    now: decidedAt, arm: 'personalized', profile: { items: new Map(), categories: new Map([['racing', 2]]) }, segments: new Set(),
    purchased: new Set(), stats: new Map(), policy: { explore: true, priorStrength: 100, caps: {}, maxPerCategory: 1 },
    random: createRandom(1),
  });
  return { creative, explanation: explain(decision!, [], decidedAt, 7 * DAY_MS, 'live') };
}

/** What localStorage holds: plain JSON. */
function saved(decisions: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  return JSON.parse(JSON.stringify({ visitor: VISITOR, decisions, reportedUntil: NOW - DAY_MS, ...extra }));
}

describe('parseVisitorState', () => {
  it('reads back what was saved, with the cached decisions marked as such', () => {
    const state = parseVisitorState(saved({ hero: cached(hero, 'hero'), side: cached(side, 'side') }), NOW);
    expect(state!.visitor).toBe(VISITOR);
    expect(state!.reportedUntil).toBe(NOW - DAY_MS);
    expect(Object.keys(state!.decisions).sort()).toEqual(['hero', 'side']);
    // Only what rendering needs is read back.
    const { id, slots, title, url, image } = hero;
    expect(state!.decisions.hero!.creative).toEqual({
      id, slots, title, url, image, targets: { items: [], categories: [], segments: [] }, weight: 1,
      ...(hero.start === undefined ? {} : { start: hero.start }), ...(hero.end === undefined ? {} : { end: hero.end }),
    });
    const original = cached(hero, 'hero').explanation;
    expect(state!.decisions.hero!.explanation).toEqual({ ...original, source: 'cache' });
    expect(original.probability).toBe(1); // one candidate: chosen in every draw
  });

  it('drops a cached decision without the interest its exposures are reported under (an older version’s, or tampered)', () => {
    const { creative, explanation } = cached(hero, 'hero');
    const { interest: _, ...older } = explanation;
    expect(parseVisitorState(saved({ hero: { creative, explanation: older } }), NOW)!.decisions).toEqual({});
    expect(parseVisitorState(saved({ hero: { creative, explanation: { ...explanation, interest: 7 } } }), NOW)!.decisions).toEqual({});
    expect(parseVisitorState(saved({ hero: { creative, explanation } }), NOW)!.decisions.hero!.explanation.interest).toBe('');
  });

  it('is undefined without a usable visitor id', () => {
    for (const raw of [undefined, null, 'x', 42, [], {}, { visitor: '' }, { visitor: 7 }, { visitor: 'x'.repeat(65) }]) {
      expect(parseVisitorState(raw, NOW)).toBeUndefined();
    }
    expect(parseVisitorState({ visitor: 'x'.repeat(64) }, NOW)).toEqual({ visitor: 'x'.repeat(64), decisions: {}, reportedUntil: 0 });
  });

  it('keeps the visitor when the rest is damaged', () => {
    expect(parseVisitorState({ visitor: VISITOR, decisions: 'nope', reportedUntil: 'yesterday' }, NOW))
      .toEqual({ visitor: VISITOR, decisions: {}, reportedUntil: 0 });
    expect(parseVisitorState({ visitor: VISITOR, reportedUntil: Infinity }, NOW)!.reportedUntil).toBe(0);
    const junk = parseVisitorState(saved({ a: null, b: 3, c: { creative: {}, explanation: {} }, hero: cached(hero, 'hero') }), NOW);
    expect(Object.keys(junk!.decisions)).toEqual(['hero']);
  });

  it('drops a tampered creative (a javascript: link, a bad title, an image on a host not allowed), keeps the rest', () => {
    const evil = cached(hero, 'hero');
    const tampered = [
      { ...evil, creative: { ...evil.creative, url: 'javascript:alert(document.cookie)' } },
      { ...evil, creative: { ...evil.creative, url: ' java\tscript:alert(1)' } },
      { ...evil, creative: { ...evil.creative, title: '' } },
      { ...evil, creative: { ...evil.creative, slots: 'hero' } },
    ];
    for (const entry of tampered) {
      const state = parseVisitorState(saved({ hero: entry, side: cached(side, 'side') }), NOW);
      expect(Object.keys(state!.decisions)).toEqual(['side']);
    }
    // With an allowlist, the image's host must be on it.
    expect(parseVisitorState(saved({ hero: cached(hero, 'hero') }), NOW, ['shop.example'])!.decisions).toEqual({});
    expect(Object.keys(parseVisitorState(saved({ hero: cached(hero, 'hero') }), NOW, ['cdn.example'])!.decisions)).toEqual(['hero']);
  });

  it('drops decisions older than a day, or from the future', () => {
    expect(CACHED_DECISION_MAX_AGE_MS).toBe(DAY_MS);
    const at = (decidedAt: number) => Object.keys(parseVisitorState(saved({ hero: cached(hero, 'hero', decidedAt) }), NOW)!.decisions);
    expect(at(NOW - DAY_MS)).toEqual(['hero']);
    expect(at(NOW - DAY_MS - 1)).toEqual([]);
    expect(at(NOW)).toEqual(['hero']);
    expect(at(NOW + 1)).toEqual([]);
  });

  it('drops a decision whose campaign has ended (or not begun)', () => {
    const over = cached({ ...hero, end: NOW - 1 }, 'hero', NOW - 2);
    expect(parseVisitorState(saved({ hero: over }), NOW)!.decisions).toEqual({});
    const early = cached(hero, 'hero');
    const notYet = { ...early, creative: { ...early.creative, start: NOW + 1 } };
    expect(parseVisitorState(saved({ hero: notYet }), NOW)!.decisions).toEqual({});
  });

  it('drops an explanation that does not match its creative, or a slot the creative does not name', () => {
    const entry = cached(hero, 'hero');
    const mismatch = { ...entry, explanation: { ...entry.explanation, creative: 'rpg-week' } };
    expect(parseVisitorState(saved({ hero: mismatch }), NOW)!.decisions).toEqual({});
    const wrongSlot = { ...entry, explanation: { ...entry.explanation, slot: 'footer' } };
    expect(parseVisitorState(saved({ footer: wrongSlot }), NOW)!.decisions).toEqual({});
    // The slot comes from the explanation, not from the key it was stored under.
    const moved = parseVisitorState(saved({ whatever: cached(hero, 'side') }), NOW);
    expect(Object.keys(moved!.decisions)).toEqual(['side']);
  });

  it('drops an explanation with an impossible arm or probability, or missing lists', () => {
    const entry = cached(hero, 'hero');
    const broken: Array<Partial<Explanation> | Record<string, unknown>> = [
      { arm: 'treatment' }, { probability: 0 }, { probability: 1.5 }, { probability: '1' }, { decidedAt: 'today' },
      { reasons: null }, { rules: {} }, { events: undefined }, { excluded: 'none' }, { slot: 3 },
    ];
    for (const patch of broken) {
      const raw = saved({ hero: { ...entry, explanation: { ...entry.explanation, ...patch } } });
      expect(parseVisitorState(raw, NOW)!.decisions).toEqual({});
    }
  });
});

describe('newVisitorId', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('is 32 hex digits, fresh every time', () => {
    const ids = Array.from({ length: 1000 }, newVisitorId);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(1000);
  });

  it('still works without crypto.getRandomValues', () => {
    vi.stubGlobal('crypto', undefined);
    const id = newVisitorId();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(newVisitorId()).not.toBe(id);
  });
});
