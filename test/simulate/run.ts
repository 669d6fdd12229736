// npm run simulate [-- --visitors 4000 --runs 50 --seed 1]: the learning table, the calibration of
// the collector's uplift interval and the poisoning bound, seeded; prints JSON and writes
// simulate/results.json and simulate/learning.svg.
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { lineChart } from '../bench/charts.mjs';
import { calibrate } from './calibration';
import { runLoop, withCollector, type LoopResult, type LoopSetting } from './loop';
import { measurePoisoning } from './poisoning';

const { values: args } = parseArgs({
  options: { visitors: { type: 'string', default: '4000' }, runs: { type: 'string', default: '50' }, seed: { type: 'string', default: '1' } },
});
const VISITORS = Number(args.visitors);
const RUNS = Number(args.runs);
const SEED = Number(args.seed);

interface Row {
  name: string;
  learning: 'per-device' | 'pooled';
  epsilon: number | null;
  cadence: 'pagehide' | 'day';
  result: LoopResult;
}

const SETTINGS: Array<Omit<Row, 'result'>> = [
  // On its own, a device's learning does not depend on what it reports: one run stands for every ε and cadence.
  { name: 'per device (any ε, any cadence)', learning: 'per-device', epsilon: null, cadence: 'pagehide' },
  ...([null, 4, 1] as const).flatMap((epsilon) => (['pagehide', 'day'] as const).map((cadence) => ({
    name: `pooled, ε = ${epsilon ?? '∞'}, ${cadence}`, learning: 'pooled' as const, epsilon, cadence,
  }))),
];

async function runSetting(setting: Omit<Row, 'result'>): Promise<Row> {
  const loop: LoopSetting = {
    pooled: setting.learning === 'pooled', epsilon: setting.epsilon ?? undefined,
    periodHours: setting.cadence === 'day' ? 24 : 0, visitors: VISITORS, seed: SEED,
  };
  const result = loop.pooled ? await withCollector({ rateLimit: false }, (collector) => runLoop(loop, collector)) : await runLoop(loop, undefined);
  process.stderr.write(`${setting.name}: 90% after ${result.visitorsTo90 ?? `> ${VISITORS}`} visitors, last quarter ${result.finalShare.toFixed(3)}\n`);
  return { ...setting, result };
}

const rows: Row[] = [];
for (const setting of SETTINGS) rows.push(await runSetting(setting));
const calibration = await calibrate({ runs: RUNS, seed: SEED, visitors: 300, epsilons: [undefined, 1], periodHours: 24 });
process.stderr.write(`calibration: ${calibration.covered} of ${calibration.runs} intervals cover the true uplift\n`);
const poisoning = await measurePoisoning(SEED);

const results = {
  command: `npm run simulate -- --visitors ${VISITORS} --runs ${RUNS} --seed ${SEED}`,
  visitors: VISITORS,
  table: rows.map(({ name, learning, epsilon, cadence, result }) => ({
    name, learning, epsilon, cadence, visitorsTo90: result.visitorsTo90, finalShare: Number(result.finalShare.toFixed(3)), reports: result.reports,
  })),
  curves: rows.map(({ name, result }) => ({ name, points: result.curve.map((p) => [p.visitors, Number(p.share.toFixed(4))]) })),
  calibration,
  poisoning,
};
mkdirSync('simulate', { recursive: true });
writeFileSync('simulate/results.json', `${JSON.stringify(results, null, 2)}\n`);
writeFileSync('simulate/learning.svg', lineChart({
  title: 'CTR as a share of the oracle’s, per 250 visitors',
  subtitle: `${VISITORS.toLocaleString('en')} simulated visitors per setting, the SDK's decisions and reports, a real collector (SQLite)`,
  xLabel: 'visitors', yLabel: 'share of the oracle’s CTR', yMax: 1,
  series: results.curves.map((c) => ({ name: c.name, points: c.points })),
  references: [{ y: 0.9, label: '90% of the oracle' }],
  notes: [results.command],
}));
process.stdout.write(`${JSON.stringify(results.table.concat([]), null, 2)}\n${JSON.stringify({ calibration, poisoning }, null, 2)}\n`);
