// Calibration: over seeded runs with a holdout, does the collector's 95% interval for the
// uplift of personalisation (CTR personalised − CTR control) cover the true uplift of the
// run — the true CTRs of what each arm was shown, over what reached the collector?
import { runLoop, withCollector, type Collector } from './loop';

/** The holdout share of calibration runs: the most the SDK allows, for power. */
const HOLDOUT = 0.5;

/** How many runs of which size, at which ε and cadence. */
export interface CalibrationPlan {
  runs: number;
  seed: number;
  visitors: number;
  epsilons: Array<number | undefined>;
  periodHours: number;
}

/** What calibration found so far. */
export interface Calibration {
  runs: number;
  covered: number;
  byEpsilon: Record<string, { runs: number; covered: number }>;
  details: CalibrationRun[];
}

/** One run's truth and the collector's estimate. */
export interface CalibrationRun {
  seed: number;
  epsilon: number | null;
  truth: number;
  /** Null when the collector could give no uplift (an arm's noisy impressions summed to ≤ 0): counted as not covered. */
  estimate: number | null;
  low: number | null;
  high: number | null;
  covered: boolean;
}

/**
 * `plan.runs` seeded runs for each ε (pooled priors), each on a fresh collector; the
 * interval is the dashboard's (`collector.estimates()`, precis-collector's estimateUplift).
 *
 * @example
 * const { covered, runs } = await calibrate({ runs: 50, seed: 1, visitors: 300, epsilons: [undefined, 1], periodHours: 24 });
 */
export async function calibrate(plan: CalibrationPlan, onRun?: (result: Calibration) => void): Promise<Calibration> {
  const details: CalibrationRun[] = [];
  const { runs, seed, visitors, periodHours } = plan;
  for (const epsilon of plan.epsilons) {
    for (let run = 0; run < runs; run += 1) {
      const runSeed = seed * 1000 + run;
      // Every arm shown on the dashboard, however few its impressions (minImpressions 0).
      details.push(await withCollector({ rateLimit: false, minImpressions: 0 }, async (collector: Collector) => {
        const result = await runLoop({ pooled: true, epsilon, periodHours, visitors, seed: runSeed, holdout: HOLDOUT, republishEvery: 50 }, collector);
        const { personalized, control } = result.reported;
        const truth = personalized.expectedClicks / personalized.impressions - control.expectedClicks / control.impressions;
        // The dashboard's own estimate (estimateUplift in precis-collector), over every creative.
        const uplift = (await collector.estimates()).overall.uplift?.ctr?.absolute;
        if (!uplift) return { seed: runSeed, epsilon: epsilon ?? null, truth, estimate: null, low: null, high: null, covered: false };
        const { value: estimate, low, high } = uplift;
        return { seed: runSeed, epsilon: epsilon ?? null, truth, estimate, low, high, covered: low <= truth && truth <= high };
      }));
      onRun?.(summarizeRuns(details));
    }
  }
  return summarizeRuns(details);
}

function summarizeRuns(details: CalibrationRun[]): Calibration {
  const byEpsilon: Record<string, { runs: number; covered: number }> = {};
  for (const run of details) {
    const key = String(run.epsilon ?? '∞');
    byEpsilon[key] ??= { runs: 0, covered: 0 };
    byEpsilon[key].runs += 1;
    if (run.covered) byEpsilon[key].covered += 1;
  }
  return { runs: details.length, covered: details.filter((r) => r.covered).length, byEpsilon, details };
}
