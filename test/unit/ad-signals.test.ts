import { describe, expect, it } from 'vitest';
import { parseAudienceMapping } from '../../src/decide/audience-mapping';
import { buildAdSignals, CLEARED_GPT, parseAdSignals, toTargetingValue, toUserData } from '../../src/measure/ad-signals';
import { sendToGpt, sendToPrebid } from '../../src/measure/ad-stack';
import { allowsAdProfile } from '../../src/measure/prebid-consent';

const mapping = parseAudienceMapping({ categories: { racing: ['742'] }, segments: { 'cart-abandoner': ['971'] } }, () => {});
const visitor = { segments: ['interest:racing', 'cart-abandoner', 'returning', 'propensity:medium'], propensity: 0.3 };

describe('buildAdSignals', () => {
  it('gives GPT key-values within Ad Manager\'s limits, PPS and user.data with segtax 4', () => {
    const signals = buildAdSignals(visitor, mapping, { name: 'shop.example', siteSegments: false });
    expect(signals).toEqual({
      name: 'shop.example',
      gpt: {
        targeting: { precis_seg: ['interest:racing', 'cart-abandoner', 'returning', 'propensity:medium'], precis_pb: 'medium' },
        pps: { taxonomies: { IAB_AUDIENCE_1_1: { values: ['742', '971'] } } },
      },
      data: [{ name: 'shop.example', ext: { segtax: 4 }, segment: [{ id: '742' }, { id: '971' }] }],
    });
    for (const key of Object.keys(signals.gpt.targeting)) expect(key.length).toBeLessThanOrEqual(10);
  });

  it('adds the site\'s own segments without segtax only when asked', () => {
    const signals = buildAdSignals(visitor, undefined, { name: 'n', siteSegments: true });
    expect(signals.gpt.pps).toBeNull();
    expect(signals.data).toEqual([{ name: 'n', segment: visitor.segments.map((id) => ({ id })) }]);
  });

  it('makes any category name a safe value of at most 40 characters', () => {
    expect(toTargetingValue('interest:Racing Games!"=#')).toBe('interest:racing_games____');
    const long = buildAdSignals({ segments: [`interest:${'ü'.repeat(60)}`], propensity: 0.9 }, undefined, { name: 'n', siteSegments: false });
    const [value] = long.gpt.targeting.precis_seg as string[];
    expect(value).toMatch(/^[a-z0-9_:-]{1,40}$/);
    expect(long.gpt.targeting.precis_pb).toBe('high');
  });
});

describe('parseAdSignals', () => {
  it('keeps signals of the right shape and drops anything else', () => {
    const signals = buildAdSignals(visitor, mapping, { name: 'n', siteSegments: false });
    expect(parseAdSignals(JSON.parse(JSON.stringify(signals)))).toEqual(signals);
    for (const raw of [undefined, null, 'x', { name: 1, gpt: {}, data: [] }, { name: 'n', data: [] }, { name: 'n', gpt: { targeting: {} }, data: {} }]) {
      expect(parseAdSignals(raw)).toBeUndefined();
    }
  });
});

describe('sendToGpt', () => {
  it('queues setConfig where GPT has it, and setTargeting / clearTargeting where not', () => {
    const calls: unknown[][] = [];
    const pubads = { setTargeting: (...a: unknown[]) => calls.push(['set', ...a]), clearTargeting: (...a: unknown[]) => calls.push(['clear', ...a]) };
    const win = { googletag: { cmd: [] as Array<() => void>, pubads: () => pubads } } as unknown as Window & { googletag: { cmd: Array<() => void>; setConfig?: unknown } };
    const { gpt } = buildAdSignals(visitor, mapping, { name: 'n', siteSegments: false });
    sendToGpt(win, gpt);
    sendToGpt(win, CLEARED_GPT);
    expect(calls).toEqual([]); // queued until GPT runs its queue
    win.googletag.cmd.forEach((run) => run());
    expect(calls).toEqual([
      ['set', 'precis_seg', gpt.targeting.precis_seg], ['set', 'precis_pb', 'medium'],
      ['clear', 'precis_seg'], ['clear', 'precis_pb'],
    ]);
    calls.length = 0;
    win.googletag.setConfig = (config: unknown) => calls.push(['config', config]);
    sendToGpt(win, gpt);
    win.googletag.cmd.at(-1)!();
    expect(calls).toEqual([['config', gpt]]);
  });

  it('creates GPT\'s queue when GPT has not loaded yet', () => {
    const win = {} as Window & { googletag?: { cmd: unknown[] } };
    sendToGpt(win, CLEARED_GPT);
    expect(win.googletag!.cmd).toHaveLength(1);
  });
});

describe('sendToPrebid', () => {
  /** A Prebid stand-in whose mergeConfig appends to arrays, as Prebid's mergeDeep does. */
  function fakePrebid(): { config: { ortb2?: { user?: { data?: unknown[] }; site?: unknown } }; win: Window & { pbjs: { que: Array<() => void> } } } {
    const state: { config: { ortb2?: { user?: { data?: unknown[] }; site?: unknown } } } = { config: { ortb2: { site: { name: 's' }, user: { data: [{ name: 'other', segment: [{ id: '1' }] }] } } } };
    const pbjs = {
      que: [] as Array<() => void>,
      getConfig: () => structuredClone(state.config.ortb2),
      setConfig: (config: { ortb2: unknown }) => void (state.config.ortb2 = structuredClone(config.ortb2) as typeof state.config.ortb2),
      mergeConfig: (config: { ortb2: { user: { data: unknown[] } } }) => {
        const ortb2 = (state.config.ortb2 ??= {});
        ortb2.user = { ...ortb2.user, data: [...(ortb2.user?.data ?? []), ...structuredClone(config.ortb2.user.data)] };
      },
    };
    return { config: state.config, win: { pbjs } as unknown as Window & { pbjs: { que: Array<() => void> } } };
  }

  it('replaces Precis\'s entries, never duplicates them, and leaves the others alone', () => {
    const { config, win } = fakePrebid();
    const first = buildAdSignals(visitor, mapping, { name: 'shop', siteSegments: true });
    const second = buildAdSignals({ segments: ['interest:racing', 'returning'], propensity: 0.1 }, mapping, { name: 'shop', siteSegments: false });
    sendToPrebid(win, 'shop', first.data);
    sendToPrebid(win, 'shop', second.data);
    win.pbjs.que.forEach((run) => run());
    expect(config.ortb2).toEqual({
      site: { name: 's' },
      user: { data: [{ name: 'other', segment: [{ id: '1' }] }, { name: 'shop', ext: { segtax: 4 }, segment: [{ id: '742' }] }] },
    });
    sendToPrebid(win, 'shop', []);
    win.pbjs.que.at(-1)!();
    expect(config.ortb2!.user!.data).toEqual([{ name: 'other', segment: [{ id: '1' }] }]);
  });

  it('entries are built the OpenRTB way', () => {
    expect(toUserData('n', ['733'], ['returning'])).toEqual([
      { name: 'n', ext: { segtax: 4 }, segment: [{ id: '733' }] }, { name: 'n', segment: [{ id: 'returning' }] },
    ]);
    expect(toUserData('n', [], [])).toEqual([]);
  });
});

describe('allowsAdProfile', () => {
  const tcf = (consents: Record<number, boolean>) => ({ gdpr: { gdprApplies: true, vendorData: { purpose: { consents } } } });
  it('needs TCF purposes 1, 3 and 4 where GDPR applies', () => {
    expect(allowsAdProfile(tcf({ 1: true, 3: true, 4: true }))).toBe(true);
    expect(allowsAdProfile(tcf({ 1: true, 3: true }))).toBe(false);
    expect(allowsAdProfile({ gdpr: { gdprApplies: true } })).toBe(false);
    expect(allowsAdProfile({ gdpr: { gdprApplies: false } })).toBe(true);
    expect(allowsAdProfile(undefined)).toBe(true);
  });
  it('honours GPP opt-outs, the US Privacy string and GPC', () => {
    expect(allowsAdProfile({ gpp: { parsedSections: { usnat: { SaleOptOut: 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 } } } })).toBe(true);
    expect(allowsAdProfile({ gpp: { parsedSections: { usnat: { SaleOptOut: 2, TargetedAdvertisingOptOut: 1 } } } })).toBe(false);
    expect(allowsAdProfile({ gpp: { parsedSections: { usca: [{ SharingOptOut: 1 }] } } })).toBe(false);
    expect(allowsAdProfile({ usp: '1YYN' })).toBe(false);
    expect(allowsAdProfile({ usp: '1YNN' })).toBe(true);
    expect(allowsAdProfile({}, true)).toBe(false);
  });
});
