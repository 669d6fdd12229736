import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConsent, stateFromTcData } from '../../src/consent/consent';

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

  it('applies the default when the CMP never answers', async () => {
    vi.useFakeTimers();
    const { win } = cmpWindow();
    const consent = createConsent(win, { defaultPolicy: 'allow', tcf: { timeoutMs: 300 } });
    expect(consent.allows('store')).toBe(false);
    vi.advanceTimersByTime(300);
    await consent.settled;
    expect(consent.state()).toEqual({ store: true, personalize: true, send: true });
    expect(consent.refused('store')).toBe(false);
  });

  it('caps personalisation and sending under Global Privacy Control, whatever else says yes', () => {
    const consent = createConsent({ navigator: { globalPrivacyControl: true } } as unknown as Window, { defaultPolicy: 'allow', tcf: {} });
    consent.set({ personalize: true, send: true });
    expect(consent.state()).toEqual({ store: true, personalize: false, send: false });
  });
});
