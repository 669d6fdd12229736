import type { PrecisEvent } from '../capture/event';
import { PrecisError, toPrecisError } from '../core/errors';
import type { Creative } from '../decide/catalog';
import { categoryItems, createModelView, type ModelRef, type ModelView } from '../decide/model-view';
import type { CreativeScores } from '../decide/prior';
import type { ModelPropensity } from '../decide/segments';
import { topItems } from '../decide/top-items';
import { createVocabulary, type FeatureSource } from '../features';
import type { EngineInfo } from '../model/engine';
import type { ModelJob } from '../model/manifest';
import { startModel, type ModelClient } from '../model/model-client';
import type { ClientContext } from './lifecycle';
import type { ModelStatus, Recommendation } from './types';

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
 * The models as the client uses them: loaded off the critical path, each asked for its
 * job's output for a visitor. Every method answers undefined (or nothing) for a job no
 * ready model does; a failed inference is reported (`model-inference`) the same way.
 */
export interface ModelHost {
  /** Resolves once every model is ready or has failed (at once without a model). */
  readonly settled: Promise<void>;
  /** The item-scores model's view of the creatives' targeted items for this visitor; undefined without a history. */
  view(source: FeatureSource, events: PrecisEvent[], creatives: readonly Creative[]): Promise<ModelView | undefined>;
  /** The creative-scores model's P(click) per creative it lists, for this visitor. */
  creativeScores(source: FeatureSource): Promise<CreativeScores | undefined>;
  /** The propensity model's P(purchase in the coming week) for this visitor. */
  propensity(source: FeatureSource): Promise<ModelPropensity | undefined>;
  /** The top `k` items for a visitor, excluding their own items; none without features to use (no `personalize`). */
  recommend(source: FeatureSource | undefined, request: { k?: number; among?: readonly string[] }): Promise<Recommendation>;
  /** Every ready model: where it runs and its live tensors, in the order of `options.model`. */
  status(): Promise<ModelStatus[]>;
  dispose(): void;
}

/** A ready model, and what its output columns are. */
interface ReadyModel {
  client: ModelClient;
  info: EngineInfo;
  ref: ModelRef;
  index: ReadonlyMap<string, number>;
}

/** The models of `options.model` as they become ready, one per job. */
interface LoadedModels {
  ready: Map<ModelJob, ReadyModel>;
  settled: Promise<void>;
  dispose(): void;
}

/**
 * Starts the models of `options.model` once `after` resolves, at idle time, each in its own
 * worker when it can, and emits `model` for each. They load side by side but are taken in
 * the order given, so the first model for a job wins; a later one for the same job is
 * reported (`invalid-options`) and dropped. A model that fails is reported.
 */
function loadModels(context: HostContext, after: Promise<unknown>, start: typeof startModel): LoadedModels {
  const { options, report } = context;
  const ready = new Map<ModelJob, ReadyModel>();
  const clients: ModelClient[] = [];
  let disposed = false;

  const launch = (manifestUrl: string): ModelClient => {
    const client = start(ML_URL, {
      // Relative to the page, like the catalog (the worker would resolve it against dist/).
      manifestUrl: new URL(manifestUrl, context.doc?.baseURI ?? ML_URL).href,
      backend: options.backend,
      timeoutMs: options.modelTimeoutMs,
      maxAgeMs: options.modelMaxAgeMs,
      wasmPaths: WASM_PATHS,
    }, options.worker && typeof Worker !== 'undefined');
    clients.push(client);
    return client;
  };

  const adopt = async (client: ModelClient): Promise<void> => {
    let info: EngineInfo;
    try {
      info = await client.ready;
    } catch (cause) {
      client.dispose();
      return report(toPrecisError(cause, 'model-fetch'));
    }
    if (disposed) return;
    const { backend, name, version, job, fromCache } = info;
    if (ready.has(job)) {
      client.dispose();
      return report(new PrecisError('invalid-options', { option: 'model', reason: `a second ${job} model (${name} ${version}) is ignored` }));
    }
    ready.set(job, { client, info, ref: { name, version, job }, index: createVocabulary(info.labels, info.padIndex).index });
    if (options.backend !== 'auto' && backend !== options.backend) {
      // The site asked for a backend this device or page cannot run: say so, and carry on.
      report(new PrecisError('model-backend', { requested: options.backend, backend, reason: `${options.backend} is not available here` }));
    }
    context.emit('model', { backend, name, version, job, fromCache, thread: client.thread() });
  };

  const manifests = options.model;
  const settled: Promise<void> = manifests.length === 0
    ? Promise.resolve()
    : after.then(() => new Promise<void>((resolve) => {
      const begin = (): void => {
        if (disposed) return resolve();
        const started = manifests.map(launch);
        void started.reduce((previous, client) => previous.then(() => adopt(client)), Promise.resolve()).then(resolve);
      };
      if (typeof requestIdleCallback === 'function') requestIdleCallback(begin, { timeout: 200 });
      else setTimeout(begin, 0);
    }));
  return {
    ready,
    settled,
    dispose() {
      disposed = true;
      for (const client of clients.splice(0)) client.dispose();
      ready.clear();
    },
  };
}

type HostContext = Pick<ClientContext, 'options' | 'doc' | 'report' | 'emit'>;

/**
 * The models of `options.model` (see `loadModels`), each asked for its job's output. A
 * failed model or inference is reported and its job done as without a model. Manifest
 * URLs are relative to the page, like the catalog. `start` is replaceable for tests.
 *
 * @example
 * const models = createModelHost(context, sessionOpened);
 * const view = await models.view(featureSource(events, profile.categories, now), events, catalog.creatives);
 */
export function createModelHost(context: HostContext, after: Promise<unknown>, start: typeof startModel = startModel): ModelHost {
  const { report } = context;
  const { ready, settled, dispose } = loadModels(context, after, start);

  /** The output of the model doing `job` for a visitor, turned by `use`; undefined without one or when it fails. */
  const ask = async <T>(job: ModelJob, source: FeatureSource, use: (row: Float32Array, model: ReadyModel) => T): Promise<T | undefined> => {
    const model = ready.get(job);
    if (!model) return undefined;
    try {
      return use(await score(model, source), model);
    } catch (cause) {
      report(toPrecisError(cause, 'model-inference'));
      return undefined; // the transparent ranker decides alone
    }
  };

  return {
    settled,
    async view(source, events, creatives) {
      // With no history the model knows nothing of this visitor: the catalog's priors decide.
      if (source.history.length === 0) return undefined;
      return ask('item-scores', source, (row, { ref, index }) => {
        const targeted = creatives.flatMap((creative) => creative.targets.items);
        return createModelView(ref, row, index, targeted, categoryItems(events, creatives));
      });
    },
    creativeScores: (source) => ask('creative-scores', source, (row, { ref, info }) => ({
      model: ref,
      ctr: new Map(info.labels.flatMap((id, k) => (Number.isFinite(row[k]) ? [[id, row[k]!] as const] : []))),
    })),
    propensity: (source) => ask('propensity', source, (row, { ref, info }) => {
      const propensity = row[info.column];
      return propensity !== undefined && Number.isFinite(propensity) ? { model: ref, propensity } : undefined;
    }),
    async recommend(source, request) {
      const k = Math.max(1, Math.floor(request.k ?? 10));
      const model = ready.get('item-scores');
      if (!source || !model) return { items: [], backend: null };
      const row = await score(model, source);
      const among = request.among ? new Set(request.among.map(String)) : undefined;
      return { items: topItems(row, model.info.labels, new Set(source.history), k, among, model.info.padIndex), backend: model.info.backend };
    },
    status: () => Promise.all([...ready.values()].map(async ({ client, info }) => {
      const { backend, name, version, job, fromCache, backendChoice } = info;
      return { backend, name, version, job, fromCache, backendChoice, thread: client.thread(), numTensors: await client.numTensors() };
    })),
    dispose,
  };
}

/** The model's output for a visitor; notes the backend, which a lost GPU context may have changed. */
async function score(model: ReadyModel, source: FeatureSource): Promise<Float32Array> {
  const { scores, backend } = await model.client.score(source);
  model.info.backend = backend;
  return scores;
}
