import { CLEARED_GPT, type AdSignals } from './ad-signals';
import { sendToGpt, sendToPrebid } from './ad-stack';

/** Keeps GPT and Prebid.js up to date with the visitor's ad signals on this page. */
export interface AdExport {
  /** Sends the signals when they changed; undefined withdraws Precis's (consent withdrawn). */
  publish(signals: AdSignals | undefined): void;
}

/**
 * Passes the visitor's ad signals to the page's ad stack whenever they change: GPT's
 * page-level targeting and PPS (see `sendToGpt`), Prebid.js's first-party `user.data`
 * under `name` (see `sendToPrebid`). Withdrawn signals are cleared from the stacks
 * already on the page (the script tag may have set them from the last page's cache).
 * The caller checks consent.
 *
 * @example
 * const ads = createAdExport(window, 'shop.example');
 * ads.publish(buildAdSignals(visitor, catalog.audience, settings));
 */
export function createAdExport(win: Window, name: string): AdExport {
  let sent: string | undefined;
  return {
    publish(signals) {
      const key = JSON.stringify(signals ?? null);
      if (key === sent) return;
      sent = key;
      const stacks = win as unknown as { googletag?: unknown; pbjs?: unknown };
      if (signals || stacks.googletag) sendToGpt(win, signals?.gpt ?? CLEARED_GPT);
      if (signals || stacks.pbjs) sendToPrebid(win, name, signals?.data ?? []);
    },
  };
}
