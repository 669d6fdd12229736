// Poisoning: the reports endpoint is public, so a script can post plausible but fake
// reports. After honest traffic, N fake reports claim clicks on the worst creative; how
// far do they move its pooled prior, with the collector's clipping and its rate limit?
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport } from '../../src/measure/report';
import { fetchCatalog, postReport, runLoop, withCollector, type Collector } from './loop';
import { INTERESTS, SITE_CATALOG } from './world';

/** The creative the fakes push: the worst for every visitor. */
const TARGET = 'house';
const FAKE_COUNTS = [0, 10, 100, 1000];

/** The target's pooled priors as devices would get them. */
async function targetPriors(collector: Collector): Promise<{ priorCtr: number | null; racing: number | null }> {
  await collector.republish();
  const creative = (await fetchCatalog(collector.url)).creatives.find((c) => c.id === TARGET)!;
  return { priorCtr: creative.priorCtr ?? null, racing: creative.priorsByInterest?.racing?.priorCtr ?? null };
}

/**
 * One fake: a well-formed report of a daily cadence (the widest clipping) that says as much
 * as the clip lets it: the day's 10 clicks on the target, on as few impressions (10).
 */
function fakeReport() {
  const scope = { creatives: SITE_CATALOG.creatives.map((c) => c.id), interests: [...INTERESTS], arm: 'personalized' as const };
  const counts = [{ creative: TARGET, arm: 'personalized' as const, interest: 'racing', impressions: 10, clicks: 10, conversions: 0 }];
  return buildReport(counts, scope, undefined, 24);
}

/**
 * Honest traffic first (`honestVisitors`, ε = ∞, daily reports), then, on copies of that
 * database, N fake reports from one source for each N of `fakeCounts`, with the
 * collector's default rate limit and without it (clipping alone): how many were accepted,
 * and the target's pooled prior CTR (overall and for racing fans) before and after.
 *
 * @example
 * await measurePoisoning(1); // 2,000 honest visitors; 0, 10, 100 and 1,000 fakes
 */
export async function measurePoisoning(seed: number, { honestVisitors = 2000, fakeCounts = FAKE_COUNTS } = {}): Promise<{
  target: string;
  honestVisitors: number;
  rows: Array<{ fakes: number; rateLimit: boolean; accepted: number; priorCtr: number | null; racingPriorCtr: number | null }>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'precis-poison-'));
  const honest = join(dir, 'honest.sqlite');
  try {
    await withCollector({ rateLimit: false }, (collector) =>
      runLoop({ pooled: true, epsilon: undefined, periodHours: 24, visitors: honestVisitors, seed }, collector), honest);
    const rows = [];
    for (const rateLimit of [true, false]) {
      for (const fakes of fakeCounts) {
        const copy = join(dir, `copy-${fakes}-${rateLimit}.sqlite`);
        copyFileSync(honest, copy);
        rows.push(await withCollector(rateLimit ? {} : { rateLimit: false }, async (collector) => {
          // Sent as a script would: 16 at a time.
          let accepted = 0;
          for (let sent = 0; sent < fakes; sent += 16) {
            const statuses = await Promise.all(Array.from({ length: Math.min(16, fakes - sent) }, () => postReport(collector.url, fakeReport())));
            accepted += statuses.filter((status) => status === 204).length;
          }
          const priors = await targetPriors(collector);
          return { fakes, rateLimit, accepted, priorCtr: priors.priorCtr, racingPriorCtr: priors.racing };
        }, copy));
      }
    }
    return { target: TARGET, honestVisitors, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
