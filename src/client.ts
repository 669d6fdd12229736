import { validateEvent, type PrecisEvent, type TrackInput } from './capture/event';
import { startAutoCapture } from './capture/auto-capture';
import { createEmitter } from './core/emitter';
import { PrecisError, toPrecisError } from './core/errors';
import { guardAsync, guardSync } from './core/guard';
import type { Catalog } from './decide/catalog';
import { explain, type Explanation } from './decide/explain';
import { assignArm, type Arm } from './decide/holdout';
import { buildProfile } from './decide/profile';
import { decideSlots, type Decision, type DecisionInput } from './decide/rank';
import { categoryItems, createModelView, type ModelView } from './decide/model-view';
import { describeVisitor, type VisitorSegments } from './decide/segments';
import { topItems, type ScoredItem } from './decide/top-items';
import { creativeStats, purchasedItems, sessionStart } from './decide/visitor-stats';
import { newVisitorId, type CachedDecision } from './decide/visitor-state';
import { readSavedVisitor, startFirstPaint, type FirstPaint } from './first-paint';
import { buildItemIndex, itemSequence } from './features';
import { loadCatalog } from './load-catalog';
import { startModel, type ModelClient } from './model-client';
import type { BackendName } from './model/backend-registry';
import type { EngineInfo } from './model/engine';
import { exportToAdServer } from './measure/ad-server-targeting';
import { parseExposure, type Exposure, type ExposureKind } from './measure/exposure';
import { computeMetrics, type Metrics } from './measure/metrics';
import { buildReport, createReporter, hasCounts, type Reporter } from './measure/report';
import { watchViewability, type ViewabilityWatcher } from './measure/viewability';
import { resolveOptions, type PersonalizerOptions } from './options';
import { createSlotController, type ShownDecision, type SlotController } from './render/slot-controller';
import { findSlots, SLOT_ATTRIBUTE } from './render/slots';
import { createConsent, readsSavedStateAtOnce, type ConsentState, type ConsentStatus, type Permission } from './consent/consent';
import { MAX_EXPOSURES, openVisitorStore, type VisitorStore } from './store/gated-store';
import { readLocalState } from './store/local-state';
import type { StoreKind } from './store/types';

/** What `on()` can listen to, with each payload. */
export interface PersonalizerEvents {
  /** Setup finished and the slots were filled (or kept their defaults). */
  ready: { store: StoreKind; creatives: number };
  /** Something failed; Precis carried on. `error.code` says what. */
  error: PrecisError;
  /** An event was recorded. */
  track: PrecisEvent;
  /** Slots were (re)filled with these decisions. */
  render: Decision[];
  /** What the visitor allows changed (their choice, the CMP, or GPC). */
  consent: ConsentState;
  /** A creative was viewed (≥ 50% for ≥ 1 s), clicked or dismissed. */
  exposure: Exposure;
  /** The model is loaded, verified and warmed up. */
  model: { backend: BackendName; name: string; version: string; thread: 'worker' | 'main'; fromCache: boolean };
}

/** Everything Precis keeps about the visitor, as `myData()` returns it. */
export interface VisitorData {
  consent: ConsentState;
  storedIn: StoreKind | null;
  /** Oldest first. */
  events: PrecisEvent[];
  /** The creatives they saw, clicked or dismissed, oldest first. */
  exposures: Exposure[];
  /** What is kept in localStorage: the anonymous id, the decisions made ahead, the last report's time. */
  state: unknown;
}

/** What `status()` returns: where things run, for a debug panel or a support ticket. */
export interface PersonalizerStatus {
  store: StoreKind | null;
  creatives: number;
  /** The visitor's arm of the experiment. */
  arm: Arm;
  /** How long the last decision took, in milliseconds (model inference included), or null before the first. */
  lastDecisionMs: number | null;
  /** What the visitor allows, which signal decided it, and whether a CMP is still to answer. */
  consent: ConsentStatus;
  model: null | {
    backend: BackendName;
    thread: 'worker' | 'main';
    name: string;
    version: string;
    /** True when this page load took every model file from the cache. */
    fromCache: boolean;
    /** Live tensors in the model's thread: flat over time, or something leaks. */
    numTensors: number;
  };
}

/** Who the visitor is, as `profile()` returns it: for a debug panel, or the site's own targeting. */
export interface VisitorProfile extends VisitorSegments {
  arm: Arm;
  /** Interest per category and per item (recency-decayed), largest first. */
  categories: Array<{ id: string; affinity: number }>;
  items: Array<{ id: string; affinity: number }>;
}

/** What `recommend()` returns: the visitor's best items by model score. */
export interface Recommendation {
  items: ScoredItem[];
  /** The backend that scored them; null when no model is available (items is then empty). */
  backend: BackendName | null;
}

/**
 * The handle `createPersonalizer` returns; it owns everything Precis does on the page.
 * No method ever throws, and no promise it returns ever rejects.
 */
export interface Personalizer {
  /** Resolves once the store is open, the catalog loaded and the slots filled. */
  readonly ready: Promise<void>;
  /** Records an event; returns false (and emits `error`) when the event is invalid. */
  track(event: TrackInput): boolean;
  /** Decides a creative for every slot on the page, without touching the page. */
  decide(): Promise<Decision[]>;
  /** Decides again and swaps the results into the slots. */
  refresh(): Promise<Decision[]>;
  /**
   * The visitor's top `k` items by model score, excluding items already in their
   * history; `among` limits the candidates (e.g. to what the shop sells).
   */
  recommend(options?: { k?: number; among?: readonly string[] }): Promise<Recommendation>;
  /** Where the store and the model run, and how the model's memory stands. */
  status(): Promise<PersonalizerStatus>;
  /** Why a slot (element or `data-precis-slot` name) shows what it shows; null when Precis did not fill it. */
  why(slot: HTMLElement | string): Explanation | null;
  /** This device's impressions, clicks, CTR, conversions and conversion rate, per arm and per creative. */
  metrics(): Promise<Metrics>;
  /** The visitor's segments, purchase propensity, interests and arm. */
  profile(): Promise<VisitorProfile>;
  /** The visitor does not want to see what this slot shows again: its default returns, and the creative is excluded. */
  dismiss(slot: HTMLElement | string): void;
  /**
   * Records the visitor's choice (from the site's consent banner). Withdrawing `store`
   * deletes what was stored at once; withdrawing `personalize` makes decisions generic.
   */
  consent(choice: Partial<Record<Permission, boolean>>): ConsentState;
  /** Deletes everything Precis stored about the visitor, in every open tab, and starts afresh. */
  forget(): Promise<void>;
  /** What Precis keeps about the visitor, for them to see or download. */
  myData(): Promise<VisitorData>;
  /** Listens to an event; returns the function that stops listening. */
  on<K extends keyof PersonalizerEvents>(type: K, listener: (payload: PersonalizerEvents[K]) => void): () => void;
  /** Stops everything, saves what is pending, and puts every slot's default back. Safe to call twice. */
  destroy(): void;
}

// Events tracked in one task are written in one transaction, started right after the task,
// so a navigation that follows a track() rarely races the pagehide flush.
const FLUSH_DELAY_MS = 0;

// Decisions for the next page are made again whenever what they depend on changes (an
// event, an impression, the model loading), batched over this delay.
const AHEAD_DELAY_MS = 50;

// Resolved when this module runs: the ML chunk and the `.wasm` files sit next to it. Each
// is a literal `new URL(…, import.meta.url)`, the form bundlers (Vite, webpack) follow to
// emit the file with the app.
const ML_URL = new URL('./precis-ml.js', import.meta.url).href;
const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': new URL('./tfjs-backend-wasm.wasm', import.meta.url).href,
  'tfjs-backend-wasm-simd.wasm': new URL('./tfjs-backend-wasm-simd.wasm', import.meta.url).href,
  'tfjs-backend-wasm-threaded-simd.wasm': new URL('./tfjs-backend-wasm-threaded-simd.wasm', import.meta.url).href,
};

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
 * The personalizer plus its error channel, for the script-tag loader, which must report
 * failures of the site's queued callbacks the same way.
 *
 * @example
 * const { personalizer, report } = createClient(options);
 */
export function createClient(input?: PersonalizerOptions, firstPaint?: FirstPaint): {
  personalizer: Personalizer;
  report: (error: PrecisError) => void;
} {
  let reporting = false;
  // Errors found while this function runs (bad options, no IndexedDB) are held until the
  // caller has had a chance to call on('error') — or the loader to run queued callbacks.
  let heldErrors: PrecisError[] | null = [];
  const report = (error: PrecisError): void => {
    if (heldErrors) {
      heldErrors.push(error);
      return;
    }
    // An `error` listener that throws must not start a loop of error events.
    if (reporting) return;
    reporting = true;
    try {
      emitter.emit('error', error);
    } finally {
      reporting = false;
    }
  };
  queueMicrotask(() => {
    const held = heldErrors ?? [];
    heldErrors = null;
    for (const error of held) report(error);
  });
  const emitter = createEmitter<PersonalizerEvents>((cause) => report(toPrecisError(cause, 'callback')));
  const options = resolveOptions(input, report);
  const doc = typeof document === 'undefined' ? undefined : document;
  const win = doc?.defaultView ?? undefined;
  let destroyed = false;
  let store: VisitorStore | undefined;
  const consent = createConsent(win, { defaultPolicy: options.defaultConsent, tcf: options.tcf });
  const personalizing = (): boolean => consent.allows('personalize');
  let catalog: Catalog = { creatives: [] };
  const early: PrecisEvent[] = [];
  const cleanups: Array<() => void> = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  const startedAt = options.clock();

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
  let visitorId = first.visitor;
  let arm: Arm = first.arm;
  let reportedUntil = first.reportedUntil;
  let ahead: Record<string, CachedDecision> = {};
  // Counts `forget()`s, so work started for the old visitor is not saved for the new one.
  let generation = 0;
  let lastDecisionMs: number | null = null;

  const flushSoon = (): void => {
    if (flushTimer !== undefined) return;
    flushTimer = setTimeout(() => {
      flushTimer = undefined;
      void store?.flush();
    }, FLUSH_DELAY_MS);
  };
  const flushNow = (): void => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    void store?.flush();
  };

  let model: ModelClient | undefined;
  let modelInfo: { info: EngineInfo; index: Map<string, number> } | undefined;

  /** Starts the model off the critical path; resolves once it is ready or has failed. */
  function startPersonalModel(manifestUrl: string): Promise<void> {
    const client = startModel(ML_URL, {
      // Relative to the page, like the catalog (the worker would resolve it against dist/).
      manifestUrl: new URL(manifestUrl, doc?.baseURI ?? ML_URL).href,
      backend: options.backend,
      timeoutMs: options.modelTimeoutMs,
      maxAgeMs: options.modelMaxAgeMs,
      wasmPaths: WASM_PATHS,
    }, options.worker && typeof Worker !== 'undefined');
    model = client;
    return client.ready.then(
      (info) => {
        if (destroyed) return;
        modelInfo = { info, index: buildItemIndex(info.items) };
        if (options.backend !== 'auto' && info.backend !== options.backend) {
          // The site asked for a backend this device or page cannot run: say so, and carry on.
          report(new PrecisError('model-backend', { requested: options.backend, backend: info.backend, reason: `${options.backend} is not available here` }));
        }
        const { backend, name, version, fromCache } = info;
        emitter.emit('model', { backend, name, version, fromCache, thread: client.thread() });
        scheduleAhead(); // the next page gets the model's decisions
      },
      (cause: unknown) => {
        model = undefined;
        client.dispose();
        report(toPrecisError(cause, 'model-fetch'));
      },
    );
  }

  /** Scores every model item for a history; notes the backend, which a lost GPU context may have changed. */
  async function scoreHistory(client: ModelClient, info: EngineInfo, history: string[]): Promise<Float32Array> {
    const { scores, backend } = await client.score(history);
    info.backend = backend;
    return scores;
  }

  /** The model's view of the catalog's targeted items for this visitor, when a model is ready. */
  async function modelView(events: PrecisEvent[]): Promise<ModelView | undefined> {
    const history = itemSequence(events);
    // With no history the model knows nothing of this visitor: the catalog's priors decide.
    if (!model || !modelInfo || history.length === 0) return undefined;
    try {
      const scores = await scoreHistory(model, modelInfo.info, history);
      const targeted = catalog.creatives.flatMap((creative) => creative.targets.items);
      return createModelView(scores, modelInfo.index, targeted, categoryItems(events, catalog.creatives));
    } catch (cause) {
      report(toPrecisError(cause, 'model-inference'));
      return undefined; // the transparent ranker decides alone
    }
  }

  function track(event: TrackInput): boolean {
    if (destroyed) return false;
    const valid = validateEvent(event, options.clock());
    if (store) {
      store.add(valid);
      // A click usually navigates: its transaction starts now, before the page can go.
      if (valid.type === 'click') {
        flushNow();
        store.stash();
      }
      else flushSoon();
    } else {
      early.push(valid);
      if (early.length > options.maxEvents) early.shift();
    }
    emitter.emit('track', valid);
    scheduleAhead();
    return true;
  }

  async function setUp(): Promise<void> {
    // The catalog is fetched while the store opens: a first visit's slots wait for both.
    const catalogLoaded = options.catalog === undefined
      ? undefined
      : loadCatalog(options.catalog, options.catalogTimeoutMs, report, options.linkHosts,
        first.catalog?.url === options.catalog ? first.catalog.response : undefined).then(
        (loaded) => void (catalog = loaded),
        (cause: unknown) => report(toPrecisError(cause, 'invalid-catalog')),
      );
    const opened = await openVisitorStore({
      maxEvents: options.maxEvents,
      retentionMs: options.retentionMs,
      openTimeoutMs: options.storeTimeoutMs,
      dbName: options.dbName,
      clock: options.clock,
      onError: report,
    }, consent, () => void startAfresh());
    if (destroyed) {
      await opened.close();
      return;
    }
    store = opened;
    adoptSavedState();
    for (const event of early.splice(0)) store.add(event);
    await recoverStash(opened);
    flushSoon();
    await catalogLoaded;
  }

  /** Adds back what the last page could not commit before it went (and is not already stored). */
  async function recoverStash(opened: VisitorStore): Promise<void> {
    const { events, exposures } = opened.takeStash();
    if (events.length + exposures.length === 0) return;
    const now = options.clock();
    const storedEvents = new Set((await opened.recent(options.maxEvents)).map((e) => JSON.stringify(e)));
    for (const raw of events) {
      try {
        const event = validateEvent(raw, now);
        if (!storedEvents.has(JSON.stringify(event))) opened.add(event);
      } catch {
        // A tampered entry: dropped, like any invalid event.
      }
    }
    const seen = new Set((await opened.exposures(MAX_EXPOSURES)).map((e) => JSON.stringify(e)));
    for (const raw of exposures) {
      const exposure = parseExposure(raw);
      if (exposure && !seen.has(JSON.stringify(exposure))) opened.addExposure(exposure);
    }
  }

  /** What the visitor's events say about them right now. */
  async function readVisitor(): Promise<{
    events: PrecisEvent[];
    now: number;
    visitor: VisitorSegments;
    input: Omit<DecisionInput, 'model' | 'taken'>;
  }> {
    const events = personalizing() && store ? await store.recent(options.historySize) : [];
    const exposures = store ? await store.exposures(MAX_EXPOSURES) : [];
    const now = options.clock();
    const profile = buildProfile(events, now, options.halfLifeMs);
    const visitor = describeVisitor(events, profile, now);
    const began = sessionStart([...events, ...exposures].map((e) => e.time), now);
    const input = {
      now,
      // Without `personalize`, every visitor gets the non-personalised choice.
      arm: personalizing() ? arm : 'control' as const,
      profile,
      segments: new Set(visitor.segments),
      purchased: purchasedItems(events),
      stats: creativeStats(exposures, now, began),
      policy: { explore: options.explore, priorStrength: options.priorStrength, caps: options.caps, maxPerCategory: options.maxPerCategory },
      random: Math.random,
    };
    return { events, now, visitor, input };
  }

  /** Decides a creative for each named slot (page order), with an explanation for each. */
  async function decideFor(names: readonly string[], taken: ReadonlySet<string>): Promise<Array<{ decision: Decision; explanation: Explanation }>> {
    if (!store || destroyed) return [];
    const began = options.clock();
    const { events, now, input } = await readVisitor();
    const view = input.arm === 'personalized' ? await modelView(events) : undefined;
    const decisions = decideSlots(names, catalog.creatives, { ...input, model: view, taken });
    lastDecisionMs = options.clock() - began;
    return decisions.map((decision) => ({ decision, explanation: explain(decision, events, now, options.halfLifeMs, 'live') }));
  }

  const toShown = ({ decision, explanation }: { decision: Decision; explanation: Explanation }): ShownDecision | null =>
    decision.creative ? { creative: decision.creative, explanation } : null;

  const slotName = (slot: HTMLElement): string => slot.getAttribute(SLOT_ATTRIBUTE) ?? '';

  // --- Slots: cached decisions before the first paint, hiding only while deciding.
  const viewability: ViewabilityWatcher | undefined = win && typeof IntersectionObserver === 'function' ? watchViewability(win) : undefined;
  const slots: SlotController | undefined = win && first.slots
    ? createSlotController(win, first.slots, {
      linkHosts: options.linkHosts,
      whyLink: options.whyLink,
      onPending: (pending, approaching) => void safeDecideSlots(pending, approaching),
      onShown: (slot, shown) => viewability?.watch(slot, () => record('impression', slot, shown)),
      onClick: (slot, shown) => {
        record('click', slot, shown);
        flushNow(); // a click on a creative usually navigates
        store?.stash();
      },
      onDismiss: (slot, shown) => {
        viewability?.unwatch(slot);
        record('dismiss', slot, shown);
        flushNow();
      },
    })
    : undefined;

  function record(kind: ExposureKind, slot: HTMLElement, shown: ShownDecision): void {
    const { explanation } = shown;
    // Exposures measure personalisation; without `personalize` (or `store`) none are kept.
    if (destroyed || !store || !personalizing()) return;
    const exposure: Exposure = {
      kind, creative: shown.creative.id, slot: slotName(slot), arm: explanation.arm, probability: explanation.probability, time: options.clock(),
    };
    store.addExposure(exposure);
    flushSoon();
    emitter.emit('exposure', exposure);
    scheduleAhead();
  }

  // One decision at a time, so each sees the creatives the one before put on the page
  // (and no slot is decided twice: the second finds it decided).
  let decisionQueue: Promise<void> = Promise.resolve();
  const decideSlotsInTurn = (candidates: readonly HTMLElement[], approaching = false): Promise<void> => {
    decisionQueue = decisionQueue.then(() => decideSlotsNow(candidates, approaching));
    return decisionQueue;
  };
  /**
   * Decides slots that wait for a decision (hidden ones; with `approaching`, also those
   * coming near the viewport) and shows the results.
   */
  async function decideSlotsNow(candidates: readonly HTMLElement[], approaching: boolean): Promise<void> {
    await setup;
    const waits = (slot: HTMLElement): boolean => {
      const state = slots?.stateOf(slot);
      return state === 'hidden' || (approaching && state === 'far');
    };
    const todo = candidates.filter((slot) => slot.isConnected && waits(slot));
    if (!slots || todo.length === 0) return;
    const onPage = new Set([...slots.shown().values()].map((shown) => shown.creative.id));
    const results = await decideFor(todo.map(slotName), onPage);
    if (destroyed) return;
    results.forEach((result, index) => slots.show(todo[index]!, toShown(result)));
    emitter.emit('render', results.map((result) => result.decision));
  }
  const safeDecideSlots = guardAsync(decideSlotsInTurn, undefined, report, 'render');

  // --- Decisions made ahead, for the next page view.
  let aheadTimer: ReturnType<typeof setTimeout> | undefined;
  function scheduleAhead(): void {
    if (aheadTimer !== undefined || destroyed) return;
    aheadTimer = setTimeout(() => {
      aheadTimer = undefined;
      void safeDecideAhead();
    }, AHEAD_DELAY_MS);
  }
  async function decideAhead(): Promise<void> {
    await setup;
    if (!store || destroyed) return;
    const visitor = generation;
    const names = [...new Set(catalog.creatives.flatMap((creative) => creative.slots))];
    const next: Record<string, CachedDecision> = {};
    if (personalizing()) {
      const results = await decideFor(names, new Set());
      for (const { decision, explanation } of results) {
        if (decision.creative) next[decision.slot] = { creative: decision.creative, explanation };
      }
    }
    // Forgotten meanwhile: these decisions came from the old visitor's events.
    if (visitor !== generation) return;
    ahead = next;
    saveState();
  }
  const safeDecideAhead = guardAsync(decideAhead, undefined, report, 'store-write');

  function saveState(): void {
    store?.writeState({ visitor: visitorId, decisions: ahead, reportedUntil });
  }

  // --- Reports: aggregates only, when the tab is hidden (and leftovers at start).
  const reporter: Reporter | undefined = win && options.report ? createReporter(win, options.report) : undefined;
  async function sendReport(onExit: boolean): Promise<void> {
    if (!reporter || !store || destroyed || !consent.allows('send')) return;
    const since = reportedUntil;
    const now = options.clock();
    const metrics = computeMetrics(await store.exposures(MAX_EXPOSURES), await store.recent(options.maxEvents), options.attribution, since);
    if (!hasCounts(metrics)) return;
    const payload = buildReport(metrics, catalog.creatives.map((c) => c.id), arm, options.reportEpsilon);
    reportedUntil = now;
    saveState();
    const delivered = onExit ? reporter.sendOnExit(payload) : await reporter.send(payload);
    if (!delivered && reportedUntil === now) {
      reportedUntil = since; // a later page tries again
      saveState();
    }
  }
  const safeSendReport = guardAsync(sendReport, undefined, report, 'report');

  /** After `forget()` (here or in another tab): a new anonymous visitor. */
  async function startAfresh(): Promise<void> {
    generation += 1;
    visitorId = newVisitorId();
    arm = assignArm(visitorId, options.holdout);
    reportedUntil = 0;
    ahead = {};
    await safeRefresh();
    scheduleAhead();
  }

  const setup = setUp();

  async function decide(): Promise<Decision[]> {
    await setup;
    if (!doc) return [];
    return (await decideFor(findSlots(doc).map(slotName), new Set())).map((result) => result.decision);
  }

  async function refresh(): Promise<Decision[]> {
    await setup;
    if (!doc || !slots) return [];
    const found = findSlots(doc);
    const results = await decideFor(found.map(slotName), new Set());
    if (destroyed) return [];
    results.forEach((result, index) => slots.replace(found[index]!, toShown(result)));
    const decisions = results.map((result) => result.decision);
    emitter.emit('render', decisions);
    scheduleAhead();
    return decisions;
  }

  async function recommend(request: { k?: number; among?: readonly string[] } = {}): Promise<Recommendation> {
    await setup;
    await modelSettled;
    const k = Math.max(1, Math.floor(request.k ?? 10));
    if (!store || !model || !modelInfo || !personalizing()) return { items: [], backend: null };
    const history = itemSequence(await store.recent(options.historySize));
    const scores = await scoreHistory(model, modelInfo.info, history);
    const among = request.among ? new Set(request.among.map(String)) : undefined;
    return { items: topItems(scores, modelInfo.info.items, new Set(history), k, among), backend: modelInfo.info.backend };
  }

  async function status(): Promise<PersonalizerStatus> {
    await setup;
    const base = { store: store?.kind() ?? null, creatives: catalog.creatives.length, arm, lastDecisionMs, consent: consent.status() };
    if (!model || !modelInfo) return { ...base, model: null };
    const { backend, name, version, fromCache } = modelInfo.info;
    const numTensors = await model.numTensors();
    return { ...base, model: { backend, name, version, fromCache, thread: model.thread(), numTensors } };
  }

  async function metrics(): Promise<Metrics> {
    await setup;
    if (!store) return computeMetrics([], []);
    return computeMetrics(await store.exposures(MAX_EXPOSURES), await store.recent(options.maxEvents), options.attribution);
  }

  async function profile(): Promise<VisitorProfile> {
    await setup;
    const { visitor, input } = await readVisitor();
    const largestFirst = (map: Map<string, number>): Array<{ id: string; affinity: number }> =>
      [...map].map(([id, affinity]) => ({ id, affinity })).sort((a, b) => b.affinity - a.affinity);
    return {
      ...visitor,
      arm: input.arm,
      categories: largestFirst(input.profile.categories),
      items: largestFirst(input.profile.items).slice(0, 20),
    };
  }

  function dismiss(slot: HTMLElement | string): void {
    const element = typeof slot === 'string' && doc
      ? findSlots(doc).find((el) => slotName(el) === slot)
      : slot;
    if (element instanceof HTMLElement) slots?.dismiss(element);
  }

  async function forget(): Promise<void> {
    await setup;
    generation += 1; // decisions already under way are for the old visitor: never saved
    early.length = 0;
    await store?.forget();
    await startAfresh();
  }

  async function myData(): Promise<VisitorData> {
    await setup;
    return {
      consent: consent.state(),
      storedIn: store?.kind() ?? null,
      events: store ? await store.recent(options.maxEvents) : [],
      exposures: store ? await store.exposures(MAX_EXPOSURES) : [],
      state: store?.readState() ?? null,
    };
  }

  const safeTrack = guardSync(track, false, report, 'invalid-event');
  const safeRefresh = guardAsync(refresh, [], report, 'render');

  // What the last page saved, when the first paint could not read it (a CMP had not answered yet).
  let savedStateRead = readsSavedStateAtOnce(win, options.defaultConsent);
  function adoptSavedState(): void {
    if (savedStateRead || !consent.allows('store')) return;
    savedStateRead = true;
    // At the CMP's yes, not once the store has opened: the slots waiting hidden show it now.
    const raw = readLocalState(options.dbName);
    if (raw === undefined) return;
    const saved = readSavedVisitor(raw, options.clock(), options.holdout, options.linkHosts);
    ({ visitor: visitorId, arm, reportedUntil } = saved);
    // The slots still hidden show the decisions made ahead for them, as without a CMP.
    if (!slots || !personalizing()) return;
    const onPage = new Set([...slots.shown().values()].map((shown) => shown.creative.id));
    for (const slot of slots.waiting()) {
      const cached = saved.cached.get(slotName(slot));
      if (cached && !onPage.has(cached.creative.id)) {
        onPage.add(cached.creative.id);
        slots.show(slot, cached);
      }
    }
  }

  let setupDone = false;
  setup.then(() => void (setupDone = true), () => {});
  cleanups.push(consent.on('change', (state) => {
    emitter.emit('consent', state);
    adoptSavedState();
    // A withdrawal takes effect at once, on this page too; a grant before setup has
    // finished needs no refresh: the first decisions are made with it.
    if (setupDone || !personalizing()) void safeRefresh();
  }));

  const start = guardSync((): void => {
    if (!doc || !win) return;
    const onHidden = (): void => {
      flushNow();
      store?.stash();
      void safeSendReport(true);
    };
    const onVisibility = (): void => {
      if (doc.visibilityState === 'hidden') onHidden();
    };
    win.addEventListener('pagehide', onHidden);
    doc.addEventListener('visibilitychange', onVisibility);
    cleanups.push(() => {
      win.removeEventListener('pagehide', onHidden);
      doc.removeEventListener('visibilitychange', onVisibility);
    });
    if (options.autoCapture) cleanups.push(startAutoCapture(win, (event) => void safeTrack(event)));
  }, undefined, report);
  start();

  // The model loads after setup, at idle time.
  const modelSettled: Promise<void> = options.model === undefined
    ? Promise.resolve()
    : setup.then(() => new Promise<void>((resolve) => {
      const begin = (): void => void startPersonalModel(options.model!).then(resolve);
      if (typeof requestIdleCallback === 'function') requestIdleCallback(begin, { timeout: 200 });
      else setTimeout(begin, 0);
    }));
  /** The first decision waits for the model while the slots may stay hidden, and only when it would matter. */
  const modelOrDeadline = async (): Promise<void> => {
    if ((slots?.waiting() ?? []).length === 0) return; // every slot shows a decision made ahead
    const history = store && personalizing() ? itemSequence(await store.recent(options.historySize)) : [];
    if (history.length === 0) return;
    const left = Math.max(0, startedAt + options.hideTimeoutMs - options.clock());
    await Promise.race([modelSettled, new Promise<void>((resolve) => setTimeout(resolve, left))]);
  };

  const ready = setup
    .then(modelOrDeadline)
    .then(() => safeDecideSlots(slots?.waiting() ?? []))
    .then(() => {
      if (destroyed) return;
      scheduleAhead();
      void safeSendReport(false);
      exportSegments();
      emitter.emit('ready', { store: store?.kind() ?? 'memory', creatives: catalog.creatives.length });
    })
    .catch((cause: unknown) => report(toPrecisError(cause)));

  /** Google Publisher Tag key-values: data leaves for the ad server, so it needs `send` too. */
  function exportSegments(): void {
    if (!win || !personalizing() || !consent.allows('send')) return;
    void profile().then((visitor) => exportToAdServer(win, visitor)).catch((cause: unknown) => report(toPrecisError(cause)));
  }

  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    clearTimeout(flushTimer);
    clearTimeout(aheadTimer);
    for (const cleanup of cleanups.splice(0)) cleanup();
    slots?.destroy();
    viewability?.disconnect();
    reporter?.dispose();
    void store?.close().catch(() => {});
    consent.dispose();
    model?.dispose();
    model = undefined;
    emitter.clear();
  };

  const personalizer: Personalizer = {
    ready,
    track: safeTrack,
    decide: guardAsync(decide, [], report),
    refresh: safeRefresh,
    recommend: guardAsync(recommend, { items: [], backend: null }, report, 'model-inference'),
    status: guardAsync(status, { store: null, creatives: 0, arm, lastDecisionMs: null, consent: consent.status(), model: null }, report),
    why: guardSync((slot: HTMLElement | string) => slots?.explanation(slot) ?? null, null, report),
    metrics: guardAsync(metrics, computeMetrics([], []), report, 'store-read'),
    profile: guardAsync(profile, { segments: [], propensity: 0, arm, categories: [], items: [] }, report, 'store-read'),
    dismiss: guardSync(dismiss, undefined, report),
    consent: guardSync((choice: Partial<Record<Permission, boolean>>) => {
      consent.set(choice);
      return consent.state();
    }, consent.state(), report, 'invalid-options'),
    forget: guardAsync(forget, undefined, report, 'store-write'),
    myData: guardAsync(myData, { consent: consent.state(), storedIn: null, events: [], exposures: [], state: null }, report, 'store-read'),
    on: guardSync(
      <K extends keyof PersonalizerEvents>(type: K, listener: (payload: PersonalizerEvents[K]) => void) =>
        destroyed ? () => {} : emitter.on(type, listener),
      () => {},
      report,
    ) as Personalizer['on'],
    destroy: guardSync(destroy, undefined, report),
  };
  return { personalizer, report };
}
