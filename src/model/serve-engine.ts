import { toPrecisError } from '../core/errors';
import { createEngine, type Engine } from './engine';
import type { WorkerReply, WorkerRequest } from './worker-protocol';

/** The worker side of the protocol: one engine per worker. */
interface MessagePort {
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest>) => void): void;
  postMessage(message: WorkerReply, transfer?: Transferable[]): void;
}

/**
 * Answers WorkerRequests with an engine (in the dedicated worker).
 *
 * @example
 * serveEngine(self as unknown as DedicatedWorkerGlobalScope);
 */
export function serveEngine(port: MessagePort): void {
  let engine: Engine | undefined;
  port.addEventListener('message', async ({ data: request }) => {
    try {
      switch (request.type) {
        case 'init':
          engine = await createEngine(request.options);
          port.postMessage({ id: request.id, ok: true, result: engine.info });
          return;
        case 'score': {
          if (!engine) throw new Error('not initialised');
          const scores = await engine.score(request.source);
          port.postMessage({ id: request.id, ok: true, result: { scores, backend: engine.info.backend } }, [scores.buffer]);
          return;
        }
        case 'num-tensors':
          port.postMessage({ id: request.id, ok: true, result: engine?.numTensors() ?? 0 });
          return;
        case 'lose-context':
          port.postMessage({ id: request.id, ok: true, result: engine?.loseContext() ?? false });
          return;
      }
    } catch (cause) {
      const error = toPrecisError(cause, 'model-inference');
      port.postMessage({ id: request.id, ok: false, code: error.code, details: { ...error.details } });
    }
  });
}
