import { describe, expect, it } from 'vitest';
import type { PrecisError } from '../../src/core/errors';
import { createRandom } from '../../src/decide/bandit';
import { parseCatalog, type Creative } from '../../src/decide/catalog';
import { explain } from '../../src/decide/explain';
import { choosePrior, MAX_INTERESTS } from '../../src/decide/prior';
import { buildProfile } from '../../src/decide/profile';
import { decideSlots, type DecisionInput } from '../../src/decide/rank';
import { mainInterest } from '../../src/decide/segments';

const T = Date.UTC(2030, 0, 6, 12);
const DAY = 24 * 3600 * 1000;

function parse(raw: unknown) {
  const errors: PrecisError[] = [];
  const catalog = parseCatalog(raw, (e) => errors.push(e));
  return { catalog, errors };
}

const POOLED = {
  id: 'a', slots: ['hero'], title: 'A', priorCtr: 0.03, priorStrength: 400,
  priorsByInterest: { racing: { priorCtr: 0.08, priorStrength: 150 }, rpg: { priorCtr: 0.01, priorStrength: 90 } },
};

describe('parseCatalog: interests and pooled priors', () => {
  it('reads interests, priorStrength and priorsByInterest when valid', () => {
    const { catalog, errors } = parse({ interests: ['racing', 'rpg', 'racing'], creatives: [POOLED] });
    expect(errors).toEqual([]);
    expect(catalog.interests).toEqual(['racing', 'rpg']);
    const creative = catalog.creatives[0]!;
    expect(creative.priorStrength).toBe(400);
    expect({ ...creative.priorsByInterest }).toEqual(POOLED.priorsByInterest);
  });

  it('without interests: every category the creatives target, in catalog order', () => {
    const { catalog, errors } = parse({
      creatives: [
        { id: 'a', slots: ['hero'], title: 'A', targets: { categories: ['rpg', 'racing'] } },
        { id: 'b', slots: ['hero'], title: 'B', targets: { categories: ['racing', 'sports'] } },
      ],
    });
    expect(errors).toEqual([]);
    expect(catalog.interests).toEqual(['rpg', 'racing', 'sports']);
  });

  it.each([
    ['not an array', 'racing'],
    ['a non-id entry', ['racing', 7]],
    ['an empty id', ['']],
    ['too many', Array.from({ length: MAX_INTERESTS + 1 }, (_, i) => `c${i}`)],
  ])('malformed interests (%s): invalid-catalog, the default used, every creative kept', (_, interests) => {
    const { catalog, errors } = parse({ interests, creatives: [{ ...POOLED, targets: { categories: ['puzzles'] } }] });
    expect(errors.map((e) => e.code)).toEqual(['invalid-catalog']);
    expect(String(errors[0]!.details.reason)).toContain('interests');
    expect(catalog.interests).toEqual(['puzzles']);
    expect(catalog.creatives.map((c) => c.id)).toEqual(['a']);
  });

  it.each([
    ['priorStrength', { priorStrength: 0 }],
    ['priorStrength', { priorStrength: -5 }],
    ['priorStrength', { priorStrength: '400' }],
    ['priorStrength', { priorStrength: Infinity }],
    ['priorStrength', { priorStrength: 2e6 }],
    ['priorsByInterest', { priorsByInterest: [] }],
    ['priorsByInterest keys', { priorsByInterest: { '  ': { priorCtr: 0.05, priorStrength: 10 } } }],
    ['priorsByInterest', { priorsByInterest: { racing: 0.05 } }],
    ['priorsByInterest.racing.priorCtr', { priorsByInterest: { racing: { priorCtr: 1.2, priorStrength: 10 } } }],
    ['priorsByInterest.racing.priorStrength', { priorsByInterest: { racing: { priorCtr: 0.05 } } }],
    ['priorsByInterest.racing.priorStrength', { priorsByInterest: { racing: { priorCtr: 0.05, priorStrength: Number.NaN } } }],
  ])('malformed %s: invalid-catalog naming it, the creative kept on its own priorCtr without pooled priors', (field, fields) => {
    const { catalog, errors } = parse({ creatives: [{ ...POOLED, ...fields }, { id: 'b', slots: ['hero'], title: 'B' }] });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('invalid-catalog');
    expect(errors[0]!.details).toMatchObject({ index: 0, kept: 'without pooled priors' });
    expect(String(errors[0]!.details.reason)).toContain(field);
    const creative = catalog.creatives[0]!;
    expect(creative.id).toBe('a');
    expect(creative.priorCtr).toBe(0.03);
    expect(creative.priorStrength).toBeUndefined();
    expect(creative.priorsByInterest).toBeUndefined();
    expect(catalog.creatives.map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('an interest named __proto__ or constructor is just an interest', () => {
    const raw = JSON.parse('{"creatives":[{"id":"a","slots":["hero"],"title":"A","priorsByInterest":{"__proto__":{"priorCtr":0.5,"priorStrength":9},"constructor":{"priorCtr":0.4,"priorStrength":9}}}]}');
    const { catalog, errors } = parse(raw);
    expect(errors).toEqual([]);
    const creative = catalog.creatives[0]!;
    expect(choosePrior(creative, '__proto__', 100)).toEqual({ source: 'interest', interest: '__proto__', ctr: 0.5, strength: 9 });
    expect(choosePrior(creative, 'toString', 100).source).toBe('default');
    expect(({} as Record<string, unknown>).priorCtr).toBeUndefined();
  });
});

describe('choosePrior', () => {
  const creative = parse({ creatives: [POOLED] }).catalog.creatives[0]!;
  const plain: Creative = { id: 'p', slots: ['hero'], title: 'P', targets: { items: [], categories: [], segments: [] }, weight: 1 };

  it('the per-interest prior when the visitor has that interest', () => {
    expect(choosePrior(creative, 'racing', 100)).toEqual({ source: 'interest', interest: 'racing', ctr: 0.08, strength: 150 });
  });

  it('visitors without a main interest: the prior pooled over them (\'\') when the catalog has it', () => {
    const withNone = parse({ creatives: [{ ...POOLED, priorsByInterest: { '': { priorCtr: 0.04, priorStrength: 300 } } }] }).catalog.creatives[0]!;
    expect(choosePrior(withNone, '', 100)).toEqual({ source: 'interest', interest: '', ctr: 0.04, strength: 300 });
    expect(choosePrior(withNone, 'racing', 100)).toEqual({ source: 'creative', ctr: 0.03, strength: 400 });
  });

  it('else the creative’s pooled prior with its strength', () => {
    expect(choosePrior(creative, '', 100)).toEqual({ source: 'creative', ctr: 0.03, strength: 400 });
    expect(choosePrior(creative, 'sports', 100)).toEqual({ source: 'creative', ctr: 0.03, strength: 400 });
  });

  it('else the hand-set priorCtr with the option’s strength, else the default', () => {
    expect(choosePrior({ ...plain, priorCtr: 0.05 }, 'racing', 100)).toEqual({ source: 'creative', ctr: 0.05, strength: 100 });
    expect(choosePrior(plain, 'racing', 100)).toEqual({ source: 'default', ctr: 0.02, strength: 100 });
  });
});

describe('mainInterest', () => {
  const events = (counts: Record<string, number>) =>
    Object.entries(counts).flatMap(([category, n]) => Array.from({ length: n }, (_, i) => ({ type: 'view', item: `${category}-${i}`, category, time: T - i })));
  const profile = (counts: Record<string, number>) => buildProfile(events(counts), T, 7 * DAY);

  it('the listed category with the most affinity', () => {
    expect(mainInterest(profile({ racing: 5, rpg: 3 }), ['rpg', 'racing'])).toBe('racing');
  });

  it('only among the catalog’s interests, and only with ≥ 25% of the visitor’s category affinity', () => {
    expect(mainInterest(profile({ puzzles: 9, racing: 4 }), ['racing', 'rpg'])).toBe('racing');
    expect(mainInterest(profile({ puzzles: 9, racing: 2 }), ['racing', 'rpg'])).toBe('');
    expect(mainInterest(profile({}), ['racing'])).toBe('');
  });
});

describe('decideSlots with pooled priors', () => {
  const catalog = parse({
    interests: ['racing', 'rpg'],
    creatives: [
      { id: 'racing-week', slots: ['hero'], title: 'R', priorCtr: 0.02, priorStrength: 1000, priorsByInterest: { racing: { priorCtr: 0.09, priorStrength: 1000 } } },
      { id: 'rpg-week', slots: ['hero'], title: 'P', priorCtr: 0.03, priorStrength: 1000, priorsByInterest: { racing: { priorCtr: 0.01, priorStrength: 1000 } } },
    ],
  }).catalog;
  const input = (interest: string, arm: DecisionInput['arm'] = 'personalized'): DecisionInput => ({
    now: T, arm, profile: { items: new Map(), categories: new Map() }, segments: new Set(), interest, purchased: new Set(),
    stats: new Map(), random: createRandom(3),
    policy: { explore: false, priorStrength: 100, caps: {}, maxPerCategory: 1 },
  });

  it('a racing fan gets the creative racing fans click; a visitor without that interest the best overall', () => {
    const [fan] = decideSlots(['hero'], catalog.creatives, input('racing'));
    expect(fan!.creative!.id).toBe('racing-week');
    expect(fan!.interest).toBe('racing');
    expect(fan!.prior).toEqual({ source: 'interest', interest: 'racing', ctr: 0.09, strength: 1000 });
    const [other] = decideSlots(['hero'], catalog.creatives, input('rpg'));
    expect(other!.creative!.id).toBe('rpg-week');
    expect(other!.prior).toEqual({ source: 'creative', ctr: 0.03, strength: 1000 });
  });

  it('the control arm ignores the interest (the creative’s prior), but records it for the report', () => {
    const [control] = decideSlots(['hero'], catalog.creatives, input('racing', 'control'));
    expect(control!.creative!.id).toBe('rpg-week');
    expect(control!.interest).toBe('racing');
    expect(control!.prior!.source).toBe('creative');
    // Nor the prior of visitors without a main interest: the control arm is the same for everyone.
    const withNone = parse({
      creatives: catalog.creatives.map((c) => ({ ...c, priorsByInterest: { ...c.priorsByInterest, '': { priorCtr: c.id === 'racing-week' ? 0.5 : 0.01, priorStrength: 1000 } } })),
    }).catalog;
    const [none] = decideSlots(['hero'], withNone.creatives, input('', 'control'));
    expect(none!.creative!.id).toBe('rpg-week');
    expect(none!.prior).toEqual({ source: 'creative', ctr: 0.03, strength: 1000 });
    const [personal] = decideSlots(['hero'], withNone.creatives, input(''));
    expect(personal!.prior).toEqual({ source: 'interest', interest: '', ctr: 0.5, strength: 1000 });
  });

  it('why() says which prior was used', () => {
    const [decision] = decideSlots(['hero'], catalog.creatives, input('racing'));
    const explanation = explain(decision!, [], T, 7 * DAY, 'live');
    expect(explanation.prior).toEqual({ source: 'interest', interest: 'racing', ctr: 0.09, strength: 1000 });
    expect(explanation.interest).toBe('racing');
  });
});
