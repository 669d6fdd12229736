// `precis/prebid-rtd`: a Prebid.js Real-Time Data submodule, for a publisher's own Prebid
// build. Importing it registers the submodule `precis` with Prebid's RTD module. Prebid's
// npm package exports only its public API, so the bundler maps `prebid.js/src/hook.js` to
// Prebid's hook module (README, "With your ad stack").
import { submodule } from 'prebid.js/src/hook.js';
import { readLocalState } from '../store/local-state';
import { parseAdSignals, type AdSignals } from './ad-signals';
import { allowsAdProfile, type PrebidUserConsent } from './prebid-consent';

/** `params` of the `precis` data provider in `realTimeData.dataProviders`. */
export interface PrecisRtdParams {
  /** The `dbName` Precis runs with on the site. Default `precis`. */
  dbName?: string;
}

/** The part of Prebid's request object an RTD submodule writes to. */
interface BidRequestConfig {
  ortb2Fragments: { global: { user?: { data?: Array<{ name?: string }> } } };
}

/**
 * The ad signals Precis left in localStorage for this site (built on this page or the
 * last one, with `personalize` and `send`), when Prebid's consent allows them too.
 */
function readSignals(params: PrecisRtdParams | undefined, consent: PrebidUserConsent | undefined): AdSignals | undefined {
  const gpc = (globalThis.navigator as { globalPrivacyControl?: boolean } | undefined)?.globalPrivacyControl === true;
  if (!allowsAdProfile(consent, gpc)) return undefined;
  const dbName = typeof params?.dbName === 'string' && params.dbName !== '' ? params.dbName : 'precis';
  return parseAdSignals((readLocalState(dbName) as { ads?: unknown } | undefined)?.ads);
}

/**
 * The submodule: `getBidRequestData` puts Precis's entries (IAB Audience Taxonomy 1.1
 * ids with segtax 4; with `siteSegments`, the site's own segments) into the auction's
 * global first-party data, `ortb2Fragments.global.user.data`, replacing the ones the
 * script tag set (same `name`), never duplicating them. It reads localStorage
 * synchronously, so it never delays the auction.
 *
 * @example
 * import 'precis/prebid-rtd';
 * pbjs.setConfig({ realTimeData: { dataProviders: [{ name: 'precis', params: { dbName: 'precis' } }] } });
 */
export const precisRtdSubmodule = {
  name: 'precis',
  init: (): boolean => true,
  getBidRequestData(
    request: BidRequestConfig,
    callback: () => void,
    config: { params?: PrecisRtdParams } | undefined,
    userConsent: PrebidUserConsent | undefined,
  ): void {
    try {
      const signals = readSignals(config?.params, userConsent);
      if (signals && signals.data.length > 0) {
        const user = (request.ortb2Fragments.global.user ||= {});
        user.data = [...(user.data ?? []).filter((entry) => entry?.name !== signals.name), ...signals.data];
      }
    } catch {
      // Unreadable storage: the auction goes on without Precis's data.
    }
    callback();
  },
};

submodule('realTimeData', precisRtdSubmodule);
