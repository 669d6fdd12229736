// The test pages' Prebid.js: Prebid 11 from npm, bundled by esbuild as a publisher's build
// would be, with a bid adapter that records what each auction would send to a bidder
// (`bidderRequest.ortb2`) and sends nothing.
import pbjs from 'prebid.js';
import 'prebid.js/modules/rtdModule';

declare global {
  interface Window {
    /** `bidderRequest.ortb2` of every auction, in order. */
    recordedOrtb2: unknown[];
    /** When each auction asked the bidder (ms since navigation start). */
    auctionTimes: number[];
    /** Runs one more auction. */
    runAuction(): void;
  }
}

/**
 * Registers the recording adapter, applies the page's own config, starts Prebid and runs
 * the first auction at once.
 */
export function runRecordedAuctions(config: Record<string, unknown> = {}): void {
  window.recordedOrtb2 = [];
  window.auctionTimes = [];
  pbjs.registerBidAdapter(undefined, 'recorder', {
    code: 'recorder',
    supportedMediaTypes: ['banner'],
    isBidRequestValid: () => true,
    buildRequests(_requests, bidderRequest) {
      window.recordedOrtb2.push(JSON.parse(JSON.stringify(bidderRequest.ortb2 ?? null)));
      window.auctionTimes.push(performance.now());
      return [];
    },
    interpretResponse: () => [],
  });
  pbjs.processQueue();
  pbjs.que.push(() => {
    pbjs.setConfig(config);
    pbjs.addAdUnits([{ code: 'ad-top', mediaTypes: { banner: { sizes: [[300, 250]] } }, bids: [{ bidder: 'recorder', params: {} }] }]);
    window.runAuction = () => void pbjs.requestBids({});
    window.runAuction();
  });
}
