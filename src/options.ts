import { DAY_MS, systemClock, type Clock } from './core/clock';
import { PrecisError } from './core/errors';
import type { TcfOptions } from './consent/consent';
import type { FrequencyCaps } from './decide/catalog';
import { DEFAULT_PRIOR_STRENGTH } from './decide/bandit';
import { DEFAULT_HOLDOUT } from './decide/holdout';
import type { AttributionWindows } from './measure/metrics';
import type { BackendChoice } from './model/engine';

/**
 * Everything `createPersonalizer` accepts. All optional.
 *
 * @example
 * createPersonalizer({ catalog: '/precis/catalog.json', retentionDays: 14 });
 */
export interface PersonalizerOptions {
  /** The catalog: a URL to fetch, or the catalog object itself. Without one, slots keep their defaults. */
  catalog?: string | object;
  /** Record page views, JSON-LD product views, item clicks and SPA routes. Default true. */
  autoCapture?: boolean;
  /** Events kept on the device; the oldest are evicted beyond it. Default 1,000. */
  maxEvents?: number;
  /** Days an event is kept. Default 30. */
  retentionDays?: number;
  /** Days after which an event counts half as much. Default 7. */
  halfLifeDays?: number;
  /** Recent events read to build the visitor's profile. Default 200. */
  historySize?: number;
  /** Milliseconds to wait for IndexedDB before keeping events in memory. Default 2,000. */
  storeTimeoutMs?: number;
  /** Milliseconds to wait for the catalog. Default 5,000. */
  catalogTimeoutMs?: number;
  /** IndexedDB database name. Default `precis`. */
  dbName?: string;
  /** The model's `manifest.json` URL. Without one, the transparent ranker decides alone. */
  model?: string;
  /** Where the model runs: `auto` (the fastest that works here), `webgpu`, `webgl`, `wasm` or `cpu`. */
  backend?: BackendChoice;
  /** Run the model in a Web Worker. Default true; the main thread is used when workers fail. */
  worker?: boolean;
  /** Milliseconds for each model file download. Default 15,000. */
  modelTimeoutMs?: number;
  /** A cached model manifest younger than this is used without any network request. Default 1 hour. */
  modelMaxAgeMs?: number;
  /**
   * The longest a slot without a cached decision stays hidden (only that slot, only its
   * visibility) while Precis decides; after it the default shows for this page view. The
   * first decision waits for the model until then. Default 300 ms.
   */
  hideTimeoutMs?: number;
  /** Share of visitors in the control group, which gets the non-personalised choice. 0 to 0.5; default 0.05. */
  holdout?: number;
  /** Explore with Thompson sampling (default true), or always show the best expected creative. */
  explore?: boolean;
  /** How many impressions a creative's `priorCtr` counts as in the bandit's posterior. Default 100. */
  priorStrength?: number;
  /** Frequency caps for creatives whose catalog entry has none. Default: no cap. */
  caps?: FrequencyCaps;
  /** Most creatives of one `category` on one page. Default 1. */
  maxPerCategory?: number;
  /** Days after a click in which a purchase counts as its conversion. Default 7. */
  clickWindowDays?: number;
  /** Days after a viewable impression in which a purchase counts as its conversion. Default 1. */
  viewWindowDays?: number;
  /** An endpoint that receives aggregate counts (never events) when the tab is hidden. Needs `send` consent. */
  report?: string;
  /** With `report`: add Laplace noise for ε-differential privacy per impression, click or purchase. */
  reportEpsilon?: number;
  /** Put a "Why this ad?" button on every creative shown. Default false. */
  whyLink?: boolean;
  /** Hosts that creatives' absolute links and images may point to; relative URLs are always allowed. Default: any http(s) host. */
  linkHosts?: string[];
  /** Until the visitor, the site or a CMP decides: `allow` (default) or `deny`. */
  defaultConsent?: 'allow' | 'deny';
  /** IAB TCF v2.2: our vendor id, the purposes per permission, how long to wait for the CMP. */
  tcf?: TcfOptions;
  /**
   * Pass the visitor's segments to the page's ad stack — Google Publisher Tag targeting and
   * PPS, Prebid.js first-party data — with `personalize` and `send`. `name` names Precis's
   * entries in OpenRTB `user.data` (default: the page's host name); `siteSegments` also
   * gives bidders Precis's own segment names (default false: only IAB Audience Taxonomy
   * ids). `false` turns it off. Default on.
   */
  adStack?: false | { name?: string; siteSegments?: boolean };
  /** A clock for tests. Default `Date.now`. */
  clock?: Clock;
}

/** Options with every default filled in, as the client uses them. */
export interface ResolvedOptions {
  catalog: string | object | undefined;
  autoCapture: boolean;
  maxEvents: number;
  retentionMs: number;
  halfLifeMs: number;
  historySize: number;
  storeTimeoutMs: number;
  catalogTimeoutMs: number;
  dbName: string;
  model: string | undefined;
  backend: BackendChoice;
  worker: boolean;
  modelTimeoutMs: number;
  modelMaxAgeMs: number;
  hideTimeoutMs: number;
  holdout: number;
  explore: boolean;
  priorStrength: number;
  caps: FrequencyCaps;
  maxPerCategory: number;
  attribution: AttributionWindows;
  report: string | undefined;
  reportEpsilon: number | undefined;
  whyLink: boolean;
  defaultConsent: 'allow' | 'deny';
  tcf: TcfOptions;
  linkHosts: string[] | undefined;
  adStack: { name: string; siteSegments: boolean } | undefined;
  clock: Clock;
}

const BACKENDS: readonly string[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** The options that take a positive number (also read from `data-*` attributes). */
export const NUMBER_OPTIONS = [
  'maxEvents', 'retentionDays', 'halfLifeDays', 'historySize', 'storeTimeoutMs', 'catalogTimeoutMs',
  'modelTimeoutMs', 'modelMaxAgeMs', 'hideTimeoutMs', 'priorStrength', 'maxPerCategory', 'clickWindowDays',
  'viewWindowDays', 'reportEpsilon',
] as const;

/**
 * Fills in defaults. A bad value is reported (`invalid-options`) and its default used,
 * so a typo in a config never takes the page down.
 *
 * @example
 * resolveOptions({ maxEvents: -1 }, report).maxEvents; // 1000, and `report` was called
 */
export function resolveOptions(input: unknown, report: (error: PrecisError) => void): ResolvedOptions {
  const raw: PersonalizerOptions =
    typeof input === 'object' && input !== null ? (input as PersonalizerOptions) : {};
  if (input !== undefined && raw !== input) report(new PrecisError('invalid-options', { reason: 'options must be an object' }));
  const numbers: Record<(typeof NUMBER_OPTIONS)[number], number> = {
    maxEvents: 1000, retentionDays: 30, halfLifeDays: 7, historySize: 200, storeTimeoutMs: 2000, catalogTimeoutMs: 5000,
    modelTimeoutMs: 15_000, modelMaxAgeMs: 3_600_000, hideTimeoutMs: 300, priorStrength: DEFAULT_PRIOR_STRENGTH, maxPerCategory: 1,
    clickWindowDays: 7, viewWindowDays: 1, reportEpsilon: 0,
  };
  for (const key of NUMBER_OPTIONS) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) numbers[key] = value;
    else report(new PrecisError('invalid-options', { reason: `${key} must be a positive number`, option: key }));
  }
  let catalog = raw.catalog;
  if (catalog !== undefined && typeof catalog !== 'string' && (typeof catalog !== 'object' || catalog === null)) {
    report(new PrecisError('invalid-options', { reason: 'catalog must be a URL or an object', option: 'catalog' }));
    catalog = undefined;
  }
  let model = raw.model;
  if (model !== undefined && (typeof model !== 'string' || model === '')) {
    report(new PrecisError('invalid-options', { reason: 'model must be a manifest URL', option: 'model' }));
    model = undefined;
  }
  let backend = raw.backend ?? 'auto';
  if (!BACKENDS.includes(backend)) {
    report(new PrecisError('invalid-options', { reason: `backend must be one of ${BACKENDS.join(', ')}`, option: 'backend' }));
    backend = 'auto';
  }
  let holdout = raw.holdout ?? DEFAULT_HOLDOUT;
  if (typeof holdout !== 'number' || !(holdout >= 0 && holdout <= 0.5)) {
    report(new PrecisError('invalid-options', { reason: 'holdout must be a share from 0 to 0.5', option: 'holdout' }));
    holdout = DEFAULT_HOLDOUT;
  }
  const tcf = typeof raw.tcf === 'object' && raw.tcf !== null ? raw.tcf : {};
  let reportUrl = raw.report;
  if (reportUrl !== undefined && (typeof reportUrl !== 'string' || reportUrl === '')) {
    report(new PrecisError('invalid-options', { reason: 'report must be a URL', option: 'report' }));
    reportUrl = undefined;
  }
  return {
    catalog,
    model,
    hideTimeoutMs: numbers.hideTimeoutMs,
    holdout,
    explore: raw.explore !== false,
    priorStrength: numbers.priorStrength,
    caps: readCaps(raw.caps, report),
    maxPerCategory: Math.floor(numbers.maxPerCategory),
    attribution: { clickMs: numbers.clickWindowDays * DAY_MS, viewMs: numbers.viewWindowDays * DAY_MS },
    report: reportUrl,
    reportEpsilon: numbers.reportEpsilon > 0 ? numbers.reportEpsilon : undefined,
    whyLink: raw.whyLink === true,
    backend,
    worker: raw.worker !== false,
    defaultConsent: raw.defaultConsent === 'deny' ? 'deny' : 'allow',
    tcf,
    adStack: readAdStack(raw.adStack, tcf, report),
    linkHosts: readHostList(raw.linkHosts, report),
    modelTimeoutMs: numbers.modelTimeoutMs,
    modelMaxAgeMs: numbers.modelMaxAgeMs,
    autoCapture: raw.autoCapture !== false,
    maxEvents: Math.floor(numbers.maxEvents),
    retentionMs: numbers.retentionDays * DAY_MS,
    halfLifeMs: numbers.halfLifeDays * DAY_MS,
    historySize: Math.floor(numbers.historySize),
    storeTimeoutMs: numbers.storeTimeoutMs,
    catalogTimeoutMs: numbers.catalogTimeoutMs,
    dbName: typeof raw.dbName === 'string' && raw.dbName !== '' ? raw.dbName : 'precis',
    clock: typeof raw.clock === 'function' ? raw.clock : systemClock,
  };
}

function readCaps(value: unknown, report: (error: PrecisError) => void): FrequencyCaps {
  if (value === undefined) return {};
  const caps: FrequencyCaps = {};
  const whole = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1;
  const { perDay, perSession } = (typeof value === 'object' && value !== null ? value : {}) as FrequencyCaps;
  if (typeof value !== 'object' || value === null || (perDay !== undefined && !whole(perDay)) || (perSession !== undefined && !whole(perSession))) {
    report(new PrecisError('invalid-options', { reason: 'caps must be {perDay, perSession} whole numbers ≥ 1', option: 'caps' }));
    return {};
  }
  if (perDay !== undefined) caps.perDay = perDay;
  if (perSession !== undefined) caps.perSession = perSession;
  return caps;
}

function readHostList(value: unknown, report: (error: PrecisError) => void): string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.every((host) => typeof host === 'string')) return value;
  report(new PrecisError('invalid-options', { reason: 'linkHosts must be an array of host names', option: 'linkHosts' }));
  return [];
}

const MAX_AD_STACK_NAME = 64;

function readAdStack(value: unknown, tcf: TcfOptions, report: (error: PrecisError) => void): ResolvedOptions['adStack'] {
  if (value === false) return undefined;
  const fail = (reason: string): undefined => void report(new PrecisError('invalid-options', { reason, option: 'adStack' }));
  // Under TCF, profiles reach advertising only with purpose 4; `personalize` is what checks it.
  if (tcf.purposes?.personalize && !tcf.purposes.personalize.includes(4)) {
    return fail('the ad stack needs TCF purpose 4 in tcf.purposes.personalize');
  }
  const { name, siteSegments } = (typeof value === 'object' && value !== null ? value : {}) as { name?: unknown; siteSegments?: unknown };
  if ((value !== undefined && (typeof value !== 'object' || value === null)) ||
    (name !== undefined && (typeof name !== 'string' || name === '' || name.length > MAX_AD_STACK_NAME))) {
    fail(`adStack must be false or {name (1-${MAX_AD_STACK_NAME} characters), siteSegments}`);
  }
  const host = (globalThis as { location?: { hostname?: string } }).location?.hostname;
  return {
    name: typeof name === 'string' && name !== '' && name.length <= MAX_AD_STACK_NAME ? name : host || 'precis',
    siteSegments: siteSegments === true,
  };
}
