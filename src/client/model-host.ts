import type { PrecisEvent } from '../capture/event';
import { PrecisError, toPrecisError } from '../core/errors';
import type { Creative } from '../decide/catalog';
import { categoryItems, createModelView, type ModelView } from '../decide/model-view';
import { topItems } from '../decide/top-items';
import { buildItemIndex, type FeatureSource } from '../features';
import type { EngineInfo } from '../model/engine';
import { startModel, type ModelClient } from '../model/model-client';
import type { ClientContext } from './lifecycle';
import type { PersonalizerStatus, Recommendation } from './types';

// Resolved when this module runs: the ML chunk and the `.wasm` files sit next to it. Each
// is a literal `new URL(…, import.meta.url)`, the form bundlers (Vite, webpack) follow to
// emit the file with the app.
const ML_URL = new URL('./precis-ml.js', import.meta.url).href;
const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': new URL('./tfjs-backend-wasm.wasm', import.meta.url).href,
  'tfjs-backend-wasm-simd.wasm': new URL('./tfjs-backend-wasm-simd.wasm', import.meta.url).href,
  'tfjs-backend-wasm-threaded-simd.wasm': new URL('./tfjs-backend-wasm-threaded-simd.wasm', import.meta.url).href,
};

/** The model as the client uses it: loaded off the critical path, asked to score histories. */
export interface ModelHost {
  /** Resolves once the model is ready or has failed (at once without a model). */
  readonly settled: Promise<void>;
  /** The model's view of the creatives' targeted items for this visitor; undefined without a model or a history. */
  view(source: FeatureSource, events: PrecisEvent[], creatives: readonly Creative[]): Promise<ModelView | undefined>;
  /** The top `k` items for a visitor, excluding their own items; none without features to use (no `personalize`). */
  recommend(source: FeatureSource | undefined, request: { k?: number; among?: readonly string[] }): Promise<Recommendation>;
  /** Where the model runs and its live tensors; null without a ready model. */
  status(): Promise<PersonalizerStatus['model']>;
  dispose(): void;
}

/**
 * Starts the model (when `options.model` is set) once `after` resolves, at idle time, in a
 * worker when it can, and emits `model`; a failure is reported and the transparent ranker
 * decides alone. The manifest URL is relative to the page, like the catalog.
 *
 * @example
 * const model = createModelHost(context, sessionOpened);
 * const view = await model.view(featureSource(events, profile.categories, now), events, catalog.creatives);
 */
export function createModelHost(context: Pick<ClientContext, 'options' | 'doc' | 'report' | 'emit'>, after: Promise<unknown>): ModelHost {
  const { options, report } = context;
  let client: ModelClient | undefined;
  let ready: { info: EngineInfo; index: Map<string, number> } | undefined;
  let disposed = false;

  const start = (manifestUrl: string): Promise<void> => {
    const started = startModel(ML_URL, {
      // Relative to the page, like the catalog (the worker would resolve it against dist/).
      manifestUrl: new URL(manifestUrl, context.doc?.baseURI ?? ML_URL).href,
      backend: options.backend,
      timeoutMs: options.modelTimeoutMs,
      maxAgeMs: options.modelMaxAgeMs,
      wasmPaths: WASM_PATHS,
    }, options.worker && typeof Worker !== 'undefined');
    client = started;
    return started.ready.then((info) => {
      if (disposed) return;
      ready = { info, index: buildItemIndex(info.labels) };
      if (options.backend !== 'auto' && info.backend !== options.backend) {
        // The site asked for a backend this device or page cannot run: say so, and carry on.
        report(new PrecisError('model-backend', { requested: options.backend, backend: info.backend, reason: `${options.backend} is not available here` }));
      }
      const { backend, name, version, fromCache } = info;
      context.emit('model', { backend, name, version, fromCache, thread: started.thread() });
    }, (cause: unknown) => {
      client = undefined;
      started.dispose();
      report(toPrecisError(cause, 'model-fetch'));
    });
  };

  const manifest = options.model;
  const settled: Promise<void> = manifest === undefined
    ? Promise.resolve()
    : after.then(() => new Promise<void>((resolve) => {
      const begin = (): void => void start(manifest).then(resolve);
      if (typeof requestIdleCallback === 'function') requestIdleCallback(begin, { timeout: 200 });
      else setTimeout(begin, 0);
    }));

  return {
    settled,
    async view(source, events, creatives) {
      // With no history the model knows nothing of this visitor: the catalog's priors decide.
      if (!client || !ready || source.history.length === 0) return undefined;
      try {
        const scores = await score(client, ready.info, source);
        const targeted = creatives.flatMap((creative) => creative.targets.items);
        return createModelView(scores, ready.index, targeted, categoryItems(events, creatives));
      } catch (cause) {
        report(toPrecisError(cause, 'model-inference'));
        return undefined; // the transparent ranker decides alone
      }
    },
    async recommend(source, request) {
      const k = Math.max(1, Math.floor(request.k ?? 10));
      if (!source || !client || !ready) return { items: [], backend: null };
      const scores = await score(client, ready.info, source);
      const among = request.among ? new Set(request.among.map(String)) : undefined;
      return { items: topItems(scores, ready.info.labels, new Set(source.history), k, among), backend: ready.info.backend };
    },
    async status() {
      if (!client || !ready) return null;
      const { backend, name, version, fromCache, backendChoice } = ready.info;
      return { backend, name, version, fromCache, backendChoice, thread: client.thread(), numTensors: await client.numTensors() };
    },
    dispose() {
      disposed = true;
      client?.dispose();
      client = undefined;
    },
  };
}

/** The model's output for a visitor; notes the backend, which a lost GPU context may have changed. */
async function score(model: ModelClient, info: EngineInfo, source: FeatureSource): Promise<Float32Array> {
  const { scores, backend } = await model.score(source);
  info.backend = backend;
  return scores;
}
