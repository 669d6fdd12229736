/** The consent Prebid.js hands its modules (`userConsent`), as far as Precis reads it. */
export interface PrebidUserConsent {
  gdpr?: { gdprApplies?: boolean; vendorData?: { purpose?: { consents?: Record<string, boolean | undefined> } } } | null;
  gpp?: { parsedSections?: Record<string, unknown> } | null;
  /** The US Privacy string, e.g. `1YYN` (the third character `Y`: opted out of sale). */
  usp?: string | null;
}

/** TCF purposes a profile needs to select ads: store/read (1), create (3) and use (4) personalised-ads profiles. */
const TCF_PURPOSES = [1, 3, 4];
/** GPP US sections' opt-out fields; 1 means the visitor opted out. */
const GPP_OPT_OUTS = ['SaleOptOut', 'SharingOptOut', 'TargetedAdvertisingOptOut'];

const optedOut = (section: unknown): boolean =>
  Array.isArray(section) ? section.some(optedOut)
    : typeof section === 'object' && section !== null && GPP_OPT_OUTS.some((field) => (section as Record<string, unknown>)[field] === 1);

/**
 * Whether the consent Prebid.js gathered lets a profile reach bidders: where GDPR
 * applies, TCF purposes 1, 3 and 4 need consent; any GPP section with a sale, sharing or
 * targeted-advertising opt-out, a US Privacy opt-out, or Global Privacy Control says no.
 *
 * @example
 * allowsAdProfile({ gdpr: { gdprApplies: true, vendorData: { purpose: { consents: { 1: true, 3: true, 4: true } } } } }); // true
 * allowsAdProfile({ gpp: { parsedSections: { usnat: { SaleOptOut: 2, TargetedAdvertisingOptOut: 1 } } } }); // false
 */
export function allowsAdProfile(consent: PrebidUserConsent | undefined, gpc = false): boolean {
  const gdpr = consent?.gdpr;
  if (gdpr?.gdprApplies === true && !TCF_PURPOSES.every((purpose) => gdpr.vendorData?.purpose?.consents?.[purpose] === true)) return false;
  if (Object.values(consent?.gpp?.parsedSections ?? {}).some(optedOut)) return false;
  if (consent?.usp?.[2] === 'Y') return false;
  return !gpc;
}
