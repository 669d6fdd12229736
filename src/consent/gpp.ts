import type { CmpListenerProtocol } from './cmp-listener';
import { everything, stateFromTcData, type ConsentState, type TcData, type TcfOptions } from './tcf';

/** A GPP section as `@iabgpp/cmpapi` parses it into `pingData.parsedSections`: field name → value. */
type GppSection = Record<string, unknown>;

/** The part of a GPP `PingReturn` Precis reads (GPP CMP API 1.1). */
export interface GppPing {
  /** `ready` once the CMP knows the visitor's choices; `not ready` while it loads or its UI waits. */
  signalStatus?: string;
  /** The section ids in force: 2 is the EU TCF, -1 none, 0 not known yet. */
  applicableSections?: number[];
  parsedSections?: Record<string, GppSection | GppSection[] | undefined>;
}

/** What `__gpp('addEventListener', …)` calls back with. */
export interface GppEvent {
  eventName?: string;
  listenerId?: number;
  pingData?: GppPing;
}

const TCF_EU_SECTION = 2;
/** The US opt-out fields (GPP US sections: 1 = opted out, 2 = did not, 0 = not applicable; `uspv1`'s OptOutSale alike). */
const OPT_OUT_FIELDS = ['SaleOptOut', 'SharingOptOut', 'TargetedAdvertisingOptOut', 'OptOutSale'];

/** The `tcfeuv2` section's fields as the TCF API would report them. */
function tcDataFromSection(section: GppSection): TcData {
  const flags = (value: unknown): Record<string, boolean> =>
    Object.fromEntries((Array.isArray(value) ? value : []).map((flag, index) => [index + 1, flag === true]));
  const ids = (value: unknown): Record<string, boolean> =>
    Object.fromEntries((Array.isArray(value) ? value : []).map((id) => [id, true]));
  const restrictions: Record<string, Record<string, number>> = {};
  for (const entry of Array.isArray(section.PublisherRestrictions) ? section.PublisherRestrictions : []) {
    const { key, type, ids: vendors } = (entry ?? {}) as { key?: number; type?: number; ids?: number[] };
    if (typeof key !== 'number' || typeof type !== 'number' || !Array.isArray(vendors)) continue;
    for (const vendor of vendors) (restrictions[key] ??= {})[vendor] = type;
  }
  return {
    gdprApplies: true,
    purpose: { consents: flags(section.PurposeConsents), legitimateInterests: flags(section.PurposeLegitimateInterests) },
    vendor: { consents: ids(section.VendorConsents), legitimateInterests: ids(section.VendorLegitimateInterests) },
    publisher: { restrictions },
  };
}

/** True when a US section records an opt-out of sale, sharing or targeted advertising, or a GPC signal. */
function optsOut(section: GppSection): boolean {
  return OPT_OUT_FIELDS.some((field) => section[field] === 1) || section.Gpc === true;
}

/**
 * State from a GPP ping, or undefined while the CMP's signal is not ready. The EU TCF
 * section (when it applies) maps as `__tcfapi` does; an opt-out in any US section of the
 * visitor's GPP string (national or state) caps `personalize` and `send`, as Global
 * Privacy Control does. Without either, GPP restricts nothing.
 *
 * @example
 * stateFromGppPing({ signalStatus: 'ready', applicableSections: [7], parsedSections: { usnat: { SaleOptOut: 1 } } }, {});
 * // { store: true, personalize: false, send: false }
 */
export function stateFromGppPing(ping: GppPing, tcf: TcfOptions): ConsentState | undefined {
  if (ping.signalStatus !== 'ready') return undefined;
  const sections = ping.parsedSections ?? {};
  let state = everything(true);
  if ((ping.applicableSections ?? []).includes(TCF_EU_SECTION)) {
    const section = sections.tcfeuv2;
    // Some CMPs hand a section over as its segments: their fields together.
    const fields = Array.isArray(section) ? Object.assign({}, ...section) as GppSection : section;
    state = fields ? stateFromTcData(tcDataFromSection(fields), tcf) : everything(false);
  }
  const usSections = Object.entries(sections).filter(([name]) => name.startsWith('us'));
  if (usSections.some(([, section]) => [section].flat().some((part) => part && optsOut(part)))) {
    state = { ...state, personalize: false, send: false };
  }
  return state;
}

/** `__gpp`'s listener commands (GPP CMP API 1.1): every event carries the ping data. */
export const GPP_PROTOCOL: CmpListenerProtocol<GppEvent> = {
  add: (call, callback) => call('addEventListener', callback),
  remove: (call, listenerId) => call('removeEventListener', () => {}, listenerId),
};
