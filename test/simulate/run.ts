// npm run simulate [-- --visitors 3000 --runs 50 --seed 1]: the learning table, the
// calibration of the collector's uplift interval and the poisoning bound, seeded; prints
// JSON and writes simulate/results.json and simulate/learning.svg.
// The parts can run in separate processes (`--part settings:0,1`, `--part calibration`,
// `--part poisoning`, each writing simulate/parts/), then `--part merge` writes the same
// results: every run is seeded, so the numbers do not depend on how it is split.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { lineChart } from '../bench/charts.mjs';
import { calibrate, type Calibration } from './calibration';
import { runLoop, withCollector, type LoopSetting } from './loop';
import { measurePoisoning } from './poisoning';

const { values: args } = parseArgs({
  options: {
    visitors: { type: 'string', default: '3000' }, runs: { type: 'string', default: '50' }, seed: { type: 'string', default: '1' },
    part: { type: 'string', default: 'all' },
  },
});
const VISITORS = Number(args.visitors);
const RUNS = Number(args.runs);
const SEED = Number(args.seed);
const CALIBRATION = { runs: RUNS, seed: SEED, visitors: 200, epsilons: [undefined, 1], periodHours: 24 };
const PARTS = 'simulate/parts';

interface Setting {
  name: string;
  learning: 'per-device' | 'pooled';
  epsilon: number | null;
  cadence: 'pagehide' | 'day';
}

const SETTINGS: Setting[] = [
  // On its own, a device's learning does not depend on what it reports: one run stands for every ε and cadence.
  { name: 'per device (any ε, any cadence)', learning: 'per-device', epsilon: null, cadence: 'pagehide' },
  ...([null, 4, 1] as const).flatMap((epsilon) => (['pagehide', 'day'] as const).map((cadence) => ({
    name: `pooled, ε = ${epsilon ?? '∞'}, ${cadence}`, learning: 'pooled' as const, epsilon, cadence,
  }))),
];

async function runSetting(setting: Setting) {
  const loop: LoopSetting = {
    pooled: setting.learning === 'pooled', epsilon: setting.epsilon ?? undefined,
    periodHours: setting.cadence === 'day' ? 24 : 0, visitors: VISITORS, seed: SEED,
  };
  const result = loop.pooled ? await withCollector({ rateLimit: false }, (collector) => runLoop(loop, collector)) : await runLoop(loop, undefined);
  process.stderr.write(`${setting.name}: 90% after ${result.visitorsTo90 ?? `> ${VISITORS}`} visitors, last quarter ${result.finalShare.toFixed(3)}\n`);
  return {
    ...setting, visitorsTo90: result.visitorsTo90, finalShare: Number(result.finalShare.toFixed(3)), finalByKind: result.finalByKind,
    reports: result.reports, curve: result.curve.map((p) => [p.visitors, Number(p.share.toFixed(4))]),
  };
}

/** Runs one part (or all) and returns what it adds to the results. */
async function runPart(part: string): Promise<Record<string, unknown>> {
  if (part.startsWith('settings:')) {
    const chosen = part.slice('settings:'.length).split(',').map(Number);
    const table = [];
    for (const index of chosen) table.push({ index, ...(await runSetting(SETTINGS[index]!)) });
    return { table };
  }
  if (part.startsWith('calibration')) {
    // `calibration:1` runs one ε only; each finished run is saved, so a part stopped early keeps what it measured.
    const only = part.split(':')[1];
    const plan = only === undefined ? CALIBRATION : { ...CALIBRATION, epsilons: [only === 'inf' ? undefined : Number(only)] };
    const calibration = await calibrate(plan, (sofar) => writeFileSync(partFile(part), `${JSON.stringify({ calibration: sofar })}\n`));
    process.stderr.write(`calibration: ${calibration.covered} of ${calibration.runs} intervals cover the true uplift\n`);
    return { calibration };
  }
  if (part === 'poisoning') return { poisoning: await measurePoisoning(SEED) };
  throw new Error(`unknown part ${part}`);
}

function partFile(part: string): string {
  return `${PARTS}/${part.replace(/[^a-z0-9]+/gi, '-')}.json`;
}

function mergeCalibrations(parts: Array<Record<string, unknown>>): Calibration | undefined {
  const found = parts.map((p) => p.calibration as Calibration | undefined).filter((c): c is Calibration => c !== undefined);
  if (found.length === 0) return undefined;
  const details = found.flatMap((c) => c.details);
  const byEpsilon = Object.assign({}, ...found.map((c) => c.byEpsilon)) as Calibration['byEpsilon'];
  return { runs: details.length, covered: details.filter((d) => d.covered).length, byEpsilon, details };
}

function writeResults(parts: Array<Record<string, unknown>>): void {
  const table = parts.flatMap((p) => (p.table as Array<{ index: number }> | undefined) ?? []).sort((a, b) => a.index - b.index);
  const results = {
    command: `npm run simulate -- --visitors ${VISITORS} --runs ${RUNS} --seed ${SEED}`,
    visitors: VISITORS,
    table: table.map(({ index: _, curve: __, ...row }: Record<string, unknown>) => row),
    calibration: mergeCalibrations(parts),
    poisoning: parts.find((p) => p.poisoning)?.poisoning,
    curves: table.map((row) => ({ name: (row as unknown as Setting).name, points: (row as unknown as { curve: number[][] }).curve })),
  };
  writeFileSync('simulate/results.json', `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync('simulate/learning.svg', lineChart({
    title: 'CTR as a share of the oracle’s, per 250 visitors',
    subtitle: `${VISITORS.toLocaleString('en')} simulated visitors per setting: the SDK's decisions and reports, a real collector (SQLite)`,
    xLabel: 'visitors', yLabel: 'share of the oracle’s CTR', yMax: 1,
    series: results.curves, references: [{ y: 0.9, label: '90% of the oracle' }], notes: [results.command],
  }));
  process.stdout.write(`${JSON.stringify({ ...results, curves: undefined, calibration: { ...(results.calibration as object), details: undefined } }, null, 2)}\n`);
}

mkdirSync(PARTS, { recursive: true });
if (args.part === 'all') {
  writeResults([
    await runPart(`settings:${SETTINGS.map((_, i) => i).join(',')}`), await runPart('calibration'), await runPart('poisoning'),
  ]);
} else if (args.part === 'merge') {
  writeResults(readdirSync(PARTS).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(`${PARTS}/${f}`, 'utf8'))));
} else {
  const file = partFile(args.part);
  if (existsSync(file)) process.stderr.write(`replacing ${file}\n`);
  writeFileSync(file, `${JSON.stringify(await runPart(args.part))}\n`);
}
