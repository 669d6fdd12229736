import type { Arm } from '../decide/holdout';
import type { Metrics } from './metrics';

/** One row of a report: how often one creative was seen, clicked and converted in one arm. */
export interface ReportRow {
  creative: string;
  arm: Arm;
  impressions: number;
  clicks: number;
  conversions: number;
}

/** What the `report` endpoint receives: aggregate counts, never events, ids or times. */
export interface ReportPayload {
  format: 'precis-report@1';
  /** The ε of the Laplace noise added to every count, or null when the counts are exact. */
  epsilon: number | null;
  rows: ReportRow[];
}

/**
 * Removing or adding one impression, click or purchase changes at most three counts by
 * one each (a click can move a purchase's attribution from one creative to another), so
 * the L1 sensitivity of a report is 3.
 */
export const REPORT_SENSITIVITY = 3;

/**
 * The counts gathered since the last report (`metrics` over the newer exposures and
 * purchases), one row for every catalog creative in every arm that has any, plus every
 * creative of `creatives` in `arm`, so the list of rows says nothing of what this visitor
 * saw. With `epsilon`, each count gets Laplace noise of scale REPORT_SENSITIVITY / ε:
 * the report is then ε-differentially private for any one impression, click or purchase.
 *
 * @example
 * buildReport(metricsSinceLastReport, catalog.creatives.map((c) => c.id), 'personalized', 1);
 */
export function buildReport(
  metrics: Metrics,
  creatives: readonly string[],
  arm: Arm,
  epsilon: number | undefined,
  random: () => number = secureRandom,
): ReportPayload {
  const rows = new Map<string, ReportRow>();
  for (const creative of creatives) rows.set(`${arm}\u0000${creative}`, { creative, arm, impressions: 0, clicks: 0, conversions: 0 });
  for (const entry of metrics.creatives) {
    rows.set(`${entry.arm}\u0000${entry.creative}`, {
      creative: entry.creative, arm: entry.arm, impressions: entry.impressions, clicks: entry.clicks, conversions: entry.conversions,
    });
  }
  const noisy = (count: number): number =>
    epsilon === undefined ? count : count + sampleLaplace(REPORT_SENSITIVITY / epsilon, random);
  return {
    format: 'precis-report@1',
    epsilon: epsilon ?? null,
    rows: [...rows.values()].map((row) => ({
      ...row, impressions: noisy(row.impressions), clicks: noisy(row.clicks), conversions: noisy(row.conversions),
    })),
  };
}

/**
 * True when a report has something to say: any count, or (with noise) any creative at all.
 *
 * @example
 * if (hasCounts(metrics)) send(buildReport(…));
 */
export function hasCounts(metrics: Metrics): boolean {
  return metrics.creatives.some((entry) => entry.impressions + entry.clicks + entry.conversions > 0);
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
