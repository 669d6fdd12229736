/**
 * Precis training CLI.
 *
 *   npm run train -- --data <log> --out <dir> [options]
 *   npm run evaluate -- --model <dir> --data <log> [options]
 *   npm run manifest -- --model <dir>
 *
 * Errors print one line `precis: <CODE>: <message>` on stderr and exit non-zero.
 */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, resolve, join } from 'node:path';
import { PrecisError } from './errors';
import { parseArgs, type FlagSpec } from './parse-args';
import { readInteractionLog, type LogFormat } from './read-log';
import { buildVocabulary } from './vocabulary';
import { buildEvalCases, splitLeaveOneOut } from './protocol';
import { buildTrainingExamples, trainSasrec, type TrainOptions } from './train-model';
import { createProgressReporter } from './progress';
import { createRng, shuffleInPlace } from './rng';
import { exportModel, writeManifest, type QuantizeOptions } from './export-model';
import { loadModelDir } from './load-model';
import { evaluateOnLog } from './evaluate-model';
import { verifyOnLog } from './verify-model';
import { writeEvaluationReport, writeHistoryPlots } from './write-report';
import { readCheckpointState } from './checkpoint';
import { initWasmBackend } from './wasm-backend';
import { sha256Hex } from './manifest';
import { buildGoldenFixture } from './make-golden';
import { writeManifestHashes } from './write-hashes';

const TRAIN_FLAGS: FlagSpec = {
  data: 'string',
  out: 'string',
  format: 'string',
  'checkpoint-dir': 'string',
  'report-dir': 'string',
  name: 'string',
  version: 'string',
  epochs: 'number',
  'batch-size': 'number',
  'max-length': 'number',
  hidden: 'number',
  blocks: 'number',
  dropout: 'number',
  lr: 'number',
  negatives: 'number',
  'per-position-negatives': 'boolean',
  ema: 'number',
  loss: 'string',
  select: 'string',
  seed: 'number',
  'eval-every': 'number',
  'val-users': 'number',
  patience: 'number',
  'max-minutes': 'number',
  quantize: 'string',
  'eval-seed': 'number',
  'final-eval': 'boolean',
  quiet: 'boolean',
};

const EVAL_FLAGS: FlagSpec = {
  model: 'string',
  data: 'string',
  format: 'string',
  seed: 'number',
  baselines: 'boolean',
  latency: 'boolean',
  'report-dir': 'string',
  json: 'string',
  'max-users': 'number',
  quiet: 'boolean',
};

function badFlag(message: string): never {
  throw new PrecisError('E_BAD_FLAG', message);
}

function requireString(a: Record<string, unknown>, name: string): string {
  const v = a[name];
  if (typeof v !== 'string' || v === '') throw new PrecisError('E_MISSING_FLAG', `--${name} is required`);
  return v;
}

function parseFormat(v: unknown): LogFormat | undefined {
  if (v === undefined || v === 'auto') return undefined;
  if (v === 'pairs' || v === 'jsonl') return v;
  throw new PrecisError('E_BAD_FLAG', `--format must be auto, pairs or jsonl, got ${JSON.stringify(v)}`);
}

function parseQuantize(v: unknown): QuantizeOptions {
  switch (v ?? 'uint8') {
    case 'none':
      return { embedding: 'float32', other: 'float32' };
    case 'float16':
      return { embedding: 'float16', other: 'float16' };
    case 'uint8':
      return { embedding: 'uint8', other: 'float16' };
    default:
      throw new PrecisError('E_BAD_FLAG', `--quantize must be none, float16 or uint8, got ${JSON.stringify(v)}`);
  }
}

function positiveInt(a: Record<string, unknown>, name: string, dflt: number, min = 1): number {
  const v = (a[name] as number | undefined) ?? dflt;
  if (!Number.isInteger(v) || v < min) throw new PrecisError('E_BAD_FLAG', `--${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
}

/**
 * `train` command: read the log, hold out each user's last two items, train,
 * export (quantised) to --out, evaluate the exported files on the test items.
 *
 * @example
 * await runTrain(['--data', 'log.jsonl', '--out', 'models/site', '--epochs', '20']);
 */
export async function runTrain(argv: readonly string[]): Promise<void> {
  const wall0 = performance.now();
  const a = parseArgs(argv, TRAIN_FLAGS);
  const data = requireString(a, 'data');
  const out = requireString(a, 'out');
  const format = parseFormat(a.format);
  const quantize = parseQuantize(a.quantize);
  const dropout = (a.dropout as number | undefined) ?? 0.5;
  if (!(dropout >= 0 && dropout < 1)) throw new PrecisError('E_BAD_FLAG', '--dropout must be in [0, 1)');
  const lr = (a.lr as number | undefined) ?? 0.001;
  if (!(lr > 0)) throw new PrecisError('E_BAD_FLAG', '--lr must be > 0');
  const opt: TrainOptions = {
    maxLength: positiveInt(a, 'max-length', 50),
    hiddenUnits: positiveInt(a, 'hidden', 50),
    numBlocks: positiveInt(a, 'blocks', 2),
    dropout,
    learningRate: lr,
    batchSize: positiveInt(a, 'batch-size', 128),
    negatives: positiveInt(a, 'negatives', 512),
    perPositionNegatives: a['per-position-negatives'] === true,
    ema: (a.ema as number | undefined) ?? 0,
    select: a.select === undefined || a.select === 'ndcg' ? 'ndcg' : a.select === 'hr' || a.select === 'sum' ? a.select : badFlag('--select must be ndcg, hr or sum'),
    loss: a.loss === undefined ? 'softmax' : a.loss === 'softmax' || a.loss === 'bce' || a.loss === 'ce' ? a.loss : badFlag('--loss must be ce, softmax or bce'),
    epochs: positiveInt(a, 'epochs', 200),
    seed: positiveInt(a, 'seed', 42, 0),
    evalEvery: positiveInt(a, 'eval-every', 1),
    patience: positiveInt(a, 'patience', 10, 0),
    maxMinutes: (a['max-minutes'] as number | undefined) ?? 0,
    command: `npm run train -- ${argv.join(' ')}`,
    checkpointDir: resolve((a['checkpoint-dir'] as string | undefined) ?? join('.train-work', 'checkpoints', basename(resolve(out)))),
  };
  if (!(opt.ema >= 0 && opt.ema < 1)) throw new PrecisError('E_BAD_FLAG', '--ema must be in [0, 1)');
  const quiet = a.quiet === true;
  const progress = createProgressReporter({ quiet });
  const backend = await initWasmBackend();
  progress.log(`backend ${backend.backend} (simd ${backend.simd}, threads ${backend.threads})`);

  const log = readInteractionLog(data, format);
  const vocab = buildVocabulary(log.sequences);
  const split = splitLeaveOneOut(log.sequences);
  const trainSeqs = [...split.evaluated.map((u) => u.train), ...split.trainOnly];
  const examples = buildTrainingExamples(trainSeqs, vocab.index, opt.maxLength);
  if (examples.length === 0) {
    throw new PrecisError('E_EMPTY_DATA', `${data}: no visitor has 2 or more training items after holding out the last two; nothing to train`);
  }
  const valUsers = shuffleInPlace([...split.evaluated], createRng(opt.seed + 7)).slice(0, positiveInt(a, 'val-users', 5000, 0));
  const valCases = buildEvalCases(valUsers, vocab.index, vocab.items.length, 'validation', opt.seed + 7);
  const tokens = examples.reduce((s, e) => s + e.length, 0);
  progress.log(
    `${log.users.length} visitors, ${vocab.items.length - 1} items, ${log.stats.events} interactions; ` +
      `${examples.length} training sequences (${tokens} next-item targets), ${valCases.length} validation users`,
  );
  const config = { numItems: vocab.items.length, maxLength: opt.maxLength, hiddenUnits: opt.hiddenUnits, numBlocks: opt.numBlocks };
  const result = await trainSasrec(examples, valCases, vocab.index, config, opt, progress);
  progress.log(`training done: ${result.history.length} epochs, best epoch ${result.bestEpoch}, ${result.trainSeconds.toFixed(0)} s`);

  const history = result.history.map((h) => ({
    epoch: h.epoch,
    loss: +h.loss.toFixed(5),
    seconds: +h.seconds.toFixed(2),
    ...(h.valNdcg10 !== undefined ? { valHr10: +h.valHr10!.toFixed(5), valNdcg10: +h.valNdcg10.toFixed(5) } : {}),
  }));
  const bestVal = result.history.find((h) => h.epoch === result.bestEpoch);
  const trainedOn = {
    data: basename(data),
    dataSha256: sha256Hex(readFileSync(data)),
    format: format ?? 'auto',
    visitors: log.users.length,
    items: vocab.items.length - 1,
    interactions: log.stats.events,
    heldOut: 'the last two items of every visitor with >= 3 actions (validation, test) are never trained on',
    trainingSequences: examples.length,
    trainingTargets: tokens,
    hyperparameters: {
      maxLength: opt.maxLength,
      hiddenUnits: opt.hiddenUnits,
      numBlocks: opt.numBlocks,
      numHeads: 1,
      dropout: opt.dropout,
      learningRate: opt.learningRate,
      batchSize: opt.batchSize,
      loss:
        opt.loss === 'ce'
          ? 'full softmax cross-entropy over all items'
          : `${opt.loss === 'bce' ? 'binary cross-entropy' : 'sampled softmax'}, ${opt.negatives} uniform negatives ${opt.perPositionNegatives ? 'per target position' : 'shared per batch'}`,
      optimizer: 'adam(beta1 0.9, beta2 0.98)',
      ema: opt.ema || null,
      selectBestBy: opt.select,
      quantization: quantize,
    },
    seed: opt.seed,
    epochs: result.history.length,
    bestEpoch: result.bestEpoch,
    trainSeconds: Math.round(result.trainSeconds),
    backend,
    command: `npm run train -- ${argv.join(' ')}`,
    runs: result.runs,
    history,
  };
  const manifest = await exportModel(out, config, result.weights, vocab.items, quantize, {
    name: (a.name as string | undefined) ?? 'precis-sasrec',
    version: (a.version as string | undefined) ?? '1.0.0',
    metrics: {
      validation: bestVal?.valNdcg10 !== undefined ? { users: valCases.length, hr10: bestVal.valHr10, ndcg10: bestVal.valNdcg10 } : null,
    },
    trainedOn,
  });
  progress.log(`exported to ${out}`);
  if (a['final-eval'] !== false) {
    const loaded = await loadModelDir(out);
    const evalSeed = (a['eval-seed'] as number | undefined) ?? 42;
    const ev = await evaluateOnLog(loaded, log, { seed: evalSeed, baselines: false, latency: false, log: (s) => progress.log(s) });
    manifest.metrics = {
      ...manifest.metrics,
      test: {
        protocol: 'SASRec leave-one-out, 100 uniform negatives, exported (quantised) files',
        seed: evalSeed,
        users: ev.model.users,
        sampled: ev.model.sampled,
        full: ev.model.full,
      },
    };
    loaded.model.dispose();
  }
  (manifest.trainedOn as Record<string, unknown>).wallSeconds = Math.round((performance.now() - wall0) / 1000);
  writeManifest(out, manifest);
  if (typeof a['report-dir'] === 'string') {
    mkdirSync(a['report-dir'], { recursive: true });
    writeFileSync(join(a['report-dir'], 'training-history.json'), `${JSON.stringify(history, null, 1)}\n`);
  }
  process.stdout.write(`${JSON.stringify({ out, metrics: manifest.metrics }, null, 2)}\n`);
}

/**
 * `evaluate` command: verify and load a model directory (any Layers or Graph model with a
 * v1 or v2 manifest). An item-scores model is evaluated with the paper's protocol, with the
 * baselines; a creative-scores or propensity model is verified on the log's visitors
 * (`verifyOnLog`). JSON on stdout, optional report directory.
 *
 * @example
 * await runEvaluate(['--model', 'demo/models/games', '--data', 'Video.txt']);
 */
export async function runEvaluate(argv: readonly string[]): Promise<void> {
  const a = parseArgs(argv, EVAL_FLAGS);
  const modelDir = requireString(a, 'model');
  const data = requireString(a, 'data');
  const format = parseFormat(a.format);
  const quiet = a.quiet === true;
  const say = (s: string): void => {
    if (!quiet) process.stderr.write(`${s}\n`);
  };
  await initWasmBackend();
  const log = readInteractionLog(data, format);
  const loaded = await loadModelDir(modelDir);
  const maxUsers = a['max-users'] as number | undefined;
  const command = `npm run evaluate -- ${argv.join(' ')}`;
  const report = typeof a['report-dir'] === 'string' ? a['report-dir'] : undefined;
  let json: string;
  if (loaded.manifest.output.kind === 'item-scores') {
    const result = await evaluateOnLog(loaded, log, {
      seed: positiveInt(a, 'seed', 42, 0),
      baselines: a.baselines !== false,
      latency: a.latency !== false,
      ...(maxUsers !== undefined ? { maxUsers } : {}),
      log: say,
    });
    json = `${JSON.stringify(result, null, 2)}\n`;
    if (report) writeEvaluationReport(report, result, loaded.manifest, command, modelDir);
  } else {
    const result = verifyOnLog(loaded, log, { latency: a.latency !== false, ...(maxUsers !== undefined ? { maxUsers } : {}), log: say });
    json = `${JSON.stringify(result, null, 2)}\n`;
    if (report) {
      mkdirSync(report, { recursive: true });
      writeFileSync(join(report, 'evaluation.json'), `${JSON.stringify({ ...result, command }, null, 2)}\n`);
    }
  }
  loaded.model.dispose();
  if (typeof a.json === 'string') writeFileSync(a.json, json);
  if (report) say(`report written to ${report}`);
  process.stdout.write(json);
}

const PLOT_FLAGS: FlagSpec = { 'checkpoint-dir': 'string', out: 'string' };

/**
 * `plot` command: loss and validation curves (SVG) and the per-epoch history of a
 * checkpoint, also while its run is still going.
 *
 * @example
 * await runPlot(['--checkpoint-dir', '.train-work/checkpoints/games', '--out', 'train/report']);
 */
export async function runPlot(argv: readonly string[]): Promise<void> {
  const a = parseArgs(argv, PLOT_FLAGS);
  const dir = requireString(a, 'checkpoint-dir');
  const out = requireString(a, 'out');
  const state = readCheckpointState(dir);
  if (!state) throw new PrecisError('E_NO_FILE', `${dir}: no checkpoint (state.json) found`);
  writeHistoryPlots(out, state.history, state.bestEpoch);
  writeFileSync(join(out, 'training-history.json'), `${JSON.stringify({ bestEpoch: state.bestEpoch, trainSeconds: Math.round(state.trainSeconds), runs: state.runs ?? [], history: state.history }, null, 1)}\n`);
  process.stderr.write(`${state.history.length} epochs, best ${state.bestEpoch}: plots written to ${out}\n`);
}

/**
 * `manifest` command: write the sha256 of every file into a model directory's manifest.
 *
 * @example
 * runManifest(['--model', 'out']);
 */
export function runManifest(argv: readonly string[]): void {
  const dir = requireString(parseArgs(argv, { model: 'string' }), 'model');
  const files = writeManifestHashes(dir);
  process.stderr.write(`${join(dir, 'manifest.json')}: ${Object.keys(files).length} files hashed (${Object.keys(files).join(', ')})\n`);
}

const GOLDEN_FLAGS: FlagSpec = { model: 'string', data: 'string', format: 'string', out: 'string', seed: 'number', count: 'number' };

/**
 * `golden` command: write the browser golden fixture from a model directory.
 *
 * @example
 * await runGolden(['--model', 'demo/models/games', '--data', 'Video.txt', '--out', 'test/fixtures/games-golden.json']);
 */
export async function runGolden(argv: readonly string[]): Promise<void> {
  const a = parseArgs(argv, GOLDEN_FLAGS);
  const modelDir = requireString(a, 'model');
  const data = requireString(a, 'data');
  const out = requireString(a, 'out');
  await initWasmBackend();
  const log = readInteractionLog(data, parseFormat(a.format));
  const loaded = await loadModelDir(modelDir);
  const fixture = buildGoldenFixture(loaded, log, { seed: positiveInt(a, 'seed', 2024, 0), count: positiveInt(a, 'count', 100) });
  writeFileSync(out, `${JSON.stringify(fixture, null, 1)}\n`);
  process.stderr.write(`wrote ${fixture.cases.length} cases to ${out}\n`);
}

/**
 * Entry point: dispatch on the command name; map errors to one-line messages.
 *
 * @example
 * await main(['train', '--data', 'x.txt', '--out', 'm']);
 */
export async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === 'train') await runTrain(rest);
    else if (command === 'evaluate') await runEvaluate(rest);
    else if (command === 'golden') await runGolden(rest);
    else if (command === 'plot') await runPlot(rest);
    else if (command === 'manifest') runManifest(rest);
    else throw new PrecisError('E_UNKNOWN_COMMAND', `unknown command ${JSON.stringify(command ?? '')} (use train, evaluate, manifest, golden or plot)`);
    return 0;
  } catch (err) {
    if (err instanceof PrecisError) {
      process.stderr.write(`\nprecis: ${err.code}: ${err.message}\n`);
      return err.code === 'E_UNKNOWN_FLAG' || err.code === 'E_BAD_FLAG' || err.code === 'E_MISSING_FLAG' || err.code === 'E_UNKNOWN_COMMAND' ? 2 : 1;
    }
    const e = err as Error;
    process.stderr.write(`\nprecis: E_INTERNAL: ${e?.message ?? String(err)}\n`);
    if (process.env.PRECIS_DEBUG) process.stderr.write(`${e?.stack}\n`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && /cli\.[cm]?[tj]s$/.test(process.argv[1]);
if (isMain) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
