import { validateEvent, type PrecisEvent } from '../capture/event';
import { toPrecisError } from '../core/errors';
import type { Catalog } from '../decide/catalog';
import { buildProfile } from '../decide/profile';
import type { DecisionInput } from '../decide/rank';
import { describeVisitor, mainInterest, type ModelPropensity, type VisitorSegments } from '../decide/segments';
import { creativeStats, purchasedItems, sessionStart } from '../decide/visitor-stats';
import { featureSource, itemSequence, type FeatureSource } from '../features';
import { parseExposure, type Exposure } from '../measure/exposure';
import { MAX_EXPOSURES, openVisitorStore, type VisitorStore } from '../store/gated-store';
import { loadCatalog } from './load-catalog';
import type { ResolvedOptions } from './options';
import type { VisitorProfile } from './types';
import type { ClientContext } from './lifecycle';

type SessionContext = Pick<ClientContext, 'options' | 'consent' | 'visitor' | 'report'>;

// Events tracked in one task are written in one transaction, started right after the task,
// so a navigation that follows a track() rarely races the pagehide flush.
const FLUSH_DELAY_MS = 0;

/** What the visitor's events say about them at one moment: the input of every decision. */
export interface VisitorSnapshot {
  events: PrecisEvent[];
  now: number;
  /** What the models' features are computed from. */
  source: FeatureSource;
  visitor: VisitorSegments;
  input: Omit<DecisionInput, 'model' | 'creativeScores' | 'taken'>;
}

/** The open session: its store and catalog are always there (the catalog is empty without one). */
export interface Session {
  readonly store: VisitorStore;
  readonly catalog: Catalog;
  /** The visitor now; without `personalize`, no events and the control arm (the generic choice). */
  read(): Promise<VisitorSnapshot>;
  /** The items of the visitor's recent events, oldest first. */
  history(): Promise<string[]>;
  /** Segments, propensity, interests and arm. */
  profile(): Promise<VisitorProfile>;
  /** Keeps the visitor's state (id, decisions ahead, reported time) in localStorage for the next page. */
  saveVisitor(): void;
}

/** The synchronous way in: writes before the store opens are buffered (events) or dropped (exposures). */
export interface SessionIntake {
  /** Records a valid event; a click is committed at once, since it usually navigates. */
  add(event: PrecisEvent): void;
  /** Records an exposure; false when none is kept (store not open, or no `personalize`). */
  addExposure(exposure: Exposure): boolean;
  /** The page may go: start the write now and stash what is not committed. */
  saveNow(): void;
  /** Stops the pending write and closes the store (once it is open). */
  close(): void;
}

/** What a session needs to start, besides the client's context. */
export interface SessionHooks {
  /** The catalog request the script tag already started. */
  started: { url: string; response: Promise<Response> } | undefined;
  /** Another tab ran `forget()`. */
  onForgottenElsewhere: () => void;
  /** The propensity model's estimate for a visitor, when one is ready: it replaces the formula in the segments. */
  modelPropensity?: (source: FeatureSource) => Promise<ModelPropensity | undefined>;
}

/**
 * Opens the visitor's store behind consent while the catalog loads, adds back what the last
 * page stashed and the events tracked meanwhile, and hands out the session only then.
 *
 * @example
 * const { intake, opened } = startSession(context, { started: undefined, onForgottenElsewhere });
 * intake.add(event);
 * const { store, catalog } = await opened;
 */
export function startSession(context: SessionContext, hooks: SessionHooks): { intake: SessionIntake; opened: Promise<Session> } {
  const { options, consent, report } = context;
  const early: PrecisEvent[] = [];
  let store: VisitorStore | undefined;
  let closed = false;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  const flushSoon = (): void => {
    if (flushTimer !== undefined) return;
    flushTimer = setTimeout(() => {
      flushTimer = undefined;
      void store?.flush();
    }, FLUSH_DELAY_MS);
  };
  const saveNow = (): void => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    void store?.flush();
    store?.stash();
  };

  const intake: SessionIntake = {
    add(event) {
      if (!store) {
        early.push(event);
        if (early.length > options.maxEvents) early.shift();
      } else {
        store.add(event);
        if (event.type === 'click') saveNow();
        else flushSoon();
      }
    },
    addExposure(exposure) {
      // Exposures measure personalisation; without `personalize` (or `store`) none are kept.
      if (closed || !store || !consent.allows('personalize')) return false;
      store.addExposure(exposure);
      flushSoon();
      return true;
    },
    saveNow,
    close() {
      closed = true;
      clearTimeout(flushTimer);
      void store?.close().catch(() => {}); // not open yet: `open()` closes it
    },
  };

  async function open(): Promise<Session> {
    // The catalog is fetched while the store opens: a first visit's slots wait for both.
    let catalog: Catalog = { creatives: [], interests: [] };
    const catalogLoaded = options.catalog === undefined
      ? undefined
      : loadCatalog(options.catalog, options.catalogTimeoutMs, report, options.linkHosts,
        hooks.started?.url === options.catalog ? hooks.started.response : undefined).then(
        (loaded) => void (catalog = loaded),
        (cause: unknown) => report(toPrecisError(cause, 'invalid-catalog')),
      );
    const { maxEvents, retentionMs, dbName, clock, storeTimeoutMs: openTimeoutMs } = options;
    const opened = await openVisitorStore({ maxEvents, retentionMs, dbName, clock, openTimeoutMs, onError: report }, consent, hooks.onForgottenElsewhere);
    if (closed) {
      await opened.close();
    } else {
      store = opened;
      for (const event of early.splice(0)) opened.add(event);
      await recoverStash(opened, options);
      flushSoon();
    }
    await catalogLoaded;
    return createSession(opened, catalog, context, hooks.modelPropensity);
  }
  const opened = open();
  return { intake, opened };
}

function createSession(
  store: VisitorStore,
  catalog: Catalog,
  { options, consent, visitor }: SessionContext,
  modelPropensity: SessionHooks['modelPropensity'],
): Session {
  const personalizing = (): boolean => consent.allows('personalize');
  const read = async (): Promise<VisitorSnapshot> => {
    const events = personalizing() ? await store.recent(options.historySize) : [];
    const exposures = await store.exposures(MAX_EXPOSURES);
    const now = options.clock();
    const profile = buildProfile(events, now, options.halfLifeMs);
    const source = featureSource(events, profile.categories, now);
    const segments = describeVisitor(events, profile, now, personalizing() ? await modelPropensity?.(source) : undefined);
    const began = sessionStart([...events, ...exposures].map((e) => e.time), now);
    const input = {
      now,
      // Without `personalize`, every visitor gets the non-personalised choice.
      arm: personalizing() ? visitor.arm() : 'control' as const,
      profile,
      segments: new Set(segments.segments),
      interest: mainInterest(profile, catalog.interests),
      propensityModel: segments.propensityModel,
      purchased: purchasedItems(events),
      stats: creativeStats(exposures, now, began),
      policy: options, // explore, priorStrength, caps and maxPerCategory
      random: Math.random,
    };
    return { events, now, source, visitor: segments, input };
  };
  return {
    store,
    catalog,
    read,
    history: async () => itemSequence(await store.recent(options.historySize)),
    async profile() {
      const { visitor: segments, input } = await read();
      const largestFirst = (map: Map<string, number>): Array<{ id: string; affinity: number }> =>
        [...map].map(([id, affinity]) => ({ id, affinity })).sort((a, b) => b.affinity - a.affinity);
      return {
        ...segments,
        arm: input.arm,
        categories: largestFirst(input.profile.categories),
        items: largestFirst(input.profile.items).slice(0, 20),
      };
    },
    saveVisitor: () => store.writeState(visitor.state()),
  };
}

/** Adds back what the last page could not commit before it went (and is not already stored). */
async function recoverStash(store: VisitorStore, options: ResolvedOptions): Promise<void> {
  const { events, exposures } = store.takeStash();
  if (events.length + exposures.length === 0) return;
  const now = options.clock();
  const readEvent = (raw: unknown): PrecisEvent | undefined => {
    try {
      return validateEvent(raw, now);
    } catch {
      return undefined; // a tampered entry: dropped, like any invalid event
    }
  };
  addNew(events, readEvent, await store.recent(options.maxEvents), (event) => store.add(event));
  addNew(exposures, parseExposure, await store.exposures(MAX_EXPOSURES), (exposure) => store.addExposure(exposure));
}

/** Adds each valid entry not already among `stored` (compared as JSON). */
function addNew<T>(entries: unknown[], parse: (raw: unknown) => T | undefined, stored: readonly T[], add: (entry: T) => void): void {
  const seen = new Set(stored.map((entry) => JSON.stringify(entry)));
  for (const raw of entries) {
    const entry = parse(raw);
    if (entry !== undefined && !seen.has(JSON.stringify(entry))) add(entry);
  }
}
