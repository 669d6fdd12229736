import { batchCalls } from '../core/batch';
import { guardAsync, guardSync } from '../core/guard';
import { createAdExport } from '../measure/ad-export';
import { buildAdSignals, type AdSignals } from '../measure/ad-signals';
import type { AddOn } from './lifecycle';

// Batched like the decisions made ahead: signals follow what the profile depends on.
const EXPORT_DELAY_MS = 50;

/**
 * Add-on (with the `adStack` option): passes the visitor's segments to the page's ad stack —
 * Google Publisher Tag targeting and PPS, Prebid.js first-party data — whenever the profile
 * may have changed, and keeps them in the state the next page's script tag sends before
 * GPT's first request or Prebid's first auction. Data leaves for the ad stack, so it needs
 * `send` as well as `personalize`; without them Precis's signals are withdrawn.
 *
 * @example
 * startAddOns([adStackExport], context); // does nothing with adStack: false
 */
export const adStackExport: AddOn = ({ options, session, visitor, consent, win, report, on }) => {
  const settings = options.adStack;
  if (!win || !settings) return () => {};
  const stacks = createAdExport(win, settings.name);
  // A broken googletag or pbjs on the page must not stop the state from being saved.
  const publish = guardSync((signals: AdSignals | undefined) => stacks.publish(signals), undefined, report);
  let stopped = false;
  const update = guardAsync(async (): Promise<void> => {
    const generation = visitor.generation();
    const allowed = consent.allows('personalize') && consent.allows('send');
    const signals = allowed ? buildAdSignals((await session.read()).visitor, session.catalog.audience, settings) : undefined;
    if (stopped || generation !== visitor.generation()) return;
    visitor.update({ ads: signals ?? null });
    session.saveVisitor();
    publish(signals);
  }, undefined, report, 'store-write');
  const batch = batchCalls(() => void update(), EXPORT_DELAY_MS);
  const stops = (['ready', 'track', 'model', 'consent', 'forgotten'] as const).map((type) => on(type, batch.schedule));
  return () => {
    stopped = true;
    batch.stop();
    for (const stop of stops) stop();
  };
};
