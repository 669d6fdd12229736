// A consent-management platform built from the IAB's own libraries, bundled by esbuild into
// the consent tests' pages (test/browser/cmp-helpers.ts). It behaves as real CMPs do: the
// stubs (`@iabtcf/stub`, and a GPP stub written to the GPP CMP API 1.1) are on the page
// before Precis; the CMP itself (`@iabtcf/cmpapi`, `@iabgpp/cmpapi`) loads later and
// answers from the visitor's stored choice, or shows its banner and waits for a click.
// @ts-expect-error -- the stub ships without types: a function that installs `__tcfapi`
import installTcfStub from '@iabtcf/stub';
import { CmpApi } from '@iabtcf/cmpapi';
import { GVL, PurposeRestriction, TCModel, TCString } from '@iabtcf/core';
import { CmpApi as GppCmpApi } from '@iabgpp/cmpapi';

/** A visitor's TCF choice. */
export interface TcChoice {
  purposes: number[];
  vendors: number[];
  purposeLegitimateInterests?: number[];
  vendorLegitimateInterests?: number[];
  /** [purpose, vendor, restriction type]: 0 not allowed, 1 require consent, 2 require legitimate interest. */
  restrictions?: Array<[number, number, number]>;
}

/** What the test page's CMPs do; absent: that CMP is not on the page. */
export interface CmpScenario {
  tcf?: {
    /** The stored choice the CMP answers with (`tcloaded`); absent: a new visitor, the banner shows (`cmpuishown`). */
    stored?: TcChoice;
    /** False: GDPR does not apply (`update(null)`). */
    gdprApplies?: boolean;
    /** When the CMP script arrives, in ms after the stub; null: never (blocked, broken). Default 300. */
    loadAfterMs?: number | null;
  };
  gpp?: {
    /** US National section fields (e.g. `{ SaleOptOut: 1 }`); absent: the banner shows, signal not ready. */
    usnat?: Record<string, number>;
    loadAfterMs?: number | null;
  };
}

declare global {
  interface Window {
    cmpScenario?: CmpScenario;
    /** For the tests: the visitor clicks in the banner (or changes their mind later). */
    testCmp: {
      answerTcf(choice: TcChoice): void;
      answerGpp(usnat: Record<string, number>): void;
      /** When each CMP first gave the visitor's choice (performance.now()). */
      answeredAt: { tcf?: number; gpp?: number };
    };
    __gpp?: unknown;
  }
}

const purpose = (id: number) => ({ id, name: `Purpose ${id}`, description: '', illustrations: [] });
const vendor = (id: number) => ({
  id, name: `Vendor ${id}`, purposes: [1, 3, 4], legIntPurposes: [7], flexiblePurposes: [3, 7], specialPurposes: [],
  features: [], specialFeatures: [], policyUrl: 'https://vendor.example/privacy', usesCookies: false,
  cookieRefresh: false, usesNonCookieAccess: false, deviceStorageDisclosureUrl: '',
});
// A small Global Vendor List: purposes 1–11 and two vendors, 77 (Precis, in the tests) and 88.
const gvl = new GVL({
  gvlSpecificationVersion: 3, vendorListVersion: 1, tcfPolicyVersion: 5, lastUpdated: '2026-01-01T00:00:00Z',
  purposes: Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((id) => [id, purpose(id)])),
  specialPurposes: {}, features: {}, specialFeatures: {}, stacks: {}, dataCategories: {},
  vendors: { 77: vendor(77), 88: vendor(88) },
} as unknown as ConstructorParameters<typeof GVL>[0]);

function encodeTcString(choice: TcChoice): string {
  const model = new TCModel(gvl);
  model.cmpId = 10;
  model.cmpVersion = 1;
  model.isServiceSpecific = true;
  model.purposeConsents.set(choice.purposes);
  model.vendorConsents.set(choice.vendors);
  model.purposeLegitimateInterests.set(choice.purposeLegitimateInterests ?? []);
  model.vendorLegitimateInterests.set(choice.vendorLegitimateInterests ?? []);
  for (const [purposeId, vendorId, type] of choice.restrictions ?? []) {
    model.publisherRestrictions.add(vendorId, new PurposeRestriction(purposeId, type));
  }
  return TCString.encode(model);
}

/** The GPP stub: queues calls, registers listeners (handed to the CMP through 'events'), answers ping. */
function installGppStub(): void {
  const queue: unknown[][] = [];
  const events: Array<{ id: number; callback: (event: object, ok: boolean) => void; parameter: unknown }> = [];
  let lastId = 0;
  const pingData = () => ({ gppVersion: '1.1', cmpStatus: 'stub', cmpDisplayStatus: 'hidden', signalStatus: 'not ready', supportedAPIs: [], cmpId: 0, sectionList: [], applicableSections: [0], gppString: '', parsedSections: {} });
  window.__gpp = (...args: unknown[]) => {
    const [command, callback, parameter] = args as [string | undefined, ((data: unknown, ok: boolean) => void) | undefined, unknown];
    if (command === undefined) return queue;
    if (command === 'events') return events;
    if (command === 'ping') callback?.(pingData(), true);
    else if (command === 'addEventListener') {
      lastId += 1;
      events.push({ id: lastId, callback: callback as (event: object, ok: boolean) => void, parameter });
      callback?.({ eventName: 'listenerRegistered', listenerId: lastId, data: true, pingData: pingData() }, true);
    } else if (command === 'removeEventListener') {
      const index = events.findIndex((event) => event.id === parameter);
      if (index >= 0) events.splice(index, 1);
      callback?.({ eventName: 'listenerRemoved', listenerId: parameter, data: index >= 0, pingData: pingData() }, true);
    } else queue.push(args);
    return undefined;
  };
}

const scenario = window.cmpScenario ?? {};
window.testCmp = { answerTcf: () => {}, answerGpp: () => {}, answeredAt: {} };
const later = (ms: number | null | undefined, run: () => void): void => {
  if (ms !== null) setTimeout(run, ms ?? 300);
};

if (scenario.tcf) {
  const tcf = scenario.tcf;
  (installTcfStub as unknown as () => void)();
  later(tcf.loadAfterMs, () => {
    const cmp = new CmpApi(10, 1, true);
    window.testCmp.answerTcf = (choice) => {
      cmp.update(encodeTcString(choice), false);
      window.testCmp.answeredAt.tcf ??= performance.now();
    };
    if (tcf.gdprApplies === false) cmp.update(null);
    else if (tcf.stored) window.testCmp.answerTcf(tcf.stored);
    else cmp.update('', true); // the banner shows
  });
}

if (scenario.gpp) {
  const gpp = scenario.gpp;
  installGppStub();
  later(gpp.loadAfterMs, () => {
    const cmp = new GppCmpApi(10, 1);
    cmp.setApplicableSections([7]);
    cmp.setCmpStatus('loaded' as never);
    window.testCmp.answerGpp = (usnat) => {
      for (const [field, value] of Object.entries(usnat)) cmp.setFieldValue('usnat', field, value);
      cmp.setCmpDisplayStatus('hidden' as never);
      cmp.setSignalStatus('ready' as never);
      cmp.fireSectionChange('usnat');
      window.testCmp.answeredAt.gpp ??= performance.now();
    };
    if (gpp.usnat) window.testCmp.answerGpp(gpp.usnat);
    else cmp.setCmpDisplayStatus('visible' as never); // the banner shows; the signal is not ready
  });
}
