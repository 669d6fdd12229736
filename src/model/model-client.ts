import { PrecisError, toPrecisError } from '../core/errors';
import { toTrustedScriptUrl } from '../core/trusted-types';
import type { FeatureSource } from '../features';
import type { EngineInfo, EngineOptions } from './engine';
import type { WorkerReply, WorkerRequest, WorkerResults } from './worker-protocol';

/** The main thread's handle on the model, which runs in a worker (or, failing that, here). */
export interface ModelClient {
  /** Resolves when the model is loaded and verified; rejects with a PrecisError. */
  readonly ready: Promise<EngineInfo>;
  /** The model's output row for one visitor's features. */
  score(source: FeatureSource): Promise<WorkerResults['score']>;
  numTensors(): Promise<number>;
  loseContext(): Promise<boolean>;
  /** Where it runs. */
  readonly thread: () => 'worker' | 'main';
  dispose(): void;
}

const WORKER_FAILED = 'the model worker failed to start';

type Ask = <K extends WorkerRequest['type']>(type: K, payload?: object) => Promise<WorkerResults[K]>;

function startWorker(mlUrl: string): { ask: Ask; terminate(): void } {
  // Under Trusted Types a worker URL must come from a policy (ours accepts only the ML chunk).
  const worker = new Worker(toTrustedScriptUrl(mlUrl) as string, { type: 'module', name: 'precis-model' });
  let nextId = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  worker.addEventListener('message', ({ data }: MessageEvent<WorkerReply>) => {
    const waiter = pending.get(data.id);
    pending.delete(data.id);
    if (!waiter) return;
    if (data.ok) waiter.resolve(data.result);
    else waiter.reject(new PrecisError(data.code as PrecisError['code'], data.details));
  });
  // The module failed to load (CSP, network): every pending request fails.
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    for (const waiter of pending.values()) waiter.reject(new PrecisError('model-fetch', { reason: WORKER_FAILED }));
    pending.clear();
  });
  const ask: Ask = (type, payload = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, type, ...payload });
    });
  return { ask, terminate: () => worker.terminate() };
}

/**
 * Starts the model: in a module worker when the browser has them, else on the main thread
 * with `import()` of the same chunk. A worker that cannot start falls back too.
 *
 * @example
 * const model = startModel('/dist/precis-ml.js', { manifestUrl, backend: 'auto', timeoutMs: 10000, maxAgeMs: 3600000, wasmPaths: '/dist/' });
 * const { scores } = await model.score(featureSource(events, profile.categories, Date.now()));
 */
export function startModel(mlUrl: string, options: EngineOptions, useWorker = typeof Worker !== 'undefined'): ModelClient {
  let thread: 'worker' | 'main' = 'worker';
  let terminate = (): void => {};
  let ask: Ask;

  async function onMainThread(): Promise<EngineInfo> {
    thread = 'main';
    const ml = (await import(/* webpackIgnore: true */ /* @vite-ignore */ mlUrl)) as typeof import('./ml-chunk');
    const engine = await ml.createEngine(options);
    ask = (async (type: WorkerRequest['type'], payload?: { source: FeatureSource }) => {
      if (type === 'score') return { scores: await engine.score(payload!.source), backend: engine.info.backend };
      if (type === 'num-tensors') return engine.numTensors();
      if (type === 'lose-context') return engine.loseContext();
      return engine.info;
    }) as Ask;
    terminate = () => engine.dispose();
    return engine.info;
  }

  async function start(): Promise<EngineInfo> {
    if (!useWorker) return onMainThread();
    let worker: ReturnType<typeof startWorker>;
    try {
      worker = startWorker(mlUrl);
    } catch {
      return onMainThread(); // no module workers here, or the page's policies refuse ours
    }
    terminate = worker.terminate;
    ask = worker.ask;
    try {
      return await ask('init', { options });
    } catch (cause) {
      const error = toPrecisError(cause, 'model-fetch');
      // Only a worker that never started is retried here; a bad model fails the same anywhere.
      if (error.details.reason !== WORKER_FAILED) throw error;
      terminate();
      return onMainThread();
    }
  }

  const ready = start();
  ready.catch(() => {}); // observed by the caller; never an unhandled rejection
  return {
    ready,
    score: async (source) => (await ready, ask('score', { source })),
    numTensors: async () => (await ready, ask('num-tensors')),
    loseContext: async () => (await ready, ask('lose-context')),
    thread: () => thread,
    dispose: () => terminate(),
  };
}
