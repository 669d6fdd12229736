import type { CmpListenerProtocol } from './cmp-listener';

/** What the visitor allows: anything persisted, decisions from their profile, anything sent. */
export type Permission = 'store' | 'personalize' | 'send';
export type ConsentState = Readonly<Record<Permission, boolean>>;

/** IAB TCF v2.2 settings: which purposes grant which permission, and our vendor id. */
export interface TcfOptions {
  /** Our IAB vendor id; when set, our vendor consent (or legitimate interest) and the publisher's restrictions for us count too. */
  vendorId?: number;
  /** Purposes required per permission. Default: store [1], personalize [1, 3, 4], send [1]. */
  purposes?: Partial<Record<Permission, number[]>>;
  /**
   * How long Precis waits for the CMP (TCF or GPP) before it goes on without consent:
   * slots then show what is not personalised, and nothing is stored until the CMP says
   * yes. Waiting never grants anything. Default 1,000 ms.
   */
  timeoutMs?: number;
}

/** `{ "1": true, "2": false }`, as the TCF API encodes purposes and vendors. */
type BooleanVector = Record<string, boolean | undefined>;

/** The part of a TCF `tcData` object Precis reads (as `@iabtcf/cmpapi` builds it). */
export interface TcData {
  gdprApplies?: boolean;
  eventStatus?: string;
  listenerId?: number;
  purpose?: { consents?: BooleanVector; legitimateInterests?: BooleanVector };
  vendor?: { consents?: BooleanVector; legitimateInterests?: BooleanVector };
  /** `restrictions[purpose][vendorId]`: 0 not allowed, 1 require consent, 2 require legitimate interest. */
  publisher?: { restrictions?: Record<string, Record<string, number | undefined> | undefined> };
}

export const ALL_PERMISSIONS: readonly Permission[] = ['store', 'personalize', 'send'];
const DEFAULT_PURPOSES: Record<Permission, number[]> = { store: [1], personalize: [1, 3, 4], send: [1] };
/** TCF v2.2: these purposes may only be processed with consent, never on legitimate interest. */
const CONSENT_ONLY = new Set([1, 3, 4, 5, 6]);
const RESTRICTION = { notAllowed: 0, requireConsent: 1, requireLegitimateInterest: 2 } as const;

/** Every permission set to `value`. */
export const everything = (value: boolean): ConsentState => ({ store: value, personalize: value, send: value });

/**
 * Whether the TC data lets us process for `purpose`: the visitor's consent (and our
 * vendor's) or, where TCF v2.2 allows it, their not objecting to legitimate interest —
 * as the publisher's restriction for our vendor id narrows it.
 */
function allowsPurpose(data: TcData, purpose: number, vendorId: number | undefined): boolean {
  const restriction = vendorId === undefined ? undefined : data.publisher?.restrictions?.[purpose]?.[vendorId];
  if (restriction === RESTRICTION.notAllowed) return false;
  const vendorHas = (vector: BooleanVector | undefined): boolean => vendorId === undefined || vector?.[vendorId] === true;
  const consented = data.purpose?.consents?.[purpose] === true && vendorHas(data.vendor?.consents);
  const byInterest = data.purpose?.legitimateInterests?.[purpose] === true && vendorHas(data.vendor?.legitimateInterests);
  // "Require legitimate interest" on a consent-only purpose leaves no legal basis at all.
  if (CONSENT_ONLY.has(purpose)) return restriction !== RESTRICTION.requireLegitimateInterest && consented;
  if (restriction === RESTRICTION.requireConsent) return consented;
  if (restriction === RESTRICTION.requireLegitimateInterest) return byInterest;
  return consented || byInterest;
}

/**
 * State from a TCF answer: each permission needs all its purposes. Where GDPR does not
 * apply (`gdprApplies: false`) TCF restricts nothing.
 *
 * @example
 * stateFromTcData({ gdprApplies: true, purpose: { consents: { 1: true } } }, {});
 * // { store: true, personalize: false, send: true }
 */
export function stateFromTcData(data: TcData, tcf: TcfOptions): ConsentState {
  if (data.gdprApplies === false) return everything(true);
  const purposes = { ...DEFAULT_PURPOSES, ...tcf.purposes };
  const granted = (permission: Permission): boolean =>
    purposes[permission].every((purpose) => allowsPurpose(data, purpose, tcf.vendorId));
  return { store: granted('store'), personalize: granted('personalize'), send: granted('send') };
}

/** True when the TC data is the visitor's choice (stored, or just made), not a banner still waiting. */
export const isTcAnswer = (data: TcData): boolean =>
  data.gdprApplies === false || data.eventStatus === 'tcloaded' || data.eventStatus === 'useractioncomplete';

/** `__tcfapi`'s listener commands (TCF v2.2 CMP API). */
export const TCF_PROTOCOL: CmpListenerProtocol<TcData> = {
  add: (call, callback) => call('addEventListener', 2, callback),
  remove: (call, listenerId) => call('removeEventListener', 2, () => {}, listenerId),
};
