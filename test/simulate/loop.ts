// The whole loop, for many visitors: each runs the SDK's code (visitor.ts) and sends its
// reports over HTTP to a real collector (SQLite in a temporary directory), which pools
// them and republishes the catalog's priors every `republishEvery` visitors; the next
// visitors decide from the catalog as the collector serves it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '../../server/src/collector';
import { createRandom } from '../../src/decide/bandit';
import { parseCatalog, type Catalog } from '../../src/decide/catalog';
import type { ReportPayload } from '../../src/measure/report';
import { runVisitor, type VisitorOutcome } from './visitor';
import { drawKind, KINDS, SITE_CATALOG } from './world';

/** A running collector, as the simulation uses it. */
export type Collector = Awaited<ReturnType<typeof startCollector>>;

/** One setting of the simulation. */
export interface LoopSetting {
  /** Decide from the collector's pooled priors (true), or from the site's hand-set catalog on each device alone. */
  pooled: boolean;
  epsilon: number | undefined;
  /** The report cadence: 0 every page hide, 24 daily. */
  periodHours: number;
  visitors: number;
  seed: number;
  /** Share of visitors in the control arm. */
  holdout?: number;
  /** The collector republishes its priors, and the devices fetch the catalog, every this many visitors. */
  republishEvery?: number;
  /** Visitors per point of the learning curve. */
  block?: number;
}

/** What a setting achieved. */
export interface LoopResult {
  /** Per block of visitors: their expected clicks as a share of the oracle's (personalised arm). */
  curve: Array<{ visitors: number; share: number }>;
  /** The visitors by the end of the first block whose share reached 90% of the oracle; null if none did. */
  visitorsTo90: number | null;
  /** The share over the last quarter of the visitors, and per kind of visitor. */
  finalShare: number;
  finalByKind: Record<string, number>;
  reports: number;
  /** Per arm, what reached the collector: impressions and Σ true CTR (the truth of the uplift). */
  reported: Record<'personalized' | 'control', { impressions: number; expectedClicks: number }>;
  /** The catalog as the devices last saw it. */
  catalog: Catalog;
}

/**
 * Starts a collector on loopback with SQLite (`db`, else a file in a fresh temporary
 * directory, deleted afterwards), runs `work`, then stops it.
 *
 * @example
 * await withCollector({ rateLimit: false }, (collector) => runLoop(setting, collector));
 */
export async function withCollector<T>(extra: Record<string, unknown>, work: (collector: Collector) => Promise<T>, db?: string): Promise<T> {
  const dir = db === undefined ? mkdtempSync(join(tmpdir(), 'precis-sim-')) : undefined;
  const collector = await startCollector({
    db: db ?? join(dir!, 'sim.sqlite'), catalog: SITE_CATALOG, port: 0, host: '127.0.0.1', token: 'simulation', ...extra,
  });
  try {
    return await work(collector);
  } finally {
    await collector.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The catalog as a device gets it from the collector: `GET /catalog.json`, validated by
 * the SDK's parseCatalog (any error fails the simulation). A connection reset (a kept-alive
 * socket the server closed meanwhile) is retried twice, as in `postReport`.
 *
 * @example
 * const catalog = await fetchCatalog(collector.url);
 */
export async function fetchCatalog(url: string, retries = 2): Promise<Catalog> {
  let response: Response;
  try {
    response = await fetch(new URL('/catalog.json', url));
  } catch (error) {
    if (retries === 0) throw error;
    return fetchCatalog(url, retries - 1);
  }
  if (!response.ok) throw new Error(`GET /catalog.json: HTTP ${response.status}`);
  return parseCatalog(await response.json(), (error) => {
    throw error;
  });
}

/**
 * Posts a report as the beacon does (text/plain), resolving to the HTTP status. A
 * connection reset (a kept-alive socket the server closed meanwhile, before reading the
 * request) is retried twice.
 *
 * @example
 * await postReport(collector.url, payload); // 204
 */
export async function postReport(url: string, payload: ReportPayload, retries = 2): Promise<number> {
  try {
    const response = await fetch(new URL('/reports', url), {
      method: 'POST', body: JSON.stringify(payload), headers: { 'content-type': 'text/plain' },
    });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    if (retries === 0) throw error;
    return postReport(url, payload, retries - 1);
  }
}

/**
 * Runs `setting.visitors` visitors one after another; with `pooled`, each block of
 * `republishEvery` visitors decides from the catalog the collector last published.
 *
 * @example
 * await withCollector({ rateLimit: false }, (c) => runLoop({ pooled: true, epsilon: 1, periodHours: 24, visitors: 2000, seed: 1 }, c));
 */
export async function runLoop(setting: LoopSetting, collector: Collector | undefined): Promise<LoopResult> {
  const { visitors, seed, holdout = 0, republishEvery = 200, block = 250 } = setting;
  let catalog = setting.pooled && collector ? await fetchCatalog(collector.url) : parseCatalog(SITE_CATALOG, (error) => {
    throw error;
  });
  const kinds = createRandom(seed);
  const start = Date.UTC(2030, 0, 1);
  let pending: Array<Promise<number>> = [];
  let reports = 0;
  const failures: number[] = [];
  const settle = async (): Promise<void> => {
    for (const status of await Promise.all(pending.splice(0))) if (status !== 204) failures.push(status);
  };
  const send = (payload: ReportPayload): void => {
    reports += 1;
    if (collector) pending.push(postReport(collector.url, payload));
  };
  const outcomes: VisitorOutcome[] = [];
  for (let i = 0; i < visitors; i += 1) {
    outcomes.push(runVisitor(drawKind(kinds), seed * 100_003 + i, start + i * 60_000, holdout, () => catalog,
      { epsilon: setting.epsilon, periodHours: setting.periodHours, send }));
    if (pending.length >= 128) await settle();
    if (setting.pooled && collector && (i + 1) % republishEvery === 0) {
      await settle();
      await collector.republish();
      catalog = await fetchCatalog(collector.url);
    }
  }
  await settle();
  if (failures.length > 0) throw new Error(`${failures.length} reports refused, e.g. HTTP ${failures[0]}`);
  return { ...summarize(outcomes, block), reports, catalog };
}

function summarize(outcomes: readonly VisitorOutcome[], block: number): Omit<LoopResult, 'reports' | 'catalog'> {
  const curve: LoopResult['curve'] = [];
  for (let from = 0; from < outcomes.length; from += block) {
    const part = outcomes.slice(from, from + block).filter((o) => o.arm === 'personalized');
    curve.push({ visitors: Math.min(from + block, outcomes.length), share: shareOf(part) });
  }
  const reached = curve.find((point) => point.share >= 0.9);
  const personal = outcomes.filter((o) => o.arm === 'personalized');
  const lastQuarter = personal.slice(Math.floor(personal.length * 0.75));
  const reported = { personalized: { impressions: 0, expectedClicks: 0 }, control: { impressions: 0, expectedClicks: 0 } };
  for (const outcome of outcomes) {
    reported[outcome.arm].impressions += outcome.reported.impressions;
    reported[outcome.arm].expectedClicks += outcome.reported.expectedClicks;
  }
  return {
    curve,
    visitorsTo90: reached?.visitors ?? null,
    finalShare: shareOf(lastQuarter),
    finalByKind: Object.fromEntries(KINDS.map((kind) => [kind, Number(shareOf(lastQuarter.filter((o) => o.kind === kind)).toFixed(3))])),
    reported,
  };
}

function shareOf(outcomes: readonly VisitorOutcome[]): number {
  const oracle = outcomes.reduce((sum, o) => sum + o.oracleClicks, 0);
  return oracle > 0 ? outcomes.reduce((sum, o) => sum + o.expectedClicks, 0) / oracle : 0;
}
