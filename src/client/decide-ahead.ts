import { batchCalls } from '../core/batch';
import { guardAsync } from '../core/guard';
import type { CachedDecision } from '../decide/visitor-state';
import type { AddOn } from './lifecycle';

// Decisions for the next page are made again whenever what they depend on changes (an
// event, an impression, the model loading), batched over this delay.
const AHEAD_DELAY_MS = 50;

/**
 * Add-on: decides every catalog slot ahead, for the next page view, whenever what the
 * decisions depend on changes (an event, an exposure, the model, a render, consent, a new
 * visitor), and keeps them in localStorage, where the next page's first paint shows them
 * from its first frame. Without `personalize`, nothing is kept ahead.
 *
 * @example
 * startAddOns([decideAhead], context);
 */
export const decideAhead: AddOn = ({ session, visitor, consent, scheduler, report, on }) => {
  let stopped = false;
  const decide = guardAsync(async (): Promise<void> => {
    const generation = visitor.generation();
    const names = [...new Set(session.catalog.creatives.flatMap((creative) => creative.slots))];
    const next: Record<string, CachedDecision> = {};
    if (consent.allows('personalize')) {
      for (const { decision, explanation } of await scheduler.decideFor(names, new Set())) {
        if (decision.creative) next[decision.slot] = { creative: decision.creative, explanation };
      }
    }
    // Forgotten meanwhile: these decisions came from the old visitor's events.
    if (stopped || generation !== visitor.generation()) return;
    visitor.update({ ahead: next });
    session.saveVisitor();
  }, undefined, report, 'store-write');
  const batch = batchCalls(() => void decide(), AHEAD_DELAY_MS);
  const stops = (['ready', 'track', 'exposure', 'model', 'render', 'forgotten'] as const).map((type) => on(type, batch.schedule));
  return () => {
    stopped = true;
    batch.stop();
    for (const stop of stops) stop();
  };
};
