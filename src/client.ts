import { validateEvent, type PrecisEvent, type TrackInput } from './capture/event';
import { startAutoCapture } from './capture/auto-capture';
import { createEmitter } from './core/emitter';
import { PrecisError, toPrecisError } from './core/errors';
import { guardAsync, guardSync } from './core/guard';
import type { Catalog } from './decide/catalog';
import { buildProfile } from './decide/profile';
import { rankSlots, type Decision } from './decide/rank';
import { categoryItems, createModelView, type ModelView } from './decide/model-view';
import { topItems, type ScoredItem } from './decide/top-items';
import { buildItemIndex, itemSequence } from './features';
import { loadCatalog } from './load-catalog';
import { startModel, type ModelClient } from './model-client';
import type { BackendName } from './model/backend-registry';
import type { EngineInfo } from './model/engine';
import { resolveOptions, type PersonalizerOptions } from './options';
import { CREATIVE_ATTRIBUTE, fillSlot, findSlots, restoreSlot, SLOT_ATTRIBUTE, watchForSlots } from './render/slots';
import { createConsent, type ConsentState, type Permission } from './consent/consent';
import { openVisitorStore, type VisitorStore } from './store/gated-store';
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
  /** The model is loaded, verified and warmed up. */
  model: { backend: BackendName; name: string; version: string; thread: 'worker' | 'main'; fromCache: boolean };
}

/** Everything Precis keeps about the visitor, as `myData()` returns it. */
export interface VisitorData {
  consent: ConsentState;
  storedIn: StoreKind | null;
  /** Oldest first. */
  events: PrecisEvent[];
}

/** What `status()` returns: where things run, for a debug panel or a support ticket. */
export interface PersonalizerStatus {
  store: StoreKind | null;
  creatives: number;
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

// Resolved when this module runs: the ML chunk and the `.wasm` files sit next to it.
const ML_URL = new URL('./precis-ml.js', import.meta.url).href;

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
export function createClient(input?: PersonalizerOptions): {
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
  let destroyed = false;
  let store: VisitorStore | undefined;
  const consent = createConsent(doc?.defaultView ?? undefined, { defaultPolicy: options.defaultConsent, tcf: options.tcf });
  const personalizing = (): boolean => consent.allows('personalize');
  let catalog: Catalog = { creatives: [] };
  const early: PrecisEvent[] = [];
  const cleanups: Array<() => void> = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;

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
      manifestUrl,
      backend: options.backend,
      timeoutMs: options.modelTimeoutMs,
      maxAgeMs: options.modelMaxAgeMs,
      wasmBase: new URL('./', ML_URL).href,
    }, options.worker && typeof Worker !== 'undefined');
    model = client;
    return client.ready.then(
      (info) => {
        if (destroyed) return;
        modelInfo = { info, index: buildItemIndex(info.items) };
        const { backend, name, version, fromCache } = info;
        emitter.emit('model', { backend, name, version, fromCache, thread: client.thread() });
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
      flushSoon();
    } else {
      early.push(valid);
      if (early.length > options.maxEvents) early.shift();
    }
    emitter.emit('track', valid);
    return true;
  }

  async function setUp(): Promise<void> {
    const opened = await openVisitorStore({
      maxEvents: options.maxEvents,
      retentionMs: options.retentionMs,
      openTimeoutMs: options.storeTimeoutMs,
      dbName: options.dbName,
      clock: options.clock,
      onError: report,
    }, consent, () => void safeRefresh());
    if (destroyed) {
      await opened.close();
      return;
    }
    store = opened;
    for (const event of early.splice(0)) store.add(event);
    flushSoon();
    if (options.catalog !== undefined) {
      try {
        catalog = await loadCatalog(options.catalog, options.catalogTimeoutMs, report, options.linkHosts);
      } catch (cause) {
        report(toPrecisError(cause, 'invalid-catalog'));
      }
    }
  }

  async function decideFor(slots: HTMLElement[], taken: ReadonlySet<string>): Promise<Decision[]> {
    if (!store || destroyed) return [];
    // Without `personalize`, decide as for a new visitor: the catalog's priors alone.
    const events = personalizing() ? await store.recent(options.historySize) : [];
    const now = options.clock();
    const profile = buildProfile(events, now, options.halfLifeMs);
    const names = slots.map((slot) => slot.getAttribute(SLOT_ATTRIBUTE) ?? '');
    return rankSlots(names, catalog.creatives, profile, now, taken, await modelView(events));
  }

  function render(slots: HTMLElement[], decisions: Decision[]): void {
    if (destroyed) return;
    decisions.forEach((decision, index) => {
      const slot = slots[index]!;
      if (decision.creative) fillSlot(slot, decision.creative, options.linkHosts);
      else restoreSlot(slot);
    });
    emitter.emit('render', decisions);
  }

  const setup = setUp();

  async function decide(): Promise<Decision[]> {
    await setup;
    return doc ? decideFor(findSlots(doc), new Set()) : [];
  }

  async function refresh(): Promise<Decision[]> {
    await setup;
    if (!doc) return [];
    const slots = findSlots(doc);
    const decisions = await decideFor(slots, new Set());
    render(slots, decisions);
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
    const base = { store: store?.kind() ?? null, creatives: catalog.creatives.length };
    if (!model || !modelInfo) return { ...base, model: null };
    const { backend, name, version, fromCache } = modelInfo.info;
    const numTensors = await model.numTensors();
    return { ...base, model: { backend, name, version, fromCache, thread: model.thread(), numTensors } };
  }

  async function forget(): Promise<void> {
    await setup;
    early.length = 0;
    await store?.forget();
    await refresh();
  }

  async function myData(): Promise<VisitorData> {
    await setup;
    return { consent: consent.state(), storedIn: store?.kind() ?? null, events: store ? await store.recent(options.maxEvents) : [] };
  }

  async function fillNewSlots(slots: HTMLElement[]): Promise<void> {
    await setup;
    if (!doc) return;
    const shown = new Set(
      [...doc.querySelectorAll(`[${CREATIVE_ATTRIBUTE}]`)].map((el) => el.getAttribute(CREATIVE_ATTRIBUTE) ?? ''),
    );
    render(slots, await decideFor(slots, shown));
  }

  const safeTrack = guardSync(track, false, report, 'invalid-event');
  const safeRefresh = guardAsync(refresh, [], report, 'render');
  const safeFillNewSlots = guardAsync(fillNewSlots, undefined, report, 'render');

  cleanups.push(consent.on('change', (state) => {
    emitter.emit('consent', state);
    void safeRefresh(); // a withdrawal takes effect at once, on this page too
  }));

  const start = guardSync((): void => {
    if (!doc) return;
    const win = doc.defaultView!;
    const onPageHide = (): void => flushNow();
    const onVisibility = (): void => {
      if (doc.visibilityState === 'hidden') flushNow();
    };
    win.addEventListener('pagehide', onPageHide);
    doc.addEventListener('visibilitychange', onVisibility);
    cleanups.push(() => {
      win.removeEventListener('pagehide', onPageHide);
      doc.removeEventListener('visibilitychange', onVisibility);
    });
    if (options.autoCapture) cleanups.push(startAutoCapture(win, (event) => void safeTrack(event)));
    cleanups.push(watchForSlots(doc, (slots) => void safeFillNewSlots(slots)));
  }, undefined, report);
  start();

  // The model loads after setup, at idle time; the first decision waits for it a little.
  const modelSettled: Promise<void> = options.model === undefined
    ? Promise.resolve()
    : setup.then(() => new Promise<void>((resolve) => {
      const begin = (): void => void startPersonalModel(options.model!).then(resolve);
      if (typeof requestIdleCallback === 'function') requestIdleCallback(begin, { timeout: 200 });
      else setTimeout(begin, 0);
    }));
  const modelOrTimeout = (): Promise<void> =>
    Promise.race([modelSettled, new Promise<void>((resolve) => setTimeout(resolve, options.modelWaitMs))]);

  const ready = setup
    .then(modelOrTimeout)
    .then(() => safeRefresh())
    .then(() => {
      if (!destroyed) emitter.emit('ready', { store: store?.kind() ?? 'memory', creatives: catalog.creatives.length });
    })
    .catch((cause: unknown) => report(toPrecisError(cause)));

  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    clearTimeout(flushTimer);
    for (const cleanup of cleanups.splice(0)) cleanup();
    if (doc) findSlots(doc).forEach(restoreSlot);
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
    status: guardAsync(status, { store: null, creatives: 0, model: null }, report),
    consent: guardSync((choice: Partial<Record<Permission, boolean>>) => {
      consent.set(choice);
      return consent.state();
    }, consent.state(), report, 'invalid-options'),
    forget: guardAsync(forget, undefined, report, 'store-write'),
    myData: guardAsync(myData, { consent: consent.state(), storedIn: null, events: [] }, report, 'store-read'),
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
