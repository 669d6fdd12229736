// One simulated visitor, on the SDK's own code: the profile, the main interest, the
// decision (decideSlots with Thompson sampling) and the report (nextReport) are the ones
// the browser runs; only the page, the clock and the clicks are simulated.
import { DAY_MS } from '../../src/core/clock';
import { createRandom, type Random } from '../../src/decide/bandit';
import type { Catalog } from '../../src/decide/catalog';
import { assignArm, type Arm } from '../../src/decide/holdout';
import { buildProfile } from '../../src/decide/profile';
import { decideSlots, type DecisionPolicy } from '../../src/decide/rank';
import { describeVisitor, mainInterest } from '../../src/decide/segments';
import { creativeStats, sessionStart } from '../../src/decide/visitor-stats';
import type { Exposure } from '../../src/measure/exposure';
import { DEFAULT_WINDOWS } from '../../src/measure/metrics';
import { nextReport, type ReportPayload } from '../../src/measure/report';
import { resolveOptions } from '../../src/client/options';
import { historyOf, oracleCtr, SLOT, TRUE_CTR, type VisitorKind } from './world';

/** Days a visitor comes back on (one visit a day), and page views per visit. */
export const DAYS = 3;
export const PAGES_PER_VISIT = 3;
const PAGE_GAP_MS = 2 * 60_000;

// The production defaults, as the client builds its policy from them.
const OPTIONS = resolveOptions({}, (error) => {
  throw error;
});
const POLICY: DecisionPolicy = {
  explore: OPTIONS.explore, priorStrength: OPTIONS.priorStrength, caps: OPTIONS.caps, maxPerCategory: OPTIONS.maxPerCategory,
};

/** How a visitor reports. */
export interface Reporting {
  epsilon: number | undefined;
  periodHours: number;
  /** Hands a report to the collector (the beacon). */
  send(payload: ReportPayload): void;
}

/** What one visitor's page views were worth, and what the collector was told of them. */
export interface VisitorOutcome {
  kind: VisitorKind;
  arm: Arm;
  impressions: number;
  /** Σ true CTR of what was shown: expected clicks, without the click noise. */
  expectedClicks: number;
  /** Σ true CTR of the best creative for this visitor: what an oracle would get. */
  oracleClicks: number;
  /** Impressions that reached the collector, and their Σ true CTR (the truth the uplift estimates). */
  reported: { impressions: number; expectedClicks: number };
}

/** A visitor's seeded randomness: its id, its decisions, its clicks, its report noise. */
function visitorRandoms(seed: number): { id: string; decide: Random; click: Random; noise: Random } {
  const ids = createRandom(seed ^ 0x1d5);
  const id = Array.from({ length: 16 }, () => Math.floor(ids() * 256).toString(16).padStart(2, '0')).join('');
  return { id, decide: createRandom(seed), click: createRandom(seed ^ 0x5eed), noise: createRandom(seed ^ 0x7a1) };
}

/**
 * Runs one visitor's visits (DAYS days, PAGES_PER_VISIT page views each, one hero slot):
 * at each page load and page hide a report goes if `nextReport` says so, as in the client.
 * `catalogNow()` is read at every page, so a catalog republished meanwhile is used.
 *
 * @example
 * await runVisitor('racing', 7, Date.UTC(2030, 0, 1), 0, () => catalog, { epsilon: 1, periodHours: 24, send });
 */
export function runVisitor(
  kind: VisitorKind,
  seed: number,
  start: number,
  holdout: number,
  catalogNow: () => Catalog,
  reporting: Reporting,
): VisitorOutcome {
  const { id, decide, click, noise } = visitorRandoms(seed);
  const arm = assignArm(id, holdout);
  const events = historyOf(kind, start);
  const exposures: Exposure[] = [];
  const truth = new Map<Exposure, number>();
  let reportedUntil = 0;
  const report = (now: number): void => {
    const catalog = catalogNow();
    const payload = nextReport({
      exposures, events, windows: DEFAULT_WINDOWS, reportedUntil, now, periodHours: reporting.periodHours, epsilon: reporting.epsilon,
      scope: { creatives: catalog.creatives.map((c) => c.id), interests: catalog.interests, arm }, random: noise,
    });
    if (!payload) return;
    reporting.send(payload);
    reportedUntil = now;
  };
  const outcome: VisitorOutcome = { kind, arm, impressions: 0, expectedClicks: 0, oracleClicks: 0, reported: { impressions: 0, expectedClicks: 0 } };
  for (let day = 0; day < DAYS; day += 1) {
    for (let page = 0; page < PAGES_PER_VISIT; page += 1) {
      const now = start + day * DAY_MS + page * PAGE_GAP_MS;
      report(now); // what the last page left, at start-up
      const catalog = catalogNow();
      const profile = buildProfile(events, now, OPTIONS.halfLifeMs);
      const [decision] = decideSlots([SLOT], catalog.creatives, {
        now, arm, profile, segments: new Set(describeVisitor(events, profile, now).segments),
        interest: mainInterest(profile, catalog.interests), purchased: new Set(),
        stats: creativeStats(exposures, now, sessionStart(exposures.map((e) => e.time), now)), policy: POLICY, random: decide,
      });
      const creative = decision!.creative!.id;
      const ctr = TRUE_CTR[kind][creative]!;
      const shown = { creative, slot: SLOT, arm, probability: decision!.probability, interest: decision!.interest };
      const impression: Exposure = { ...shown, kind: 'impression', time: now + 1000 };
      exposures.push(impression);
      truth.set(impression, ctr);
      if (click() < ctr) exposures.push({ ...shown, kind: 'click', time: now + 5000 });
      outcome.impressions += 1;
      outcome.expectedClicks += ctr;
      outcome.oracleClicks += oracleCtr(kind);
      report(now + 60_000); // the page hides
    }
  }
  for (const [exposure, ctr] of truth) {
    if (exposure.time > reportedUntil) continue;
    outcome.reported.impressions += 1;
    outcome.reported.expectedClicks += ctr;
  }
  return outcome;
}
