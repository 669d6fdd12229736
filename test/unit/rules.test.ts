import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/decide/bandit';
import type { Creative } from '../../src/decide/catalog';
import { decideSlots, type DecisionInput, type DecisionPolicy } from '../../src/decide/rank';
import { checkRules, type RuleName } from '../../src/decide/rules';
import type { CreativeStats } from '../../src/decide/visitor-stats';

const NOW = Date.UTC(2030, 0, 6, 12);
const EMPTY_PROFILE = { items: new Map<string, number>(), categories: new Map<string, number>() };
const POLICY: DecisionPolicy = { explore: false, priorStrength: 100, caps: {}, maxPerCategory: 1 };

function creative(id: string, extra: Partial<Creative> = {}): Creative {
  return { id, slots: ['hero', 'side'], title: id, targets: { items: [], categories: [], segments: [] }, weight: 1, ...extra };
}

function seen(partial: Partial<CreativeStats>): CreativeStats {
  return { impressions: 0, clicks: 0, today: 0, session: 0, dismissed: false, ...partial };
}

function input(extra: Partial<DecisionInput> = {}): DecisionInput {
  return {
    now: NOW, arm: 'personalized', profile: EMPTY_PROFILE, segments: new Set(), purchased: new Set(), stats: new Map(),
    policy: POLICY, random: createRandom(1), ...extra,
  };
}

/** The outcome of one rule for one creative. */
function outcome(c: Creative, rule: RuleName, extra: Partial<DecisionInput> = {}) {
  const found = checkRules(c, input(extra)).find((o) => o.rule === rule);
  if (!found) throw new Error(`no ${rule} outcome`);
  return found;
}

describe('checkRules', () => {
  it('reports every rule that depends on the creative and the visitor, in order', () => {
    expect(checkRules(creative('a'), input()).map((o) => [o.rule, o.passed])).toEqual([
      ['schedule', true], ['purchased', true], ['dismissed', true], ['segment', true], ['cap-day', true], ['cap-session', true],
    ]);
  });

  it('schedule: passes from start (inclusive) until end (exclusive)', () => {
    expect(outcome(creative('a', { start: NOW, end: NOW + 1 }), 'schedule').passed).toBe(true);
    expect(outcome(creative('a', { start: NOW + 1 }), 'schedule').passed).toBe(false);
    expect(outcome(creative('a', { end: NOW }), 'schedule').passed).toBe(false);
    expect(outcome(creative('a', { end: NOW }), 'schedule', { now: NOW - 1 }).passed).toBe(true);
  });

  it('purchased: fails only once the visitor bought every item the creative promotes', () => {
    const promo = creative('a', { targets: { items: ['x', 'y'], categories: [], segments: [] } });
    expect(outcome(promo, 'purchased', { purchased: new Set(['x']) }).passed).toBe(true);
    const bought = outcome(promo, 'purchased', { purchased: new Set(['x', 'y']) });
    expect(bought).toEqual({ rule: 'purchased', passed: false, detail: 'the visitor bought what it promotes' });
    // A creative that promotes no item is never "bought".
    expect(outcome(creative('b'), 'purchased', { purchased: new Set(['x', 'y']) }).passed).toBe(true);
  });

  it('dismissed: fails once the visitor dismissed the creative', () => {
    expect(outcome(creative('a'), 'dismissed', { stats: new Map([['a', seen({ impressions: 3 })]]) }).passed).toBe(true);
    expect(outcome(creative('a'), 'dismissed', { stats: new Map([['a', seen({ dismissed: true })]]) })).toEqual({
      rule: 'dismissed', passed: false, detail: 'the visitor dismissed it',
    });
    // Another creative's dismissal does not count.
    expect(outcome(creative('a'), 'dismissed', { stats: new Map([['b', seen({ dismissed: true })]]) }).passed).toBe(true);
  });

  it('cap-day: at most perDay viewable impressions in the last 24 hours', () => {
    const policy = { ...POLICY, caps: { perDay: 3 } };
    expect(outcome(creative('a'), 'cap-day', { policy, stats: new Map([['a', seen({ today: 2 })]]) })).toEqual({
      rule: 'cap-day', passed: true, detail: '2 of 3 in the last 24 hours',
    });
    expect(outcome(creative('a'), 'cap-day', { policy, stats: new Map([['a', seen({ today: 3, session: 0 })]]) }).passed).toBe(false);
    // Without a cap anything goes, and the detail still says how many.
    expect(outcome(creative('a'), 'cap-day', { stats: new Map([['a', seen({ today: 50 })]]) })).toEqual({
      rule: 'cap-day', passed: true, detail: 'no cap; 50 in the last 24 hours',
    });
  });

  it('cap-session: at most perSession viewable impressions in this session', () => {
    const policy = { ...POLICY, caps: { perSession: 2 } };
    expect(outcome(creative('a'), 'cap-session', { policy, stats: new Map([['a', seen({ today: 9, session: 1 })]]) })).toEqual({
      rule: 'cap-session', passed: true, detail: '1 of 2 this session',
    });
    expect(outcome(creative('a'), 'cap-session', { policy, stats: new Map([['a', seen({ today: 2, session: 2 })]]) }).passed).toBe(false);
  });

  it('the catalog’s caps override the options’ caps, field by field', () => {
    const policy = { ...POLICY, caps: { perDay: 1, perSession: 1 } };
    const generous = creative('a', { caps: { perDay: 5 } });
    const stats = new Map([['a', seen({ today: 2, session: 0 })]]);
    expect(outcome(generous, 'cap-day', { policy, stats })).toMatchObject({ passed: true, detail: '2 of 5 in the last 24 hours' });
    // perSession is not in the catalog entry, so the options' cap of 1 still holds.
    expect(outcome(generous, 'cap-session', { policy, stats: new Map([['a', seen({ today: 2, session: 1 })]]) }).passed).toBe(false);
    // A stricter catalog cap wins too.
    const strict = creative('b', { caps: { perDay: 1 } });
    expect(outcome(strict, 'cap-day', { policy: { ...POLICY, caps: { perDay: 10 } }, stats: new Map([['b', seen({ today: 1 })]]) }).passed)
      .toBe(false);
  });
});

describe('decideSlots: rules', () => {
  it('keeps out each creative that fails a rule and names the first rule it failed', () => {
    const creatives = [
      creative('ended', { weight: 9, end: NOW }),
      creative('bought', { weight: 9, targets: { items: ['x'], categories: [], segments: [] } }),
      creative('dismissed', { weight: 9 }),
      creative('daily', { weight: 9, caps: { perDay: 2 } }),
      creative('session', { weight: 9, caps: { perSession: 1 } }),
      creative('both', { weight: 9, start: NOW + 1, caps: { perDay: 1 } }),
      creative('fine'),
    ];
    const stats = new Map([
      ['dismissed', seen({ dismissed: true })],
      ['daily', seen({ impressions: 2, today: 2, session: 0 })],
      ['session', seen({ impressions: 1, today: 1, session: 1 })],
      ['both', seen({ impressions: 5, today: 5, session: 5 })],
    ]);
    const [decision] = decideSlots(['hero'], creatives, input({ stats, purchased: new Set(['x']) }));
    expect(decision!.creative!.id).toBe('fine');
    expect(decision!.excluded).toEqual([
      { creative: 'ended', rule: 'schedule' },
      { creative: 'bought', rule: 'purchased' },
      { creative: 'dismissed', rule: 'dismissed' },
      { creative: 'daily', rule: 'cap-day' },
      { creative: 'session', rule: 'cap-session' },
      { creative: 'both', rule: 'schedule' },
    ]);
    expect(decision!.rules.map((o) => o.rule)).toEqual([
      'schedule', 'purchased', 'dismissed', 'segment', 'cap-day', 'cap-session', 'slot', 'duplicate', 'category-limit',
    ]);
    expect(decision!.rules.every((o) => o.passed)).toBe(true);
  });

  it('segment: a creative that targets segments is only for visitors in one of them, and never for the control arm', () => {
    const c = creative('cart-reminder', { targets: { items: [], categories: [], segments: ['cart-abandoner', 'buyer'] } });
    expect(outcome(c, 'segment')).toEqual({ rule: 'segment', passed: false, detail: 'only for cart-abandoner, buyer' });
    expect(outcome(c, 'segment', { segments: new Set(['buyer']) })).toEqual({ rule: 'segment', passed: true, detail: 'the visitor is in buyer' });
    expect(outcome(c, 'segment', { segments: new Set(['buyer']), arm: 'control' }).passed).toBe(false);
    expect(outcome(creative('plain'), 'segment').passed).toBe(true);
  });

  it('each rule lets the same creatives through when it passes', () => {
    const creatives = [creative('capped', { weight: 9, caps: { perDay: 2, perSession: 2 } }), creative('fine')];
    const stats = new Map([['capped', seen({ impressions: 1, today: 1, session: 1 })]]);
    const [decision] = decideSlots(['hero'], creatives, input({ stats }));
    expect(decision!.creative!.id).toBe('capped');
    expect(decision!.excluded).toEqual([]);
  });

  it('slot: a creative only fills the slots it names, and is not "excluded" from the others', () => {
    const creatives = [creative('side-only', { weight: 9, slots: ['side'] }), creative('any')];
    const [hero, side] = decideSlots(['hero', 'side'], creatives, input());
    expect(hero!.creative!.id).toBe('any');
    expect(hero!.rules).toContainEqual({ rule: 'slot', passed: true, detail: 'it may fill hero' });
    expect(hero!.excluded).toEqual([]);
    expect(side!.creative!.id).toBe('side-only');
    // A rule-excluded creative is listed only for the slots it names.
    const ended = creative('ended-side', { slots: ['side'], end: NOW });
    const [hero2, side2] = decideSlots(['hero', 'side'], [...creatives, ended], input());
    expect(hero2!.excluded).toEqual([]);
    expect(side2!.excluded).toEqual([{ creative: 'ended-side', rule: 'schedule' }]);
  });

  it('duplicate: never the same creative twice on one page, nor one already shown (taken)', () => {
    const creatives = [creative('star', { weight: 5 }), creative('second', { weight: 2 })];
    const [hero, side] = decideSlots(['hero', 'side'], creatives, input());
    expect([hero!.creative!.id, side!.creative!.id]).toEqual(['star', 'second']);
    expect(side!.excluded).toEqual([{ creative: 'star', rule: 'duplicate' }]);
    expect(side!.rules).toContainEqual({ rule: 'duplicate', passed: true, detail: 'not yet on this page' });
    const [again] = decideSlots(['side'], creatives, input({ taken: new Set(['star']) }));
    expect(again!.creative!.id).toBe('second');
    expect(again!.excluded).toEqual([{ creative: 'star', rule: 'duplicate' }]);
  });

  it('category-limit: at most maxPerCategory creatives of one category across the slots of a page', () => {
    const creatives = [
      creative('racing-1', { weight: 5, category: 'racing' }),
      creative('racing-2', { weight: 4, category: 'racing' }),
      creative('rpg-1', { weight: 1, category: 'rpg' }),
      creative('plain', { weight: 0.5 }),
    ];
    const three = ['hero', 'side', 'side'];
    const one = decideSlots(three, creatives, input());
    expect(one.map((d) => d.creative?.id)).toEqual(['racing-1', 'rpg-1', 'plain']);
    expect(one[0]!.rules).toContainEqual({ rule: 'category-limit', passed: true, detail: '1 of 1 from racing on this page' });
    expect(one[1]!.excluded).toEqual([
      { creative: 'racing-1', rule: 'duplicate' },
      { creative: 'racing-2', rule: 'category-limit' },
    ]);
    expect(one[2]!.rules).toContainEqual({ rule: 'category-limit', passed: true, detail: 'no category' });

    const two = decideSlots(three, creatives, input({ policy: { ...POLICY, maxPerCategory: 2 } }));
    expect(two.map((d) => d.creative?.id)).toEqual(['racing-1', 'racing-2', 'rpg-1']);
    expect(two[1]!.rules).toContainEqual({ rule: 'category-limit', passed: true, detail: '2 of 2 from racing on this page' });
  });

  it('category-limit counts the creatives already on the page from an earlier decision (a lazy slot)', () => {
    const creatives = [creative('racing-1', { weight: 5, category: 'racing' }), creative('racing-2', { weight: 4, category: 'racing' }),
      creative('plain', { weight: 0.5 })];
    const [side] = decideSlots(['side'], creatives, input({ taken: new Set(['racing-1']) }));
    expect(side!.creative!.id).toBe('plain');
    expect(side!.excluded).toEqual([{ creative: 'racing-1', rule: 'duplicate' }, { creative: 'racing-2', rule: 'category-limit' }]);
  });

  it('a slot that nothing fits keeps its default content, and says which rules kept the candidates out', () => {
    const creatives = [creative('a', { category: 'racing' }), creative('b', { category: 'racing' }), creative('gone', { end: NOW })];
    const [hero, side] = decideSlots(['hero', 'side'], creatives, input());
    expect(hero!.creative!.id).toBe('a');
    expect(side).toMatchObject({ slot: 'side', creative: null, score: 0, probability: 1, rules: [], contributions: [] });
    expect(side!.excluded).toEqual([
      { creative: 'gone', rule: 'schedule' },
      { creative: 'a', rule: 'duplicate' },
      { creative: 'b', rule: 'category-limit' },
    ]);
  });
});
