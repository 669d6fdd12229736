import { validateEvent, type TrackInput } from '../capture/event';
import { startAutoCapture } from '../capture/auto-capture';
import { createConsent } from '../consent/consent';
import { toPrecisError, type PrecisError } from '../core/errors';
import { guardAsync, guardSync } from '../core/guard';
import { startFirstPaint } from '../render/first-paint';
import { adStackExport } from './ad-stack-export';
import { createSavedVisitorAdopter } from './adopt-saved-visitor';
import { createDecisionScheduler } from './decision-scheduler';
import { decideAhead } from './decide-ahead';
import { createErrorChannel } from './error-channel';
import { createFacade } from './facade';
import { startAddOns, type AddOn, type ClientContext } from './lifecycle';
import { createModelHost } from './model-host';
import { resolveOptions, type PersonalizerOptions } from './options';
import { reporting } from './reporting';
import { startSession } from './session';
import { startSlots } from './slot-wiring';
import type { Personalizer } from './types';
import { createVisitor } from './visitor';

/** The optional behaviour every client runs, each on the lifecycle seam. */
const ADD_ONS: readonly AddOn[] = [decideAhead, reporting, adStackExport];

/**
 * Starts Precis on this page.
 *
 * @example
 * import { createPersonalizer } from 'precis';
 * const precis = createPersonalizer({ catalog: '/catalog.json' });
 * precis.on('error', (e) => console.debug(e.code, e.details));
 * precis.track({ type: 'add_to_cart', item: 'sku-42' });
 */
export function createPersonalizer(input?: PersonalizerOptions): Personalizer {
  return createClient(input, startFirstPaint).personalizer;
}

/**
 * The wiring: which parts exist, in what order they start, how they stop. `firstPaint`
 * gives what the first paint found and did (`startFirstPaint`, or the script tag's, already
 * done: then the core bundle carries no first paint of its own). Returns the personalizer
 * plus its error channel, for the script-tag loader, which must report failures of the
 * site's queued callbacks the same way.
 *
 * @example
 * const { personalizer, report } = createClient(options, startFirstPaint);
 */
export function createClient(input: PersonalizerOptions | undefined, firstPaint: typeof startFirstPaint): {
  personalizer: Personalizer;
  report: (error: PrecisError) => void;
} {
  const { emitter, report } = createErrorChannel();
  const options = resolveOptions(input, report);
  const doc = typeof document === 'undefined' ? undefined : document;
  const win = doc?.defaultView ?? undefined;
  const startedAt = options.clock();
  const consent = createConsent(win, { defaultPolicy: options.defaultConsent, tcf: options.tcf });
  // What an earlier page left (the visitor's id, the decisions made ahead for this one),
  // already on the page when the script tag ran the first paint.
  const first = firstPaint(win, (name) => options[name], startedAt);
  const visitor = createVisitor(first.saved, options.holdout);
  const context: ClientContext = { options, consent, visitor, win, doc, report, emit: emitter.emit, on: emitter.on };
  let destroyed = false;
  const cleanups: Array<() => void> = [];

  /** After `forget()` (here or in another tab): a new anonymous visitor, and decisions for them. */
  const startAfresh = async (): Promise<void> => {
    visitor.renew();
    await refresh();
    emitter.emit('forgotten', undefined);
  };
  const { intake, opened } = startSession(context, {
    started: first.catalog, onForgottenElsewhere: () => void startAfresh(), modelPropensity: (source) => model.propensity(source),
  });
  const model = createModelHost(context, opened);
  const { slots, stop: stopSlots } = startSlots(context, first, intake, (pending, approaching) => void scheduler.decideWaiting(pending, approaching));
  const scheduler = createDecisionScheduler(context, { opened, model, slots, startedAt });
  const refresh = guardAsync(scheduler.refresh, [], report, 'render');
  const adoptSavedVisitor = createSavedVisitorAdopter(context, slots);
  // Stopped in reverse order by destroy(): the add-ons and listeners pushed later go first.
  cleanups.push(() => consent.dispose(), () => model.dispose(), () => intake.close(), stopSlots, () => scheduler.stop());
  let open = false;
  cleanups.push(consent.on('change', (state) => {
    emitter.emit('consent', state);
    adoptSavedVisitor();
    // A withdrawal takes effect at once, on this page too; a grant before the session is
    // open needs no refresh: the first decisions are made with it.
    if (open || !consent.allows('personalize')) void refresh();
  }));

  const ready = (async () => {
    const session = await opened;
    open = true;
    if (!destroyed) cleanups.push(startAddOns(ADD_ONS, { ...context, session, scheduler }));
    await scheduler.decideFirst();
    if (!destroyed) emitter.emit('ready', { store: session.store.kind(), creatives: session.catalog.creatives.length });
  })().catch((cause: unknown) => report(toPrecisError(cause)));

  const personalizer = createFacade(context, {
    ready, opened, scheduler, model, slots, refresh,
    track: (event: TrackInput): boolean => {
      if (destroyed) return false;
      const valid = validateEvent(event, options.clock());
      intake.add(valid);
      emitter.emit('track', valid);
      return true;
    },
    async forget() {
      const session = await opened;
      visitor.renew(); // decisions already under way are for the old visitor: never saved
      await session.store.forget();
      await startAfresh();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const cleanup of cleanups.splice(0).reverse()) cleanup();
      emitter.clear();
    },
    destroyed: () => destroyed,
  });
  guardSync(() => cleanups.push(watchPage(win, () => {
    intake.saveNow();
    emitter.emit('hidden', undefined);
  }), options.autoCapture && win ? startAutoCapture(win, (event) => void personalizer.track(event)) : () => {}), undefined, report)();
  return { personalizer, report };
}

/** Calls `onHidden` when the page is hidden or unloaded; returns the function that stops it. */
function watchPage(win: Window | undefined, onHidden: () => void): () => void {
  const doc = win?.document;
  if (!win || !doc) return () => {};
  const onVisibility = (): void => {
    if (doc.visibilityState === 'hidden') onHidden();
  };
  win.addEventListener('pagehide', onHidden);
  doc.addEventListener('visibilitychange', onVisibility);
  return () => {
    win.removeEventListener('pagehide', onHidden);
    doc.removeEventListener('visibilitychange', onVisibility);
  };
}
