/**
 * What `npm run evaluate` does for a model whose output is not item scores (a creative-score
 * or a propensity model): a log of item ids has no clicks on creatives and no purchase
 * labels, so there is no HR@10/NDCG@10 to compute. It verifies the model instead — it
 * loads, its inputs fit the manifest, it gives `output.size` finite probabilities in [0, 1]
 * for every visitor of the log — and reports the spread of each output column.
 */
import type { LoadedModel } from './load-model';
import type { InteractionLog } from './read-log';
import { PrecisError } from './errors';
import { historySource, runModel } from './run-model';
import { measureLatencyMs } from './evaluate-model';

/** One output column's spread over the log's visitors. */
export interface ColumnStats {
  /** The creative id, `propensity` for a propensity model's column, else `column <k>`. */
  label: string;
  min: number;
  mean: number;
  max: number;
}

/** What `evaluate` reports for a creative-scores or propensity model. */
export interface VerificationResult {
  job: 'creative-scores' | 'propensity';
  message: string;
  visitors: number;
  outputSize: number;
  checks: string[];
  columns: ColumnStats[];
  latency?: { medianMs: number; p90Ms: number; runs: number };
  seconds: number;
}

function labels(loaded: LoadedModel): string[] {
  const { output } = loaded.manifest;
  if (output.kind === 'creative-scores') return output.creatives;
  const column = output.kind === 'propensity' ? (output.index ?? output.size - 1) : -1;
  return Array.from({ length: loaded.outputSize }, (_, k) => (k === column ? 'propensity' : `column ${k}`));
}

/**
 * Runs the model on every visitor's whole history (features as `historySource` makes them)
 * and checks its outputs. Throws E_MODEL_OUTPUT when one is not finite or outside [0, 1].
 *
 * @example
 * const result = verifyOnLog(loaded, log, { latency: true });
 * result.columns; // [{ label: 'propensity', min: 0.01, mean: 0.2, max: 0.9 }]
 */
export function verifyOnLog(loaded: LoadedModel, log: InteractionLog, opts: { latency?: boolean; maxUsers?: number; log?: (s: string) => void }): VerificationResult {
  const t0 = performance.now();
  const job = loaded.manifest.output.kind;
  if (job === 'item-scores') throw new PrecisError('E_MANIFEST', 'an item-scores model is evaluated, not verified');
  const sequences = log.sequences.filter((s) => s.length > 0).slice(0, opts.maxUsers ?? Infinity);
  const names = labels(loaded);
  const sums = new Float64Array(loaded.outputSize);
  const mins = new Float64Array(loaded.outputSize).fill(Infinity);
  const maxs = new Float64Array(loaded.outputSize).fill(-Infinity);
  for (let start = 0; start < sequences.length; start += 256) {
    const rows = runModel(loaded, sequences.slice(start, start + 256).map(historySource), loaded.outputSize);
    rows.forEach((row, b) => {
      row.forEach((v, k) => {
        if (!Number.isFinite(v) || v < 0 || v > 1) {
          throw new PrecisError('E_MODEL_OUTPUT', `${job} outputs must be probabilities in [0, 1]; visitor ${start + b} of the log gets ${v} in ${names[k]}`);
        }
        sums[k] += v;
        mins[k] = Math.min(mins[k]!, v);
        maxs[k] = Math.max(maxs[k]!, v);
      });
    });
  }
  const columns = names.map((label, k) => ({ label, min: mins[k]!, mean: sums[k]! / sequences.length, max: maxs[k]! }));
  const message =
    `${job} model verified on ${sequences.length} visitors: HR@10/NDCG@10 need an item-scores model ` +
    `(a log of item ids has no ${job === 'propensity' ? 'purchase labels' : 'creative clicks'}), so evaluate checked that it loads, ` +
    `its inputs fit the manifest and it gives ${loaded.outputSize} finite probabilities in [0, 1] for every visitor`;
  opts.log?.(message);
  for (const c of columns) opts.log?.(`  ${c.label}: min ${c.min.toFixed(4)} mean ${c.mean.toFixed(4)} max ${c.max.toFixed(4)}`);
  return {
    job,
    message,
    visitors: sequences.length,
    outputSize: loaded.outputSize,
    checks: ['sha256 of every file', 'manifest inputs = model inputs (names, ranks, sizes, dtypes)', `output ${loaded.outputSize} wide`, 'outputs finite', 'outputs in [0, 1]'],
    columns,
    ...(opts.latency !== false ? { latency: measureLatencyMs(loaded) } : {}),
    seconds: (performance.now() - t0) / 1000,
  };
}
