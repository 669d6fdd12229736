import { describe, expect, it } from 'vitest';
import { calibrate } from '../simulate/calibration';
import { runLoop, withCollector } from '../simulate/loop';
import { measurePoisoning } from '../simulate/poisoning';

// The simulation of `npm run simulate`, small and seeded: simulated visitors run the SDK's
// decision and report code and post real reports to a real collector (SQLite in a temporary
// directory), which republishes its pooled priors every 40 visitors. Daily reports (fewer
// requests than one per page hide) keep it short: about 20 s on an idle machine.

describe('simulation: learning across visitors through the collector', () => {
  it('pooled priors beat each device learning alone, and approach the oracle', async () => {
    // 600 visitors: visitors without a listed interest learn from a prior of their own (''),
    // weaker at first than the overall one they used before, so learning takes a little longer.
    const setting = { epsilon: undefined, periodHours: 24, visitors: 600, seed: 7, republishEvery: 40, block: 100 };
    const alone = await runLoop({ ...setting, pooled: false }, undefined);
    const pooled = await withCollector({ rateLimit: false }, (collector) => runLoop({ ...setting, pooled: true }, collector));
    // Alone, each device starts from the site's hand-set priors, which favour the worst
    // creative, and 9 impressions cannot overturn a prior worth 100.
    expect(alone.finalShare).toBeLessThan(0.5);
    expect(pooled.finalShare).toBeGreaterThan(alone.finalShare + 0.3);
    expect(pooled.finalShare).toBeGreaterThan(0.75);
    // What the devices got back: a prior per interest, favouring what that interest clicks.
    const racing = pooled.catalog.creatives.find((c) => c.id === 'racing-week')!;
    expect(racing.priorsByInterest?.racing?.priorCtr).toBeGreaterThan(racing.priorsByInterest?.rpg?.priorCtr ?? 1);
  }, 180_000);

  it('the collector’s uplift interval covers the true uplift (seeded runs)', async () => {
    const result = await calibrate({ runs: 1, seed: 3, visitors: 300, epsilons: [undefined, 1], periodHours: 24 });
    expect(result.runs).toBe(2); // ε = ∞ and ε = 1
    expect(result.covered).toBe(result.runs);
    // The intervals say something: with ε = ∞ they are narrower than the uplift's scale.
    for (const run of result.details.filter((r) => r.epsilon === null)) expect(run.high! - run.low!).toBeLessThan(0.05);
  }, 180_000);

  it('bounds what fake reports do to a pooled prior: clipped counts, and the rate limit per source', async () => {
    const { rows } = await measurePoisoning(5, { honestVisitors: 300, fakeCounts: [0, 100] });
    const row = (fakes: number, rateLimit: boolean) => rows.find((r) => r.fakes === fakes && r.rateLimit === rateLimit)!;
    const honest = row(0, false).priorCtr!;
    expect(honest).toBeLessThan(0.03);
    // Unlimited, 100 fakes of the day's 10 clicks on 10 impressions (1,000 clicks, against
    // 300 visitors' ~20 on the house ad) move it, but the clip keeps it far from 1 (0.39 here).
    expect(row(100, false).accepted).toBe(100);
    expect(row(100, false).priorCtr!).toBeGreaterThan(honest);
    expect(row(100, false).priorCtr!).toBeLessThan(0.5);
    // The default rate limit (a burst of 60 per source) lands fewer, and moves the prior less.
    expect(row(100, true).accepted).toBeLessThan(100);
    expect(row(100, true).priorCtr!).toBeLessThanOrEqual(row(100, false).priorCtr!);
  }, 180_000);
});
