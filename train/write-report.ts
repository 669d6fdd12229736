/**
 * Writes the evaluation report: evaluation.json, evaluation.md and SVG plots of
 * training loss and validation NDCG@10 per epoch (from the manifest's history).
 */
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { EvaluationResult } from './evaluate-model';
import type { PrecisManifest } from '../src/model/manifest';
import { plotLineSvg } from './plot-svg';

/** One epoch of a training history (manifest.trainedOn.history or a checkpoint's state). */
export interface HistoryRow {
  epoch: number;
  loss: number;
  seconds: number;
  valHr10?: number;
  valNdcg10?: number;
}

/**
 * Sum of gzip -9 sizes of the files a browser downloads (every file in the manifest + manifest.json).
 *
 * @example
 * measureGzippedSize('demo/models/games'); // { files: {...}, totalBytes: 1234567 }
 */
export function measureGzippedSize(dir: string, manifest: PrecisManifest): { files: Record<string, { bytes: number; gzipBytes: number }>; totalGzipBytes: number } {
  const files: Record<string, { bytes: number; gzipBytes: number }> = {};
  let total = 0;
  for (const f of ['manifest.json', ...Object.keys(manifest.files)]) {
    const buf = readFileSync(join(dir, f));
    const gz = gzipSync(buf, { level: 9 }).length;
    files[f] = { bytes: buf.length, gzipBytes: gz };
    total += gz;
  }
  return { files, totalGzipBytes: total };
}

/**
 * Write loss.svg (training loss per epoch) and validation-ndcg.svg (validation
 * NDCG@10 per epoch, the best epoch marked) into `dir`; nothing for an empty history.
 *
 * @example
 * writeHistoryPlots('train/report', [{ epoch: 1, loss: 9.4, seconds: 600, valHr10: 0.53, valNdcg10: 0.32 }], 1);
 */
export function writeHistoryPlots(dir: string, history: readonly HistoryRow[], best: number | undefined): void {
  if (!history.length) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'loss.svg'),
    plotLineSvg(
      history.map((h) => [h.epoch, h.loss] as const),
      { title: 'Training loss per epoch', xLabel: 'epoch', yLabel: 'loss' },
    ),
  );
  const val = history.filter((h) => h.valNdcg10 !== undefined).map((h) => [h.epoch, h.valNdcg10!] as const);
  const bestRow = history.find((h) => h.epoch === best);
  writeFileSync(
    join(dir, 'validation-ndcg.svg'),
    plotLineSvg(val, {
      title: 'Validation NDCG@10 (sampled protocol, fixed user sample) per epoch',
      xLabel: 'epoch',
      yLabel: 'NDCG@10',
      ...(bestRow?.valNdcg10 !== undefined ? { marker: [bestRow.epoch, bestRow.valNdcg10] as const } : {}),
    }),
  );
}

const f4 = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(4));

/**
 * Write evaluation.json, evaluation.md, loss.svg and validation-ndcg.svg into `dir`.
 *
 * @example
 * writeEvaluationReport('train/report', result, manifest, 'npm run evaluate -- ...', 'demo/models/games');
 */
export function writeEvaluationReport(dir: string, r: EvaluationResult, manifest: PrecisManifest, command: string, modelDir: string): void {
  mkdirSync(dir, { recursive: true });
  const size = measureGzippedSize(modelDir, manifest);
  const history = ((manifest.trainedOn as { history?: HistoryRow[] }).history ?? []) as HistoryRow[];
  const best = (manifest.trainedOn as { bestEpoch?: number }).bestEpoch;
  writeFileSync(join(dir, 'evaluation.json'), `${JSON.stringify({ ...r, size, command }, null, 2)}\n`);
  writeHistoryPlots(dir, history, best);
  const row = (name: string, m: { sampled: { hr10: number; ndcg10: number }; full: { hr10: number; ndcg10: number } | null } | undefined): string =>
    m ? `| ${name} | ${f4(m.sampled.hr10)} | ${f4(m.sampled.ndcg10)} | ${f4(m.full?.hr10)} | ${f4(m.full?.ndcg10)} |` : '';
  const lines = [
    `# Evaluation: ${manifest.name} ${manifest.version}`,
    '',
    `Command: \`${command}\``,
    '',
    `Protocol: ${r.protocol.note}. Seed ${r.protocol.seed}, ${r.protocol.evaluatedUsers} users scored.`,
    '',
    '| model | HR@10 (sampled) | NDCG@10 (sampled) | HR@10 (full) | NDCG@10 (full) |',
    '|---|---|---|---|---|',
    row(`**${manifest.name} (shipped files)**`, r.model),
    row('PopRec (ours, training counts as in the paper)', r.popRec),
    row('PopRec (ours, training + validation counts)', r.popRecTrainVal),
    row('item-CF cosine (ours)', r.itemCf),
    ...Object.entries(r.paper).map(([k, v]) => `| ${k} (paper) | ${f4(v.hr10)} | ${f4(v.ndcg10)} | – | – |`),
    '',
    `Download size (gzip -9): ${(size.totalGzipBytes / 1e6).toFixed(3)} MB` +
      ` (${Object.entries(size.files).map(([f, s]) => `${f} ${(s.gzipBytes / 1e3).toFixed(1)} kB`).join(', ')}).`,
    '',
    r.latency ? `Node single-history latency (wasm backend, predict + readback): median ${r.latency.medianMs.toFixed(2)} ms, p90 ${r.latency.p90Ms.toFixed(2)} ms over ${r.latency.runs} runs.` : '',
    '',
    history.length ? '![training loss](loss.svg)\n\n![validation NDCG@10](validation-ndcg.svg)' : '',
    '',
  ];
  writeFileSync(join(dir, 'evaluation.md'), lines.filter((l, i, a) => l !== '' || a[i - 1] !== '').join('\n'));
}
