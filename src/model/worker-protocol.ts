import type { FeatureSource } from '../features';
import type { EngineInfo, EngineOptions } from './engine';

/** Messages to the model worker; each carries an id that its reply repeats. */
export type WorkerRequest =
  | { id: number; type: 'init'; options: EngineOptions }
  | { id: number; type: 'score'; source: FeatureSource }
  | { id: number; type: 'num-tensors' }
  | { id: number; type: 'lose-context' };

/** What each request resolves to. */
export interface WorkerResults {
  init: EngineInfo;
  score: { scores: Float32Array; backend: EngineInfo['backend'] };
  'num-tensors': number;
  'lose-context': boolean;
}

/** A reply: the result, or a PrecisError's code and details. */
export type WorkerReply =
  | { id: number; ok: true; result: WorkerResults[keyof WorkerResults] }
  | { id: number; ok: false; code: string; details: Record<string, unknown> };
