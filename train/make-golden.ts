/**
 * Golden fixture for the browser runtime: fixed histories, their encoded model
 * input and the shipped model's top-10 item ids and scores (computed in Node
 * with the wasm backend from the shipped files).
 */
import * as tf from '@tensorflow/tfjs';
import { encodeHistory } from '../src/features';
import type { LoadedModel } from './load-model';
import type { InteractionLog } from './read-log';
import { splitLeaveOneOut } from './protocol';
import { predictScores } from './evaluate-model';
import { createRng, shuffleInPlace } from './rng';

/** One fixture case. */
export interface GoldenCase {
  id: string;
  /** External item ids, oldest first (may contain unknown ids and exceed maxLength). */
  history: string[];
  /** encodeHistory(history, index, maxLength). */
  input: number[];
  /** Top-10 items (padding excluded), best first. */
  top: { item: string; index: number; score: number }[];
}

/** The fixture file. */
export interface GoldenFixture {
  format: 'precis-golden@1';
  description: string;
  model: { name: string; version: string; files: Record<string, string> };
  maxLength: number;
  topK: number;
  computedWith: string;
  tolerance: { scoreAbs: number; note: string };
  cases: GoldenCase[];
}

/**
 * Build `count` cases: mostly seeded random users' test-time histories, plus edge
 * cases (longer than maxLength, unknown ids mixed in, a single item).
 *
 * @example
 * const fixture = buildGoldenFixture(loaded, log, { seed: 2024, count: 100 });
 */
export function buildGoldenFixture(loaded: LoadedModel, log: InteractionLog, opts: { seed: number; count: number; topK?: number }): GoldenFixture {
  const L = loaded.maxLength;
  const topK = opts.topK ?? 10;
  const split = splitLeaveOneOut(log.sequences);
  const users = shuffleInPlace([...split.evaluated], createRng(opts.seed));
  const histories: { id: string; history: string[] }[] = [];
  const longest = [...split.evaluated].sort((a, b) => b.train.length - a.train.length)[0];
  if (longest) histories.push({ id: `user-${log.users[longest.user]}-long`, history: [...longest.train, longest.validation] });
  if (users[0]) {
    const h = [...users[0].train, users[0].validation];
    const mixed: string[] = [];
    h.forEach((id, i) => mixed.push(id, `unknown-${i}`));
    histories.push({ id: `user-${log.users[users[0].user]}-with-unknown-ids`, history: mixed });
  }
  if (users[1]) histories.push({ id: `single-item-${users[1].test}`, history: [users[1].test] });
  for (const u of users) {
    if (histories.length >= opts.count) break;
    histories.push({ id: `user-${log.users[u.user]}`, history: [...u.train, u.validation] });
  }
  const rows = new Int32Array(histories.length * L);
  histories.forEach((h, i) => rows.set(encodeHistory(h.history, loaded.index, L), i * L));
  const scores = predictScores(loaded.model, rows, histories.length, L);
  const n = loaded.items.length;
  const cases = histories.map((h, i) => {
    const s = scores.subarray(i * n, (i + 1) * n);
    const order = Array.from({ length: n - 1 }, (_, j) => j + 1).sort((a, b) => s[b]! - s[a]! || a - b);
    return {
      id: h.id,
      history: h.history,
      input: [...rows.subarray(i * L, (i + 1) * L)],
      top: order.slice(0, topK).map((j) => ({ item: loaded.items[j]!, index: j, score: +s[j]!.toFixed(6) })),
    };
  });
  return {
    format: 'precis-golden@1',
    description:
      'Histories (external ids, oldest first) → encodeHistory input → top-10 of the shipped model (padding index 0 excluded; ties by lower index).',
    model: { name: loaded.manifest.name, version: loaded.manifest.version, files: loaded.manifest.files },
    maxLength: L,
    topK,
    computedWith: `@tensorflow/tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, Node ${process.version}`,
    tolerance: {
      scoreAbs: 1e-3,
      note: 'float32 backends (cpu, wasm, webgl float32, webgpu) should agree to ~1e-4; top-10 order may swap items whose scores differ by less than the tolerance',
    },
    cases,
  };
}
