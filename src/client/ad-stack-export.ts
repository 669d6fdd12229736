import { toPrecisError } from '../core/errors';
import { exportToAdServer } from '../measure/ad-server-targeting';
import type { AddOn } from './lifecycle';

/**
 * Add-on: once the client is ready, passes the visitor's segments to Google Publisher
 * Tag as key-values. Data leaves for the ad server, so it needs `send` as well as
 * `personalize`.
 *
 * @example
 * startAddOns([adStackExport], context); // does nothing without GPT on the page
 */
export const adStackExport: AddOn = ({ session, consent, win, report, on }) =>
  on('ready', () => {
    if (!win || !consent.allows('personalize') || !consent.allows('send')) return;
    void session.profile().then((visitor) => exportToAdServer(win, visitor)).catch((cause: unknown) => report(toPrecisError(cause)));
  });
