import { validateEvent, type TrackInput } from '../capture/event';
import { startAutoCapture } from '../capture/auto-capture';
import { createConsent } from '../consent/consent';
import { createEmitter } from '../core/emitter';
import { toPrecisError, type PrecisError } from '../core/errors';
import { guardAsync, guardSync } from '../core/guard';
import type { ExposureKind } from '../measure/exposure';
import { watchViewability } from '../measure/viewability';
import { createSlotController, type ShownDecision } from '../render/slot-controller';
import { SLOT_ATTRIBUTE } from '../render/slots';
import { adStackExport } from './ad-stack-export';
import { createSavedVisitorAdopter } from './adopt-saved-visitor';
import { createDecisionScheduler } from './decision-scheduler';
import { decideAhead } from './decide-ahead';
import { createErrorChannel } from './error-channel';
import { createFacade } from './facade';
import { startFirstPaint, type FirstPaint } from './first-paint';
import { startAddOns, type AddOn, type LifecycleEvents } from './lifecycle';
import { createModelHost } from './model-host';
import { resolveOptions, type PersonalizerOptions } from './options';
import { reporting } from './reporting';
import { startSession } from './session';
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
  return createClient(input).personalizer;
}

/**
 * The wiring: which parts exist, in what order they start, how they stop. Returns the
 * personalizer plus its error channel, for the script-tag loader, which must report
 * failures of the site's queued callbacks the same way.
 *
 * @example
 * const { personalizer, report } = createClient(options);
 */
export function createClient(input?: PersonalizerOptions, firstPaint?: FirstPaint): {
  personalizer: Personalizer;
  report: (error: PrecisError) => void;
} {
  const { emitter, report } = createErrorChannel();
  const lifecycle = createEmitter<LifecycleEvents>((cause) => report(toPrecisError(cause)));
  const emit = <K extends keyof LifecycleEvents>(type: K, payload: LifecycleEvents[K]): void => {
    if (type in PUBLIC_EVENTS) emitter.emit(type as 'ready', payload as LifecycleEvents['ready']);
    lifecycle.emit(type, payload);
  };
  const options = resolveOptions(input, report);
  const doc = typeof document === 'undefined' ? undefined : document;
  const win = doc?.defaultView ?? undefined;
  const startedAt = options.clock();
  const consent = createConsent(win, { defaultPolicy: options.defaultConsent, tcf: options.tcf });
  // What an earlier page left (the visitor's id, the decisions made ahead for this one),
  // already on the page when the script tag ran the first paint.
  const first = firstPaint ?? startFirstPaint(win, {
    dbName: options.dbName,
    defaultConsent: options.defaultConsent,
    holdout: options.holdout,
    hideTimeoutMs: options.hideTimeoutMs,
    linkHosts: options.linkHosts,
    hasCatalog: options.catalog !== undefined,
    now: startedAt,
  });
  const visitor = createVisitor(first, options.holdout);
  let destroyed = false;
  const cleanups: Array<() => void> = [];

  /** After `forget()` (here or in another tab): a new anonymous visitor, and decisions for them. */
  const startAfresh = async (): Promise<void> => {
    visitor.renew();
    await refresh();
    emit('forgotten', undefined);
  };
  const { intake, opened } = startSession({
    options, consent, visitor, started: first.catalog, report, onForgottenElsewhere: () => void startAfresh(), onStoreOpen: () => adoptSavedVisitor(),
  });
  const model = createModelHost({
    options, baseUrl: doc?.baseURI, after: opened, report, onLoaded: (loaded) => !destroyed && emit('model', loaded),
  });

  // --- Slots: cached decisions before the first paint, hiding only while deciding.
  const viewability = win && typeof IntersectionObserver === 'function' ? watchViewability(win) : undefined;
  const record = (kind: ExposureKind, slot: HTMLElement, { creative, explanation }: ShownDecision): void => {
    const exposure = {
      kind, creative: creative.id, slot: slot.getAttribute(SLOT_ATTRIBUTE) ?? '', arm: explanation.arm, probability: explanation.probability, time: options.clock(),
    };
    if (!destroyed && intake.addExposure(exposure)) emit('exposure', exposure);
  };
  const slots = win && first.slots
    ? createSlotController(win, first.slots, {
      linkHosts: options.linkHosts,
      whyLink: options.whyLink,
      onPending: (pending, approaching) => void scheduler.decideWaiting(pending, approaching),
      onShown: (slot, shown) => viewability?.watch(slot, () => record('impression', slot, shown)),
      onClick: (slot, shown) => {
        record('click', slot, shown);
        intake.saveNow(); // a click on a creative usually navigates
      },
      onDismiss: (slot, shown) => {
        viewability?.unwatch(slot);
        record('dismiss', slot, shown);
        intake.saveNow();
      },
    })
    : undefined;
  const scheduler = createDecisionScheduler({
    options, opened, consent, model, doc, slots, startedAt, report, onRender: (decisions) => emit('render', decisions),
  });
  const refresh = guardAsync(scheduler.refresh, [], report, 'render');
  const adoptSavedVisitor = createSavedVisitorAdopter({ options, win, consent, visitor, slots });
  let setUp = false;
  opened.then(() => void (setUp = true), () => {});

  const track = (event: TrackInput): boolean => {
    if (destroyed) return false;
    const valid = validateEvent(event, options.clock());
    intake.add(valid);
    emit('track', valid);
    return true;
  };
  const forget = async (): Promise<void> => {
    const session = await opened;
    visitor.renew(); // decisions already under way are for the old visitor: never saved
    await session.store.forget();
    await startAfresh();
  };

  cleanups.push(consent.on('change', (state) => {
    emit('consent', state);
    adoptSavedVisitor();
    // A withdrawal takes effect at once, on this page too; a grant before the session is
    // open needs no refresh: the first decisions are made with it.
    if (setUp || !consent.allows('personalize')) void refresh();
  }));

  const ready = opened
    .then((session) => {
      if (!destroyed) cleanups.push(startAddOns(ADD_ONS, { options, session, visitor, consent, scheduler, win, report, on: lifecycle.on }));
      return scheduler.decideFirst();
    })
    .then(async () => {
      if (destroyed) return;
      const { store, catalog } = await opened;
      emit('ready', { store: store.kind(), creatives: catalog.creatives.length });
    })
    .catch((cause: unknown) => report(toPrecisError(cause)));

  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
    scheduler.stop();
    intake.close();
    slots?.destroy();
    viewability?.disconnect();
    consent.dispose();
    model.dispose();
    lifecycle.clear();
    emitter.clear();
  };

  const personalizer = createFacade({
    options, ready, opened, visitor, consent, scheduler, model, slots, doc, emitter, report,
    track, forget, destroy, destroyed: () => destroyed,
  });
  guardSync(() => cleanups.push(watchPage(win, () => {
    intake.saveNow();
    emit('hidden', undefined);
  }), options.autoCapture && win ? startAutoCapture(win, (event) => void personalizer.track(event)) : () => {}), undefined, report)();
  return { personalizer, report };
}

/** The events a site can listen to with `on()`; the others are the add-ons' alone. */
const PUBLIC_EVENTS: Record<string, true> = { ready: true, error: true, track: true, render: true, consent: true, exposure: true, model: true };

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
