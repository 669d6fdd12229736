import type { PrecisEvent } from '../capture/event';
import { DAY_MS, SESSION_GAP_MS } from '../core/clock';
import { PrecisError } from '../core/errors';
import { itemSequence } from './item-sequence';

/**
 * The features a model input can ask for (`inputs[].feature` in a v2 manifest), computed
 * from the visitor's stored events and profile by the same code in the browser and in
 * `train/`. Counters are scalars per visitor; the others need a vocabulary.
 */
export type FeatureName =
  | 'itemHistory'
  | 'lastItem'
  | 'recentItems'
  | 'categoryAffinity'
  | CounterName;

/** Recency and frequency counters, one number per visitor. */
export type CounterName =
  | 'historyLength'
  | 'sessionEvents'
  | 'sessions'
  | 'daysSinceLastVisit'
  | 'views7d'
  | 'carts7d'
  | 'purchases';

/** Which input shapes and dtypes a feature can fill, and whether it needs a vocabulary. */
export interface FeatureKind {
  /** Ranks of the full input shape (batch included). */
  ranks: readonly number[];
  vocabulary: boolean;
  /** The dtypes that can carry it; any when absent. */
  dtypes?: ReadonlyArray<'int32' | 'float32'>;
  summary: string;
}

const counter = (summary: string): FeatureKind => ({ ranks: [1, 2], vocabulary: false, summary });

/** Every feature, once: the manifest checks against this table and README lists it. */
export const FEATURES: Readonly<Record<FeatureName, FeatureKind>> = {
  itemHistory: { ranks: [2], vocabulary: true, summary: 'the latest distinct items, oldest first, left-padded with padIndex: [batch, length]' },
  lastItem: { ranks: [1, 2], vocabulary: true, summary: 'the latest item (padIndex, or 0, when none is known): [batch] or [batch, 1]' },
  recentItems: { ranks: [2], vocabulary: true, dtypes: ['float32'], summary: 'a bag (0/1 per vocabulary id) of the latest `window` items: [batch, vocabulary size]' },
  categoryAffinity: { ranks: [2], vocabulary: true, dtypes: ['float32'], summary: "each category's share of the profile's decayed category interest: [batch, vocabulary size]" },
  historyLength: counter('how many distinct items the visitor has seen'),
  sessionEvents: counter('events in the current session so far'),
  sessions: counter('sessions in the retention window (a pause over 30 minutes starts one)'),
  daysSinceLastVisit: counter('days from the end of the previous session to now (0 on a first visit)'),
  views7d: counter('product views in the last 7 days'),
  carts7d: counter('add-to-carts in the last 7 days'),
  purchases: counter('purchases in the retention window'),
};

/** One model input as the manifest declares it (see `precis-manifest@2`). */
export interface InputSpec {
  /** The model's input name: a Layers model's input layer, or a Graph model's signature input. */
  name: string;
  feature: FeatureName;
  dtype: 'int32' | 'float32';
  /** The full shape, batch first (`null` or 1 for the batch). */
  shape: Array<number | null>;
  /** For `itemHistory`, `lastItem`, `recentItems` (item ids) and `categoryAffinity` (categories). */
  vocabulary?: string;
  /** For `recentItems`: how many of the latest items count (default 20). */
  window?: number;
}

/** What the features are computed from: plain data, so it crosses to the model worker as is. */
export interface FeatureSource {
  /** Distinct item ids, oldest first (`itemSequence`). */
  history: string[];
  /** The profile's decayed interest per category. */
  categories: Record<string, number>;
  counters: Record<CounterName, number>;
}

/** A vocabulary: position = model index. */
export interface Vocabulary {
  ids: readonly string[];
  padIndex: number | null;
  index: ReadonlyMap<string, number>;
}

/** One input, ready to become a tensor (batch 1). */
export interface EncodedInput {
  name: string;
  dtype: 'int32' | 'float32';
  shape: number[];
  values: Int32Array | Float32Array;
}

const DEFAULT_WINDOW = 20;

/**
 * Makes a vocabulary from a vocabulary file's ids (position = model index); `padIndex`
 * null means every position is an id, otherwise that position is never encoded. Throws
 * `model-manifest` when an id is not a string or appears twice.
 *
 * @example
 * createVocabulary(['', 'a', 'b'], 0).index.get('b'); // 2
 */
export function createVocabulary(ids: readonly unknown[], padIndex: number | null = 0, name = 'items'): Vocabulary {
  const index = new Map<string, number>();
  ids.forEach((id, k) => {
    if (k === padIndex) return;
    if (typeof id !== 'string') throw new PrecisError('model-manifest', { reason: `vocabulary ${name}: id ${k} is not a string` });
    if (index.has(id)) throw new PrecisError('model-manifest', { reason: `vocabulary ${name}: ${JSON.stringify(id)} appears twice` });
    index.set(id, k);
  });
  return { ids: ids as readonly string[], padIndex, index };
}

/**
 * What the features are computed from, for a visitor's events (oldest first) and the
 * profile's category interest, at `now`.
 *
 * @example
 * featureSource(await store.recent(200), profile.categories, Date.now()).counters.sessions; // 3
 */
export function featureSource(events: readonly PrecisEvent[], categories: ReadonlyMap<string, number>, now: number): FeatureSource {
  // Stable: events at the same time keep their order.
  const ordered = [...events].sort((a, b) => a.time - b.time);
  const times = ordered.map((e) => e.time);
  let sessions = 0;
  let sessionStart = 0;
  times.forEach((time, k) => {
    if (k === 0 || time - times[k - 1]! > SESSION_GAP_MS) {
      sessions += 1;
      sessionStart = k;
    }
  });
  const last = times[times.length - 1];
  const current = last !== undefined && now - last <= SESSION_GAP_MS;
  const previousEnd = current ? times[sessionStart - 1] : last;
  const week = (type: string): number => events.filter((e) => e.type === type && e.time > now - 7 * DAY_MS).length;
  const history = itemSequence(ordered);
  return {
    history,
    categories: Object.fromEntries(categories),
    counters: {
      historyLength: history.length,
      sessionEvents: current ? times.length - sessionStart : 0,
      sessions,
      daysSinceLastVisit: previousEnd === undefined ? 0 : Math.max(0, now - previousEnd) / DAY_MS,
      views7d: week('view'),
      carts7d: week('add_to_cart'),
      purchases: events.filter((e) => e.type === 'purchase').length,
    },
  };
}

/** The values of one input (without its batch dimension), before the dtype is applied. */
function featureValues(spec: InputSpec, size: number, source: FeatureSource, vocabulary: Vocabulary | undefined): ArrayLike<number> {
  const pad = vocabulary?.padIndex ?? 0;
  switch (spec.feature) {
    case 'itemHistory': {
      const known = knownIndices(source.history, vocabulary!).slice(-size);
      return [...new Array<number>(size - known.length).fill(pad), ...known];
    }
    case 'lastItem':
      return [knownIndices(source.history, vocabulary!).pop() ?? pad];
    case 'recentItems': {
      const bag = new Float32Array(size);
      for (const id of source.history.slice(-(spec.window ?? DEFAULT_WINDOW))) {
        const k = vocabulary!.index.get(id);
        if (k !== undefined && k < size) bag[k] = 1;
      }
      return bag;
    }
    case 'categoryAffinity': {
      const interest = (id: string): number => {
        const v = Object.prototype.hasOwnProperty.call(source.categories, id) ? source.categories[id]! : 0;
        return Number.isFinite(v) && v > 0 ? v : 0;
      };
      const total = Object.keys(source.categories).reduce((sum, id) => sum + interest(id), 0);
      return vocabulary!.ids.slice(0, size).map((id) => (total > 0 ? interest(id) / total : 0));
    }
    default:
      return [source.counters[spec.feature]];
  }
}

/** The vocabulary indices of the known ids, in order. */
function knownIndices(history: readonly string[], vocabulary: Vocabulary): number[] {
  return history.flatMap((id) => vocabulary.index.get(id) ?? []);
}

/**
 * The model's inputs for one visitor (batch 1), by the manifest's specs.
 *
 * @example
 * encodeInputs([{ name: 'cur_page:0', feature: 'lastItem', dtype: 'int32', shape: [null], vocabulary: 'pages' }], source, vocabularies);
 * // [{ name: 'cur_page:0', dtype: 'int32', shape: [1], values: Int32Array [17] }]
 */
export function encodeInputs(specs: readonly InputSpec[], source: FeatureSource, vocabularies: ReadonlyMap<string, Vocabulary>): EncodedInput[] {
  return specs.map((spec) => {
    const shape = spec.shape.map((d, k) => (k === 0 ? 1 : (d as number)));
    const size = shape.slice(1).reduce((a, b) => a * b, 1);
    const vocabulary = spec.vocabulary === undefined ? undefined : vocabularies.get(spec.vocabulary);
    if (FEATURES[spec.feature].vocabulary && !vocabulary) {
      throw new PrecisError('model-manifest', { reason: `input ${spec.name}: vocabulary ${String(spec.vocabulary)} is not loaded` });
    }
    const values = featureValues(spec, size, source, vocabulary);
    return { name: spec.name, dtype: spec.dtype, shape, values: spec.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values) };
  });
}

/**
 * What is wrong with the inputs given their vocabularies: a bag or an affinity must be as
 * wide as its vocabulary. Empty when they fit.
 *
 * @example
 * vocabularyProblems(manifest.inputs, vocabularies); // []
 */
export function vocabularyProblems(specs: readonly InputSpec[], vocabularies: ReadonlyMap<string, Vocabulary>): string[] {
  return specs.flatMap((spec) => {
    const vocabulary = spec.vocabulary === undefined ? undefined : vocabularies.get(spec.vocabulary);
    if (FEATURES[spec.feature].vocabulary && !vocabulary) return [`input ${spec.name}: vocabulary ${String(spec.vocabulary)} is not loaded`];
    const wide = spec.feature === 'recentItems' || spec.feature === 'categoryAffinity';
    if (wide && vocabulary && spec.shape[1] !== vocabulary.ids.length) {
      return [`input ${spec.name}: ${spec.feature} is ${vocabulary.ids.length} wide (vocabulary ${spec.vocabulary}), the shape says ${spec.shape[1]}`];
    }
    return [];
  });
}
