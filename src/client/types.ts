import type { PrecisEvent, TrackInput } from '../capture/event';
import type { ConsentState, ConsentStatus, Permission } from '../consent/consent';
import type { PrecisError } from '../core/errors';
import type { Explanation } from '../decide/explain';
import type { Arm } from '../decide/holdout';
import type { Decision } from '../decide/rank';
import type { VisitorSegments } from '../decide/segments';
import type { ScoredItem } from '../decide/top-items';
import type { Exposure } from '../measure/exposure';
import type { Metrics } from '../measure/metrics';
import type { BackendName } from '../model/backend-registry';
import type { ModelJob } from '../model/manifest';
import type { BackendChoiceReport } from '../model/choose-backend';
import type { StoreKind } from '../store/types';

// The public face of the client: what a site's developer reads in the types.

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
  /** A model is loaded, verified and warmed up (one event per model of `options.model`). */
  model: { backend: BackendName; name: string; version: string; job: ModelJob; thread: 'worker' | 'main'; fromCache: boolean };
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
  /** The item-scores model (else the first model ready); null without a ready model. */
  model: ModelStatus | null;
  /** Every ready model, in the order of `options.model`. */
  models: ModelStatus[];
}

/** One ready model, in `status()`. */
export interface ModelStatus {
  backend: BackendName;
  thread: 'worker' | 'main';
  name: string;
  version: string;
  /** What it does: item scores, creative scores or purchase propensity. */
  job: ModelJob;
  /** True when this page load took every model file from the cache. */
  fromCache: boolean;
  /** Live tensors in the model's thread: flat over time, or something leaks. */
  numTensors: number;
  /** How the backend was chosen: measured here now, cached from an earlier measurement, or forced; ms per run measured on each. */
  backendChoice: BackendChoiceReport;
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
