import { HOUR_MS } from '../core/clock';
import type { Arm } from '../decide/holdout';
import type { PrecisEvent } from '../capture/event';
import type { Exposure } from './exposure';
import { countForReport, type AttributionWindows, type InterestCounts } from './metrics';

/** One row of a report: how often one creative was seen, clicked and converted in one arm, under one main interest. */
export type ReportRow = InterestCounts;

/** What the `report` endpoint receives: aggregate counts, never events, ids or times. */
export interface ReportPayload {
  format: 'precis-report@2';
  /** The ε of the Laplace noise added to every count, or null when the counts are exact. */
  epsilon: number | null;
  /** The most hours one report covers (the `reportEvery` cadence): 0 for every page hide, 24 for daily. */
  periodHours: number;
  rows: ReportRow[];
}

/**
 * Adding or removing one viewable impression, click or purchase changes at most three
 * counts of a report by one each: its own count, and the one conversion a report counts
 * (`countForReport`), which may move from one row to another. Each exposure keeps the
 * interest it was decided under, so its rows never depend on later events.
 */
export const REPORT_SENSITIVITY = 3;

/** What a report covers: the catalog's creatives and interests, and the visitor's arm. */
export interface ReportScope {
  creatives: readonly string[];
  interests: readonly string[];
  arm: Arm;
}

/**
 * The report of the counts since the last one: one row for every catalog creative in the
 * visitor's arm under every interest of the catalog and '' (zeros included), so the list
 * of rows says nothing of what this visitor saw or is interested in. A creative or arm
 * outside that scope that has counts (a creative since removed from the catalog; the old
 * arm after `forget()`) gets all its interest rows too; counts under an interest the
 * catalog no longer lists go under ''. With `epsilon`, each count gets Laplace noise of
 * scale REPORT_SENSITIVITY / ε: the report is then ε-differentially private for any one
 * impression, click or purchase.
 *
 * @example
 * buildReport(countForReport(exposures, events, windows, since), { creatives, interests, arm }, 1, 24);
 */
export function buildReport(
  counts: readonly InterestCounts[],
  scope: ReportScope,
  epsilon: number | undefined,
  periodHours: number,
  random: () => number = secureRandom,
): ReportPayload {
  const interests = ['', ...scope.interests.filter((interest) => interest !== '')];
  const listed = new Set(interests);
  const rows = new Map<string, ReportRow>();
  const key = (creative: string, arm: Arm, interest: string): string => `${arm}\u0000${creative}\u0000${interest}`;
  const addCreative = (creative: string, arm: Arm): void => {
    for (const interest of interests) {
      if (!rows.has(key(creative, arm, interest))) {
        rows.set(key(creative, arm, interest), { creative, arm, interest, impressions: 0, clicks: 0, conversions: 0 });
      }
    }
  };
  for (const creative of scope.creatives) addCreative(creative, scope.arm);
  for (const entry of counts) {
    if (entry.impressions + entry.clicks + entry.conversions === 0) continue;
    addCreative(entry.creative, entry.arm);
    const row = rows.get(key(entry.creative, entry.arm, listed.has(entry.interest) ? entry.interest : ''))!;
    row.impressions += entry.impressions;
    row.clicks += entry.clicks;
    row.conversions += entry.conversions;
  }
  const noisy = (count: number): number =>
    epsilon === undefined ? count : count + sampleLaplace(REPORT_SENSITIVITY / epsilon, random);
  return {
    format: 'precis-report@2',
    epsilon: epsilon ?? null,
    periodHours,
    rows: [...rows.values()].map((row) => ({
      ...row, impressions: noisy(row.impressions), clicks: noisy(row.clicks), conversions: noisy(row.conversions),
    })),
  };
}

/**
 * True when a report has something to say: any count at all.
 *
 * @example
 * if (hasCounts(counts)) send(buildReport(counts, scope, 1, 0));
 */
export function hasCounts(counts: readonly InterestCounts[]): boolean {
  return counts.some((entry) => entry.impressions + entry.clicks + entry.conversions > 0);
}

/**
 * True when the cadence lets a report go now: always with `periodHours` 0 (every page
 * hide); else once `periodHours` have passed since the period began — the last report
 * (`reportedUntil`), or for a visitor never reported, the oldest count waiting
 * (`oldestCount`). So one report covers at least one full period, and a visitor sends at
 * most one per period; the rest stays on the device until then.
 *
 * @example
 * isReportDue(24, state.reportedUntil, firstExposureTime, Date.now());
 */
export function isReportDue(periodHours: number, reportedUntil: number, oldestCount: number, now: number): boolean {
  if (periodHours === 0) return true;
  const began = reportedUntil > 0 ? reportedUntil : oldestCount;
  return now - began >= periodHours * HOUR_MS;
}

/** What deciding whether to report, and what, depends on: the device's log, the cadence and the catalog. */
export interface ReportInput {
  exposures: readonly Exposure[];
  events: readonly PrecisEvent[];
  windows: AttributionWindows;
  /** Counts up to this time were reported (0: never). */
  reportedUntil: number;
  now: number;
  periodHours: number;
  epsilon: number | undefined;
  scope: ReportScope;
  random?: () => number;
}

/**
 * The report to send now, or undefined when there is nothing new to count or the
 * cadence says wait (`isReportDue`): the counts since `reportedUntil`
 * (`countForReport`), built into a payload (`buildReport`).
 *
 * @example
 * const payload = nextReport({ exposures, events, windows, reportedUntil, now: Date.now(), periodHours: 24, epsilon: 1, scope });
 * if (payload) { reporter.sendOnExit(payload); reportedUntil = now; }
 */
export function nextReport(input: ReportInput): ReportPayload | undefined {
  const { exposures, reportedUntil, now } = input;
  const counts = countForReport(exposures, input.events, input.windows, reportedUntil);
  const oldest = exposures.reduce((first, exposure) => (exposure.time > reportedUntil ? Math.min(first, exposure.time) : first), now);
  if (!hasCounts(counts) || !isReportDue(input.periodHours, reportedUntil, oldest, now)) return undefined;
  return buildReport(counts, input.scope, input.epsilon, input.periodHours, input.random);
}

/**
 * One draw of Laplace(0, scale), by inverting its CDF.
 *
 * @example
 * sampleLaplace(3, Math.random);
 */
export function sampleLaplace(scale: number, random: () => number): number {
  const u = random() - 0.5;
  // random() may return exactly 0 (u = -0.5): the floor keeps the logarithm, and the report, finite.
  return -scale * Math.sign(u) * Math.log(Math.max(1 - 2 * Math.abs(u), 2 ** -53));
}

// Noise that protects privacy must not be predictable: the platform's CSPRNG when present.
function secureRandom(): number {
  const cryptoApi = globalThis.crypto;
  if (!cryptoApi?.getRandomValues) return Math.random();
  return cryptoApi.getRandomValues(new Uint32Array(1))[0]! / 0x1_0000_0000;
}

/** Retries: 1 s, 2 s, 4 s, 8 s, 16 s after a failed send; then the batch waits for the next page. */
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 16000];

/** Sends reports; see `createReporter`. */
export interface Reporter {
  /** Sends now with `fetch` (keepalive), retrying with backoff; resolves true once delivered. */
  send(payload: ReportPayload): Promise<boolean>;
  /** The page is going away: hands the payload to `sendBeacon` (or a keepalive fetch). */
  sendOnExit(payload: ReportPayload): boolean;
  /** Stops pending retries: a `send()` still waiting resolves false. */
  dispose(): void;
}

/**
 * Delivers report payloads to the site's endpoint as JSON.
 *
 * @example
 * const reporter = createReporter(window, 'https://stats.shop.example/precis');
 * await reporter.send(buildReport(metrics, ids, arm, 1));
 */
export function createReporter(win: Window, url: string): Reporter {
  // Each pending retry's timer, with what settles its wait.
  const timers = new Map<ReturnType<typeof setTimeout>, () => void>();
  let disposed = false;
  const post = async (body: string): Promise<boolean> => {
    try {
      const response = await win.fetch(url, {
        method: 'POST', body, keepalive: true, credentials: 'omit', headers: { 'content-type': 'application/json' },
      });
      return response.ok;
    } catch {
      return false;
    }
  };
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.set(timer, resolve);
    });
  return {
    async send(payload) {
      const body = JSON.stringify(payload);
      for (let attempt = 0; !disposed; attempt += 1) {
        if (await post(body)) return true;
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined) return false;
        await wait(delay);
      }
      return false;
    },
    sendOnExit(payload) {
      const body = JSON.stringify(payload);
      // text/plain keeps the beacon a "simple" request: no CORS preflight, which a beacon cannot do.
      if (typeof win.navigator.sendBeacon === 'function' && win.navigator.sendBeacon(url, new Blob([body], { type: 'text/plain' }))) {
        return true;
      }
      void post(body);
      return true;
    },
    dispose() {
      disposed = true;
      // Settles the waiting sends (false) instead of leaving their promises pending forever.
      timers.forEach((resolve, timer) => {
        clearTimeout(timer);
        resolve();
      });
      timers.clear();
    },
  };
}
