import type { VisitorSegments } from '../decide/segments';

interface GoogleTag {
  cmd: { push(callback: () => void): unknown };
  pubads(): { setTargeting(key: string, value: string | string[]): unknown };
}

/**
 * Passes the visitor's segments and propensity band to Google Publisher Tag as
 * key-values (`precis_seg`, `precis_prop`), when GPT is on the page, so the site's ad
 * server can target them too. Does nothing without GPT. This sends data to the ad
 * server, so the caller checks the `send` permission first.
 *
 * @example
 * exportToAdServer(window, { segments: ['interest:racing'], propensity: 0.3 }); // true when GPT was there
 */
export function exportToAdServer(win: Window, visitor: VisitorSegments): boolean {
  const googletag = (win as unknown as { googletag?: GoogleTag }).googletag;
  if (!googletag || typeof googletag.cmd?.push !== 'function') return false;
  const band = visitor.propensity >= 0.5 ? 'high' : visitor.propensity >= 0.2 ? 'medium' : 'low';
  googletag.cmd.push(() => {
    const pubads = googletag.pubads();
    pubads.setTargeting('precis_seg', visitor.segments);
    pubads.setTargeting('precis_prop', band);
  });
  return true;
}
