import { describe, expect, it } from 'vitest';
import {
  buildEvalCases,
  createMetricAccumulator,
  evaluateCases,
  rankAmong,
  rankFull,
  sampleNegatives,
  splitLeaveOneOut,
} from '../../train/protocol';
import { createRng } from '../../train/rng';
import { buildVocabulary } from '../../train/vocabulary';
import { countPopularity, buildItemSimilarity, createItemCfScorer, createPopRecScorer } from '../../train/baselines';
import { indexSequences } from '../../train/vocabulary';

describe('splitLeaveOneOut', () => {
  it('holds out the last two items of users with >= 3 actions', () => {
    const s = splitLeaveOneOut([['a', 'b', 'c', 'd'], ['x', 'y'], ['p', 'q', 'r']]);
    expect(s.evaluated).toEqual([
      { user: 0, train: ['a', 'b'], validation: 'c', test: 'd' },
      { user: 2, train: ['p'], validation: 'q', test: 'r' },
    ]);
    expect(s.trainOnly).toEqual([['x', 'y']]);
  });
});

describe('metrics', () => {
  it('computes HR@10 and NDCG@10 from 0-based ranks', () => {
    const m = createMetricAccumulator(10);
    [0, 1, 9, 10, 50].forEach((r) => m.add(r));
    const r = m.result();
    expect(r.users).toBe(5);
    expect(r.hr).toBeCloseTo(3 / 5);
    expect(r.ndcg).toBeCloseTo((1 + 1 / Math.log2(3) + 1 / Math.log2(11)) / 5);
  });
  it('ranks by strictly higher scores, ties broken within the tie range', () => {
    expect(rankAmong(0.5, [0.9, 0.1, 0.7], createRng(0))).toBe(2);
    for (let s = 0; s < 20; s++) {
      const r = rankAmong(0.5, [0.5, 0.5, 0.9], createRng(s));
      expect(r).toBeGreaterThanOrEqual(1);
      expect(r).toBeLessThanOrEqual(3);
    }
  });
  it('full ranking excludes padding, the target and the history', () => {
    // items 0..5; history {2}; target 1 (score .5). Competitors 3 (.7), 4 (.1), 5 (.6) → rank 2.
    const scores = Float32Array.of(99, 0.5, 0.9, 0.7, 0.1, 0.6);
    expect(rankFull(scores, { historyIndices: Int32Array.of(2), target: 1 }, createRng(0))).toBe(2);
  });
});

describe('negative sampling', () => {
  it('never draws padding, the target or any history item, and draws distinct items', () => {
    const exclude = new Set([1, 2, 3, 50, 99]);
    for (let seed = 0; seed < 20; seed++) {
      const negs = sampleNegatives(createRng(seed), 120, exclude, 100);
      expect(new Set(negs).size).toBe(100);
      for (const n of negs) {
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThan(120);
        expect(exclude.has(n)).toBe(false);
      }
    }
  });
  it('fails clearly when too few items remain', () => {
    expect(() => sampleNegatives(createRng(0), 10, new Set([1]), 100)).toThrow(/cannot draw/);
  });
  it('eval cases exclude every item of the user (train, validation, test)', () => {
    const seqs = Array.from({ length: 30 }, (_, u) => Array.from({ length: 8 }, (_, k) => String(1 + ((u * 7 + k * 13) % 150))));
    const deduped = seqs.map((s) => [...new Set(s)]);
    const vocab = buildVocabulary(deduped);
    const split = splitLeaveOneOut(deduped);
    const cases = buildEvalCases(split.evaluated, vocab.index, vocab.items.length, 'test', 42);
    cases.forEach((c) => {
      const all = new Set(deduped[c.user]!.map((id) => vocab.index.get(id)!));
      for (const n of c.negatives) expect(all.has(n)).toBe(false);
      expect(c.history).toEqual(deduped[c.user]!.slice(0, -1));
      expect(c.target).toBe(vocab.index.get(deduped[c.user]!.at(-1)!));
    });
    // Same seed → same negatives.
    const again = buildEvalCases(split.evaluated, vocab.index, vocab.items.length, 'test', 42);
    expect(again.map((c) => [...c.negatives])).toEqual(cases.map((c) => [...c.negatives]));
  });
});

describe('protocol on a hand-made log with a known answer', () => {
  // 200 items. Users 0..3 each have 4 actions; an oracle scorer puts the target first for
  // users 0 and 1, gives it rank 3 for user 2, and ranks it last for user 3.
  const seqs = [
    ['1', '2', '3', '4'],
    ['5', '6', '7', '8'],
    ['9', '10', '11', '12'],
    ['13', '14', '15', '16'],
  ];
  const items = ['', ...Array.from({ length: 200 }, (_, i) => String(i + 1))];
  const index = new Map(items.slice(1).map((id, i) => [id, i + 1]));
  const split = splitLeaveOneOut(seqs);
  const cases = buildEvalCases(split.evaluated, index, items.length, 'test', 7);
  it('gives HR@10 = 3/4 and NDCG@10 = (1 + 1 + 1/log2(5)) / 4', async () => {
    const scorer = (batch: readonly (typeof cases)[number][]): Float32Array[] =>
      batch.map((c) => {
        const s = new Float32Array(items.length);
        c.negatives.forEach((n, i) => (s[n] = 100 - i)); // negatives score 100, 99, ..., 1
        s[c.target] = c.user === 2 ? 97.5 : c.user === 3 ? -1 : 1000; // user 2: 3 negatives above
        return s;
      });
    const r = await evaluateCases(cases, scorer, { seed: 1 });
    expect(r.users).toBe(4);
    expect(r.sampled.hr10).toBeCloseTo(0.75);
    expect(r.sampled.ndcg10).toBeCloseTo((2 + 1 / Math.log2(5)) / 4);
  });
  it('scores a target missing from the vocabulary as a miss', async () => {
    const c2 = buildEvalCases(splitLeaveOneOut([['1', '2', 'unknown']]).evaluated, index, items.length, 'test', 7);
    expect(c2[0]!.target).toBe(0);
    const r = await evaluateCases(c2, (b) => b.map(() => new Float32Array(items.length)), { seed: 1 });
    expect(r.sampled.hr10).toBe(0);
  });
});

describe('baselines', () => {
  it('PopRec ranks by popularity', async () => {
    const seqs = [['1', '2', '3'], ['1', '2', '4'], ['1', '5', '2']];
    const vocab = buildVocabulary(seqs);
    const pop = countPopularity(indexSequences(seqs, vocab.index), vocab.items.length);
    expect(pop[vocab.index.get('1')!]).toBe(3);
    const c = { user: 0, history: ['3'], historyIndices: Int32Array.of(3), target: 1, negatives: Int32Array.of(4) };
    const [s] = createPopRecScorer(pop)([c]) as Float32Array[];
    expect(s![vocab.index.get('1')!]).toBeGreaterThan(s![vocab.index.get('4')!]!);
  });
  it('item-CF scores co-occurring items by cosine', () => {
    const seqs = [Int32Array.of(1, 2), Int32Array.of(1, 2), Int32Array.of(1, 3)];
    const sim = buildItemSimilarity(seqs, 4);
    const scorer = createItemCfScorer(sim, 4);
    const [s] = scorer([{ user: 0, history: ['x'], historyIndices: Int32Array.of(1), target: 2, negatives: Int32Array.of(3) }]) as Float32Array[];
    expect(s![2]).toBeCloseTo(2 / Math.sqrt(3 * 2));
    expect(s![3]).toBeCloseTo(1 / Math.sqrt(3 * 1));
    expect(s![0]).toBe(0);
  });
});
