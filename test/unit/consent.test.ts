import { afterEach, describe, expect, it, vi } from 'vitest';
import { combineSignals, createConsent, stateFromTcData, type ConsentSignals } from '../../src/consent/consent';
import { stateFromGppPing } from '../../src/consent/gpp';

type Listener = (data: object, success: boolean) => void;
function cmpWindow(extra: object = {}) {
  const listeners: Listener[] = [];
  const win = {
    navigator: {},
    __tcfapi: (command: string, version: number, callback: Listener) => {
      if (command === 'addEventListener' && version === 2) listeners.push(callback);
    },
    ...extra,
  };
  return { win: win as unknown as Window, answer: (data: object) => listeners.forEach((l) => l(data, true)) };
}
const consents = (ids: number[]) => Object.fromEntries(ids.map((id) => [id, true]));

afterEach(() => vi.useRealTimers());

describe('stateFromTcData', () => {
  it('maps purposes 1 (store), 1+3+4 (personalize) and 1 (send), and requires our vendor', () => {
    const data = { gdprApplies: true, purpose: { consents: consents([1, 3]) }, vendor: { consents: consents([42]) } };
    expect(stateFromTcData(data, { vendorId: 42 })).toEqual({ store: true, personalize: false, send: true });
    expect(stateFromTcData(data, { vendorId: 7 })).toEqual({ store: false, personalize: false, send: false });
    expect(stateFromTcData({ ...data, purpose: { consents: consents([1, 3, 4]) } }, {})).toEqual({ store: true, personalize: true, send: true });
  });
  it('allows everything where GDPR does not apply, and honours custom purposes', () => {
    expect(stateFromTcData({ gdprApplies: false }, { vendorId: 1 })).toEqual({ store: true, personalize: true, send: true });
    const data = { gdprApplies: true, purpose: { consents: consents([1, 7]) } };
    expect(stateFromTcData(data, { purposes: { send: [7] } }).send).toBe(true);
  });
});

describe('createConsent', () => {
  it('uses the default policy without a CMP, and the site’s explicit choice wins', () => {
    const changes: object[] = [];
    const consent = createConsent({ navigator: {} } as unknown as Window, { defaultPolicy: 'deny', tcf: {} });
    consent.on('change', (s) => changes.push(s));
    expect(consent.state()).toEqual({ store: false, personalize: false, send: false });
    expect(consent.refused('store')).toBe(false); // a default is not a refusal
    consent.set({ store: true, personalize: true });
    expect(consent.state()).toEqual({ store: true, personalize: true, send: false });
    consent.set({ store: false });
    expect(consent.refused('store')).toBe(true);
    expect(changes).toHaveLength(2);
  });

  it('denies everything while the CMP has not answered, then follows it', async () => {
    const { win, answer } = cmpWindow();
    const consent = createConsent(win, { defaultPolicy: 'allow', tcf: { vendorId: 5 } });
    expect(consent.state()).toEqual({ store: false, personalize: false, send: false });
    answer({ gdprApplies: true, eventStatus: 'cmpuishown', purpose: { consents: consents([1, 3, 4]) }, vendor: { consents: consents([5]) } });
    expect(consent.allows('store')).toBe(false); // the UI is showing: not an answer yet
    answer({ gdprApplies: true, eventStatus: 'useractioncomplete', purpose: { consents: consents([1, 3, 4]) }, vendor: { consents: consents([5]) } });
    await consent.settled;
    expect(consent.state()).toEqual({ store: true, personalize: true, send: true });
    answer({ gdprApplies: true, eventStatus: 'useractioncomplete', purpose: { consents: {} }, vendor: { consents: consents([5]) } });
    expect(consent.state()).toEqual({ store: false, personalize: false, send: false });
    expect(consent.refused('personalize')).toBe(true);
  });

  it('never grants when the CMP does not answer: the wait ends, the answer still counts later', async () => {
    vi.useFakeTimers();
    const { win, answer } = cmpWindow();
    const consent = createConsent(win, { defaultPolicy: 'allow', tcf: { timeoutMs: 300 } });
    expect(consent.allows('store')).toBe(false);
    vi.advanceTimersByTime(300);
    await consent.settled;
    expect(consent.state()).toEqual({ store: false, personalize: false, send: false });
    expect(consent.status()).toMatchObject({ pending: true, source: 'cmp' });
    expect(consent.refused('store')).toBe(false); // no answer is not a refusal: nothing earlier is deleted
    vi.advanceTimersByTime(60_000);
    expect(consent.allows('store')).toBe(false);
    answer({ gdprApplies: true, eventStatus: 'useractioncomplete', purpose: { consents: consents([1, 3, 4]) } });
    expect(consent.status()).toMatchObject({ pending: false, source: 'cmp', state: { store: true, personalize: true, send: true } });
  });

  it('caps personalisation and sending under Global Privacy Control, whatever else says yes', () => {
    const consent = createConsent({ navigator: { globalPrivacyControl: true } } as unknown as Window, { defaultPolicy: 'allow', tcf: {} });
    consent.set({ personalize: true, send: true });
    expect(consent.state()).toEqual({ store: true, personalize: false, send: false });
  });
});

describe('stateFromTcData: TCF v2.2 legal bases', () => {
  const tc = (extra: object) => ({ gdprApplies: true, eventStatus: 'tcloaded', ...extra });
  it('takes legitimate interest only for purposes that allow it (not 1, 3 or 4)', () => {
    const li = tc({ purpose: { consents: consents([1]), legitimateInterests: consents([3, 4, 7]) }, vendor: { consents: consents([9]), legitimateInterests: consents([9]) } });
    expect(stateFromTcData(li, { vendorId: 9 })).toEqual({ store: true, personalize: false, send: true });
    expect(stateFromTcData(li, { vendorId: 9, purposes: { send: [7] } }).send).toBe(true); // purpose 7 on LI
    const noVendorLi = tc({ purpose: { consents: consents([1]), legitimateInterests: consents([7]) }, vendor: { consents: consents([9]) } });
    expect(stateFromTcData(noVendorLi, { vendorId: 9, purposes: { send: [7] } }).send).toBe(false); // the visitor objected to our LI
  });
  it('follows the publisher restrictions for our vendor id: 0 not allowed, 1 consent, 2 legitimate interest', () => {
    const base = { purpose: { consents: consents([1, 3, 4, 7]), legitimateInterests: consents([7]) }, vendor: { consents: consents([9]), legitimateInterests: consents([9]) } };
    const restricted = (restrictions: object) => tc({ ...base, publisher: { restrictions } });
    expect(stateFromTcData(restricted({ 1: { 9: 0 } }), { vendorId: 9 })).toEqual({ store: false, personalize: false, send: false });
    expect(stateFromTcData(restricted({ 1: { 10: 0 } }), { vendorId: 9 })).toEqual({ store: true, personalize: true, send: true }); // another vendor
    expect(stateFromTcData(restricted({ 3: { 9: 2 } }), { vendorId: 9 }).personalize).toBe(false); // LI cannot serve purpose 3
    const onlyLi = tc({ ...base, purpose: { consents: consents([1]), legitimateInterests: consents([7]) }, publisher: { restrictions: { 7: { 9: 1 } } } });
    expect(stateFromTcData(onlyLi, { vendorId: 9, purposes: { send: [7] } }).send).toBe(false); // consent required, only LI given
    const onlyConsent = tc({ ...base, purpose: { consents: consents([1, 7]) }, publisher: { restrictions: { 7: { 9: 2 } } } });
    expect(stateFromTcData(onlyConsent, { vendorId: 9, purposes: { send: [7] } }).send).toBe(false); // LI required, only consent given
  });
});

describe('stateFromGppPing', () => {
  const ready = (parsedSections: Record<string, Record<string, unknown>>, applicableSections = [7]) => ({ signalStatus: 'ready', applicableSections, parsedSections });
  it('is undefined until the signal is ready', () => {
    expect(stateFromGppPing({ signalStatus: 'not ready', applicableSections: [0] }, {})).toBeUndefined();
  });
  it('caps personalize and send on a US opt-out of sale, sharing or targeted advertising (1 = opted out), or GPC', () => {
    const capped = { store: true, personalize: false, send: false };
    expect(stateFromGppPing(ready({ usnat: { SaleOptOut: 1, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 } }), {})).toEqual(capped);
    expect(stateFromGppPing(ready({ usnat: { SaleOptOut: 2, SharingOptOut: 1 } }), {})).toEqual(capped);
    expect(stateFromGppPing(ready({ usca: { SaleOptOut: 2, SharingOptOut: 2 }, usva: { TargetedAdvertisingOptOut: 1 } }, [9]), {})).toEqual(capped);
    expect(stateFromGppPing(ready({ uspv1: { OptOutSale: 1 } }, [6]), {})).toEqual(capped);
    expect(stateFromGppPing(ready({ usnat: { SaleOptOut: 2, Gpc: true } }), {})).toEqual(capped);
    expect(stateFromGppPing(ready({ usnat: { SaleOptOut: 2, SharingOptOut: 0, TargetedAdvertisingOptOut: 2 } }), {})).toEqual({ store: true, personalize: true, send: true });
    expect(stateFromGppPing(ready({}, [-1]), {})).toEqual({ store: true, personalize: true, send: true }); // no section applies
  });
  it('maps an applicable tcfeuv2 section as __tcfapi (purposes by index, vendors by id, restrictions as ranges)', () => {
    const purposes = (ids: number[]) => Array.from({ length: 24 }, (_, i) => ids.includes(i + 1));
    const section = { PurposeConsents: purposes([1, 3, 4]), PurposeLegitimateInterests: purposes([]), VendorConsents: [9], VendorLegitimateInterests: [], PublisherRestrictions: [] };
    expect(stateFromGppPing(ready({ tcfeuv2: section }, [2]), { vendorId: 9 })).toEqual({ store: true, personalize: true, send: true });
    expect(stateFromGppPing(ready({ tcfeuv2: section }, [2]), { vendorId: 8 })).toEqual({ store: false, personalize: false, send: false });
    const restricted = { ...section, PublisherRestrictions: [{ key: 3, type: 0, ids: [9] }] };
    expect(stateFromGppPing(ready({ tcfeuv2: restricted }, [2]), { vendorId: 9 })).toEqual({ store: true, personalize: false, send: true });
    expect(stateFromGppPing(ready({}, [2]), {})).toEqual({ store: false, personalize: false, send: false }); // applies, but no choice recorded
    expect(stateFromGppPing(ready({ tcfeuv2: { PurposeConsents: purposes([]) } }, [7]), {})).toEqual({ store: true, personalize: true, send: true }); // not in force
  });
});

describe('combineSignals: the consent state machine', () => {
  const signals = (extra: Partial<ConsentSignals>): ConsentSignals => ({ defaultPolicy: 'allow', tcf: undefined, gpp: undefined, gpc: false, site: {}, ...extra });
  const all = (value: boolean) => ({ store: value, personalize: value, send: value });
  it('without a CMP: the default, then the site decides', () => {
    expect(combineSignals(signals({}))).toMatchObject({ state: all(true), source: 'default', pending: false });
    expect(combineSignals(signals({ defaultPolicy: 'deny', site: { store: true, personalize: true, send: true } }))).toMatchObject({ state: all(true), source: 'site' });
  });
  it('pending: nothing while a CMP has not answered, whatever the default or the site says', () => {
    const pending = combineSignals(signals({ tcf: 'pending', site: { store: true, personalize: true, send: true } }));
    expect(pending).toMatchObject({ state: all(false), source: 'cmp', pending: true });
    expect(combineSignals(signals({ gpp: 'pending' }))).toMatchObject({ state: all(false), source: 'gpp', pending: true });
    // Both present: the TCF answer is not enough while GPP is silent.
    expect(combineSignals(signals({ tcf: all(true), gpp: 'pending' }))).toMatchObject({ state: all(false), source: 'gpp', pending: true });
  });
  it('granted, refused, withdrawn by the site: the site can only take away when a CMP is present', () => {
    expect(combineSignals(signals({ tcf: all(true) }))).toMatchObject({ state: all(true), source: 'cmp', pending: false });
    expect(combineSignals(signals({ tcf: all(false), site: all(true) }))).toMatchObject({ state: all(false), source: 'cmp' });
    const withdrawn = combineSignals(signals({ tcf: all(true), site: { personalize: false } }));
    expect(withdrawn).toMatchObject({ state: { store: true, personalize: false, send: true }, source: 'site' });
    expect(withdrawn.decidedBy).toEqual({ store: 'cmp', personalize: 'site', send: 'cmp' });
  });
  it('GPP caps what TCF grants; GPC caps everything else', () => {
    const both = combineSignals(signals({ tcf: all(true), gpp: { store: true, personalize: false, send: false } }));
    expect(both).toMatchObject({ state: { store: true, personalize: false, send: false }, source: 'gpp', decidedBy: { store: 'cmp', personalize: 'gpp', send: 'gpp' } });
    expect(combineSignals(signals({ gpp: all(true) }))).toMatchObject({ state: all(true), source: 'gpp' });
    expect(combineSignals(signals({ tcf: all(true), gpc: true }))).toMatchObject({ state: { store: true, personalize: false, send: false }, source: 'gpc' });
  });
});

describe('createConsent with a GPP CMP', () => {
  function gppWindow() {
    const listeners: Array<(event: object, ok: boolean) => void> = [];
    const removed: number[] = [];
    const win = {
      navigator: {},
      __gpp: (command: string, callback: (event: object, ok: boolean) => void, parameter?: number) => {
        if (command === 'addEventListener') {
          listeners.push(callback);
          callback({ eventName: 'listenerRegistered', listenerId: 1001, data: true, pingData: { signalStatus: 'not ready', applicableSections: [0] } }, true);
        }
        if (command === 'removeEventListener') removed.push(parameter!);
      },
    };
    const fire = (pingData: object) => listeners.forEach((l) => l({ eventName: 'signalStatus', listenerId: 1001, data: 'ready', pingData }, true));
    return { win: win as unknown as Window, fire, removed };
  }
  it('waits for the signal, applies opt-outs, and removes its listener on dispose', async () => {
    const { win, fire, removed } = gppWindow();
    const consent = createConsent(win, { defaultPolicy: 'allow', tcf: {} });
    expect(consent.status()).toMatchObject({ pending: true, source: 'gpp', state: { store: false } });
    fire({ signalStatus: 'ready', applicableSections: [7], parsedSections: { usnat: { SaleOptOut: 1 } } });
    await consent.settled;
    expect(consent.status()).toMatchObject({ pending: false, source: 'gpp', state: { store: true, personalize: false, send: false } });
    consent.dispose();
    expect(removed).toEqual([1001]);
  });
});

describe('createConsent with the TCF stub', () => {
  it('removes its listener with the CMP’s listener id, also when disposed before the CMP loaded', () => {
    const queue: unknown[][] = [];
    const removed: unknown[] = [];
    const win = { navigator: {}, __tcfapi: (...args: unknown[]) => void queue.push(args) } as { navigator: object; __tcfapi: (...args: unknown[]) => void };
    const consent = createConsent(win as unknown as Window, { defaultPolicy: 'allow', tcf: {} });
    consent.dispose();
    // The CMP loads, replaces the stub and answers the queued call (listener id 0 is valid).
    win.__tcfapi = (command: unknown, _v: unknown, _cb: unknown, parameter: unknown) => {
      if (command === 'removeEventListener') removed.push(parameter);
    };
    const [, , callback] = queue[0] as [string, number, (data: object, ok: boolean) => void];
    callback({ gdprApplies: true, eventStatus: 'tcloaded', listenerId: 0, purpose: { consents: consents([1]) } }, true);
    expect(removed).toEqual([0]);
    expect(consent.allows('store')).toBe(false); // disposed: the answer no longer counts
  });
});
