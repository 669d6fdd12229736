/**
 * Evaluation of an exported model directory (the shipped files) and of the
 * baselines under the paper's protocol, plus full ranking and Node latency.
 */
import * as tf from '@tensorflow/tfjs';
import { countPopularity, buildItemSimilarity, createItemCfScorer, createPopRecScorer } from './baselines';
import { buildEvalCases, evaluateCases, splitLeaveOneOut, type BatchScorer, type EvalCase, type ProtocolResult } from './protocol';
import type { InteractionLog } from './read-log';
import { indexSequences } from './vocabulary';
import type { LoadedModel } from './load-model';
import { PrecisError } from './errors';
import { historySource, runModel, type TfModel } from './run-model';

/** The SASRec paper's Amazon Games table (sampled protocol). */
export const PAPER_TABLE: Record<string, { hr10: number; ndcg10: number }> = {
  PopRec: { hr10: 0.4724, ndcg10: 0.2779 },
  BPR: { hr10: 0.4853, ndcg10: 0.2875 },
  FMC: { hr10: 0.6358, ndcg10: 0.4456 },
  FPMC: { hr10: 0.6802, ndcg10: 0.468 },
  TransRec: { hr10: 0.6838, ndcg10: 0.4557 },
  'GRU4Rec+': { hr10: 0.6599, ndcg10: 0.4759 },
  Caser: { hr10: 0.5282, ndcg10: 0.3214 },
  SASRec: { hr10: 0.741, ndcg10: 0.536 },
};

/**
 * Run a one-input model's `predict` on int32 rows and read the scores back (the built-in
 * SASRec model's history rows; the golden fixture uses it). Deliberately not inside
 * `tf.tidy`: on the wasm backend predict inside a tidy scope ran ~7× slower.
 *
 * @example
 * const scores = predictScores(model, rows, 2, 50); // Float32Array(2 * numItems)
 */
export function predictScores(model: TfModel, rows: Int32Array, batch: number, maxLength: number): Float32Array {
  const x = tf.tensor2d(rows, [batch, maxLength], 'int32');
  const y = model.predict(x, { batchSize: batch }) as tf.Tensor;
  const out = y.dataSync() as Float32Array;
  tf.dispose([x, y]);
  return out;
}

/**
 * Scorer that runs a loaded item-scores model on each case's history through its
 * manifest's inputs (`encodeInputs` on `historySource`), one score per protocol item.
 *
 * @example
 * const scorer = createModelScorer(loaded);
 */
export function createModelScorer(loaded: LoadedModel): BatchScorer {
  const { columns } = loaded;
  return (cases: readonly EvalCase[]) => {
    const rows = runModel(loaded, cases.map((c) => historySource(c.history)), loaded.outputSize);
    if (!columns) return rows;
    return rows.map((row) => Float32Array.from(columns, (k) => (k < 0 ? -Infinity : row[k]!)));
  };
}

/**
 * Median single-visitor inference latency (ms) of the model's predict + readback in Node,
 * on the features of a history of up to 50 ids of the model's first vocabulary.
 *
 * @example
 * measureLatencyMs(loaded, 200); // e.g. 3.1
 */
export function measureLatencyMs(loaded: LoadedModel, runs = 200): { medianMs: number; p90Ms: number; runs: number } {
  const ids = [...([...loaded.vocabularies.values()][0]?.index.keys() ?? [])];
  const history = Array.from({ length: Math.min(50, ids.length) }, (_, i) => ids[(i * 7919) % ids.length]!);
  const source = [historySource([...new Set(history)])];
  const once = (): number => {
    const t = performance.now();
    runModel(loaded, source, loaded.outputSize);
    return performance.now() - t;
  };
  for (let i = 0; i < 10; i++) once();
  const times = Array.from({ length: runs }, once).sort((a, b) => a - b);
  return { medianMs: times[Math.floor(runs / 2)]!, p90Ms: times[Math.floor(runs * 0.9)]!, runs };
}

/** Full evaluation output (written as JSON). */
export interface EvaluationResult {
  protocol: {
    seed: number;
    negatives: number;
    evaluatedUsers: number;
    note: string;
  };
  model: ProtocolResult;
  /** PopRec with popularity counted on the training portion (the paper's setup). */
  popRec?: ProtocolResult;
  /** PopRec with popularity counted on training + validation items (everything but the test items). */
  popRecTrainVal?: ProtocolResult;
  /** Item-to-item cosine CF, co-occurrence from training + validation items. */
  itemCf?: ProtocolResult;
  latency?: { medianMs: number; p90Ms: number; runs: number };
  paper: typeof PAPER_TABLE;
  seconds: number;
}

/**
 * Evaluate a loaded model (and optionally the baselines) on a log with the
 * paper's leave-one-out protocol (test stage) and full ranking.
 *
 * @example
 * const result = await evaluateOnLog(loaded, log, { seed: 42, baselines: true });
 */
export async function evaluateOnLog(
  loaded: LoadedModel,
  log: InteractionLog,
  opts: { seed: number; baselines?: boolean; latency?: boolean; maxUsers?: number; log?: (s: string) => void },
): Promise<EvaluationResult> {
  const t0 = performance.now();
  const say = opts.log ?? (() => {});
  if (loaded.manifest.output.kind !== 'item-scores') throw new PrecisError('E_MANIFEST', `a ${loaded.manifest.output.kind} model has no item scores to rank (see verifyOnLog)`);
  const split = splitLeaveOneOut(log.sequences);
  let users = split.evaluated;
  if (opts.maxUsers && opts.maxUsers < users.length) users = users.slice(0, opts.maxUsers);
  const numItems = loaded.items.length;
  const cases = buildEvalCases(users, loaded.index, numItems, 'test', opts.seed);
  say(`evaluating ${cases.length} users (seed ${opts.seed}, 100 negatives each)`);
  const model = await evaluateCases(cases, createModelScorer(loaded), {
    seed: opts.seed,
    onProgress: (n) => n % 5120 === 0 && say(`  model: ${n}/${cases.length}`),
  });
  say(`model: sampled HR@10 ${model.sampled.hr10.toFixed(4)} NDCG@10 ${model.sampled.ndcg10.toFixed(4)}; full HR@10 ${model.full!.hr10.toFixed(4)} NDCG@10 ${model.full!.ndcg10.toFixed(4)}`);
  const result: EvaluationResult = {
    protocol: {
      seed: opts.seed,
      negatives: 100,
      evaluatedUsers: cases.length,
      note:
        'leave-one-out; input = all but the last item (truncated to maxLength), target = last item; ' +
        '100 distinct negatives drawn uniformly from items the user never interacted with; ties broken uniformly at random (seeded); ' +
        'full ranking over all items except padding and the input history; ' +
        "the model's inputs are built by encodeInputs from the input history as one 'view' event a minute apart (train/run-model.ts)",
    },
    model,
    paper: PAPER_TABLE,
    seconds: 0,
  };
  if (opts.baselines) {
    // Baselines see exactly what the model may see: every interaction except the test items.
    const visible = indexSequences(
      [...split.evaluated.map((u) => [...u.train, u.validation]), ...split.trainOnly],
      loaded.index,
    );
    const pop = countPopularity(visible, numItems);
    // PopRec as in the paper: popularity counted on the training portion only.
    const trainOnly = indexSequences([...split.evaluated.map((u) => u.train), ...split.trainOnly], loaded.index);
    result.popRec = await evaluateCases(cases, createPopRecScorer(countPopularity(trainOnly, numItems)), { seed: opts.seed });
    say(`PopRec (train counts): sampled HR@10 ${result.popRec.sampled.hr10.toFixed(4)} NDCG@10 ${result.popRec.sampled.ndcg10.toFixed(4)}`);
    result.popRecTrainVal = await evaluateCases(cases, createPopRecScorer(pop), { seed: opts.seed });
    say(`PopRec (train+validation counts): sampled HR@10 ${result.popRecTrainVal.sampled.hr10.toFixed(4)} NDCG@10 ${result.popRecTrainVal.sampled.ndcg10.toFixed(4)}`);
    const sim = buildItemSimilarity(visible, numItems);
    result.itemCf = await evaluateCases(cases, createItemCfScorer(sim, numItems, 50, pop), { seed: opts.seed });
    say(`item-CF: sampled HR@10 ${result.itemCf.sampled.hr10.toFixed(4)} NDCG@10 ${result.itemCf.sampled.ndcg10.toFixed(4)}`);
  }
  if (opts.latency !== false) result.latency = measureLatencyMs(loaded);
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}
