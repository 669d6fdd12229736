/**
 * The evaluation protocol of the SASRec paper (leave-one-out, 100 uniform
 * negatives, HR@10 / NDCG@10) plus full-ranking metrics. Pure code: a scorer
 * supplies scores, this module splits, samples, ranks and averages.
 */
import { createRng, type Rng } from './rng';

/** A user's leave-one-out split (external ids). */
export interface LeaveOneOutUser {
  /** Position of the user in the log. */
  user: number;
  /** Items before the validation item. */
  train: string[];
  validation: string;
  test: string;
}

/**
 * Split every sequence with at least 3 actions: last item = test, second-to-last =
 * validation, the rest = train. Shorter users are returned in `trainOnly`
 * (used for training, never evaluated).
 *
 * @example
 * splitLeaveOneOut([['a', 'b', 'c', 'd'], ['x', 'y']]);
 * // { evaluated: [{ user: 0, train: ['a', 'b'], validation: 'c', test: 'd' }], trainOnly: [['x', 'y']] }
 */
export function splitLeaveOneOut(sequences: readonly (readonly string[])[]): {
  evaluated: LeaveOneOutUser[];
  trainOnly: string[][];
} {
  const evaluated: LeaveOneOutUser[] = [];
  const trainOnly: string[][] = [];
  sequences.forEach((s, user) => {
    if (s.length >= 3) {
      evaluated.push({ user, train: s.slice(0, -2), validation: s[s.length - 2]!, test: s[s.length - 1]! });
    } else trainOnly.push([...s]);
  });
  return { evaluated, trainOnly };
}

/**
 * Draw `count` distinct item indices uniformly from 1..numItems-1, none in `exclude`.
 *
 * @example
 * sampleNegatives(createRng(1), 1000, new Set([5, 9]), 100); // Int32Array(100)
 */
export function sampleNegatives(rng: Rng, numItems: number, exclude: ReadonlySet<number>, count: number): Int32Array {
  const available = numItems - 1 - [...exclude].filter((x) => x >= 1 && x < numItems).length;
  if (available < count) throw new Error(`cannot draw ${count} negatives: only ${available} items available`);
  const out = new Int32Array(count);
  const taken = new Set<number>();
  for (let n = 0; n < count; ) {
    const c = 1 + rng.int(numItems - 1);
    if (exclude.has(c) || taken.has(c)) continue;
    taken.add(c);
    out[n++] = c;
  }
  return out;
}

/**
 * 0-based rank of the target among competitors: the number of competitors with a
 * strictly higher score, plus a seeded uniform tie-break among equal scores.
 *
 * @example
 * rankAmong(0.5, Float32Array.of(0.9, 0.1, 0.7), createRng(0)); // 2
 */
export function rankAmong(target: number, competitors: ArrayLike<number>, rng: Rng): number {
  let higher = 0;
  let ties = 0;
  for (let i = 0; i < competitors.length; i++) {
    const s = competitors[i]!;
    if (s > target) higher++;
    else if (s === target) ties++;
  }
  return ties > 0 ? higher + rng.int(ties + 1) : higher;
}

/** Accumulates HR@k and NDCG@k over users. */
export interface MetricAccumulator {
  add(rank: number): void;
  result(): { users: number; hr: number; ndcg: number };
}

/**
 * HR@k / NDCG@k accumulator (rank is 0-based; NDCG = 1/log2(rank+2) for hits).
 *
 * @example
 * const m = createMetricAccumulator(10);
 * m.add(0); m.add(3); m.add(50);
 * m.result(); // { users: 3, hr: 0.667, ndcg: (1 + 1/log2(5)) / 3 }
 */
export function createMetricAccumulator(k = 10): MetricAccumulator {
  let users = 0;
  let hits = 0;
  let ndcg = 0;
  return {
    add(rank: number) {
      users++;
      if (rank < k) {
        hits++;
        ndcg += 1 / Math.log2(rank + 2);
      }
    },
    result: () => ({ users, hr: users ? hits / users : 0, ndcg: users ? ndcg / users : 0 }),
  };
}

/** One evaluation case: model-index history (oldest first), target and fixed negatives. */
export interface EvalCase {
  user: number;
  /** External ids given to the model as input (oldest first). */
  history: string[];
  /** Model indices of `history` (unknown ids dropped). */
  historyIndices: Int32Array;
  /** Model index of the target, or 0 if the target is not in the vocabulary (counts as a miss). */
  target: number;
  negatives: Int32Array;
}

/**
 * Build the test (or validation) cases of the protocol with fixed negatives.
 * `stage: 'test'` uses train+validation as history and the last item as target;
 * `stage: 'validation'` uses train as history and the second-to-last as target.
 * Negatives exclude every item the user ever interacted with (incl. the target); with a
 * catalogue too small for `numNegatives`, all remaining items are used.
 *
 * @example
 * const cases = buildEvalCases(split.evaluated, vocab.index, vocab.items.length, 'test', 2018);
 */
export function buildEvalCases(
  users: readonly LeaveOneOutUser[],
  index: ReadonlyMap<string, number>,
  numItems: number,
  stage: 'test' | 'validation',
  seed: number,
  numNegatives = 100,
): EvalCase[] {
  const rng = createRng(seed);
  return users.map((u) => {
    const history = stage === 'test' ? [...u.train, u.validation] : [...u.train];
    const targetId = stage === 'test' ? u.test : u.validation;
    const all = new Set<number>();
    for (const id of [...u.train, u.validation, u.test]) {
      const k = index.get(id);
      if (k !== undefined) all.add(k);
    }
    const hi: number[] = [];
    for (const id of history) {
      const k = index.get(id);
      if (k !== undefined) hi.push(k);
    }
    return {
      user: u.user,
      history,
      historyIndices: Int32Array.from(hi),
      target: index.get(targetId) ?? 0,
      // Tiny catalogues: fall back to every item the user never touched.
      negatives: sampleNegatives(rng, numItems, all, Math.min(numNegatives, numItems - 1 - all.size)),
    };
  });
}

/** Scores for a batch of cases: one Float32Array over all item indices per case. */
export type BatchScorer = (cases: readonly EvalCase[]) => Promise<Float32Array[]> | Float32Array[];

/** Result of {@link evaluateCases}. */
export interface ProtocolResult {
  users: number;
  sampled: { hr10: number; ndcg10: number };
  full: { hr10: number; ndcg10: number } | null;
}

/**
 * Score every case and compute sampled (target vs its negatives) and, optionally,
 * full-ranking (target vs every item except padding and the history) HR@10/NDCG@10.
 *
 * @example
 * const r = await evaluateCases(cases, (batch) => batch.map(() => popularity), { seed: 7 });
 * r.sampled.hr10;
 */
export async function evaluateCases(
  cases: readonly EvalCase[],
  scorer: BatchScorer,
  opts: { seed?: number; batchSize?: number; full?: boolean; onProgress?: (done: number) => void } = {},
): Promise<ProtocolResult> {
  const rng = createRng(opts.seed ?? 2018);
  const batchSize = opts.batchSize ?? 256;
  const sampled = createMetricAccumulator(10);
  const full = createMetricAccumulator(10);
  for (let start = 0; start < cases.length; start += batchSize) {
    const batch = cases.slice(start, start + batchSize);
    const scores = await scorer(batch);
    batch.forEach((c, b) => {
      const s = scores[b]!;
      if (c.target === 0) {
        sampled.add(Infinity);
        if (opts.full !== false) full.add(Infinity);
        return;
      }
      const t = s[c.target]!;
      const neg = new Float32Array(c.negatives.length);
      for (let i = 0; i < neg.length; i++) neg[i] = s[c.negatives[i]!]!;
      sampled.add(rankAmong(t, neg, rng));
      if (opts.full !== false) full.add(rankFull(s, c, rng));
    });
    opts.onProgress?.(Math.min(cases.length, start + batchSize));
  }
  const sr = sampled.result();
  const fr = full.result();
  return {
    users: sr.users,
    sampled: { hr10: sr.hr, ndcg10: sr.ndcg },
    full: opts.full === false ? null : { hr10: fr.hr, ndcg10: fr.ndcg },
  };
}

/**
 * Full-ranking 0-based rank of the case's target among all items except the
 * padding index 0, the target itself and the items of the history.
 *
 * @example
 * rankFull(Float32Array.of(9, 0.5, 0.9, 0.7), { historyIndices: Int32Array.of(2), target: 1 } as EvalCase, createRng(0)); // 1
 */
export function rankFull(scores: Float32Array, c: Pick<EvalCase, 'historyIndices' | 'target'>, rng: Rng): number {
  const t = scores[c.target]!;
  let higher = 0;
  let ties = 0;
  for (let j = 1; j < scores.length; j++) {
    const s = scores[j]!;
    if (s > t) higher++;
    else if (s === t) ties++;
  }
  ties--; // the target itself
  for (const h of c.historyIndices) {
    if (h === c.target || h === 0) continue;
    const s = scores[h]!;
    if (s > t) higher--;
    else if (s === t) ties--;
  }
  return ties > 0 ? higher + rng.int(ties + 1) : higher;
}
