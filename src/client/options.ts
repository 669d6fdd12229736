import { DAY_MS, systemClock, type Clock } from '../core/clock';
import { PrecisError } from '../core/errors';
import type { TcfOptions } from '../consent/consent';
import type { FrequencyCaps } from '../decide/catalog';
import type { BackendChoice } from '../model/engine';
import { DEFAULTS } from '../core/defaults';

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
  /**
   * With `report`: at most one report per page hide (`'pagehide'`, the default), per day
   * (`'day'`), or per this many hours; counts wait on the device until then. Fewer, fuller
   * reports carry the same noise each, so they measure more for the same ε.
   */
  reportEvery?: 'pagehide' | 'day' | number;
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

/** Options with every default filled in, as the client uses them (derived from `resolveOptions`). */
export type ResolvedOptions = ReturnType<typeof resolveOptions>;

const BACKENDS: readonly string[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** The options that take a positive number (also read from `data-*` attributes). */
export const NUMBER_OPTIONS = [
  'maxEvents', 'retentionDays', 'halfLifeDays', 'historySize', 'storeTimeoutMs', 'catalogTimeoutMs',
  'modelTimeoutMs', 'modelMaxAgeMs', 'hideTimeoutMs', 'priorStrength', 'maxPerCategory', 'clickWindowDays',
  'viewWindowDays', 'reportEpsilon',
] as const;
type NumberOption = (typeof NUMBER_OPTIONS)[number];

/**
 * Fills in defaults. A bad value is reported (`invalid-options`) and its default used,
 * so a typo in a config never takes the page down.
 *
 * @example
 * resolveOptions({ maxEvents: -1 }, report).maxEvents; // 1000, and `report` was called
 */
export function resolveOptions(input: unknown, report: (error: PrecisError) => void) {
  const raw: PersonalizerOptions =
    typeof input === 'object' && input !== null ? (input as PersonalizerOptions) : {};
  const invalid: Invalid = (option, reason) => report(new PrecisError('invalid-options', { reason, option }));
  if (input !== undefined && raw !== input) invalid(undefined, 'options must be an object');
  const numbers = Object.fromEntries(NUMBER_OPTIONS.map((key) => [key, DEFAULTS[key]])) as Record<NumberOption, number>;
  for (const key of NUMBER_OPTIONS) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) numbers[key] = value;
    else invalid(key, `${key} must be a positive number`);
  }
  let catalog = raw.catalog;
  if (catalog !== undefined && typeof catalog !== 'string' && (typeof catalog !== 'object' || catalog === null)) {
    invalid('catalog', 'catalog must be a URL or an object');
    catalog = undefined;
  }
  let model = raw.model;
  if (model !== undefined && (typeof model !== 'string' || model === '')) {
    invalid('model', 'model must be a manifest URL');
    model = undefined;
  }
  let backend: BackendChoice = raw.backend ?? DEFAULTS.backend;
  if (!BACKENDS.includes(backend)) {
    invalid('backend', `backend must be one of ${BACKENDS.join(', ')}`);
    backend = DEFAULTS.backend;
  }
  let holdout = raw.holdout ?? DEFAULTS.holdout;
  if (typeof holdout !== 'number' || !(holdout >= 0 && holdout <= 0.5)) {
    invalid('holdout', 'holdout must be a share from 0 to 0.5');
    holdout = DEFAULTS.holdout;
  }
  const tcf = typeof raw.tcf === 'object' && raw.tcf !== null ? raw.tcf : {};
  let reportUrl = raw.report;
  if (reportUrl !== undefined && (typeof reportUrl !== 'string' || reportUrl === '')) {
    invalid('report', 'report must be a URL');
    reportUrl = undefined;
  }
  return {
    catalog,
    model,
    hideTimeoutMs: numbers.hideTimeoutMs,
    holdout,
    explore: flag(raw.explore, DEFAULTS.explore),
    priorStrength: numbers.priorStrength,
    caps: readCaps(raw.caps, invalid),
    maxPerCategory: Math.floor(numbers.maxPerCategory),
    attribution: { clickMs: numbers.clickWindowDays * DAY_MS, viewMs: numbers.viewWindowDays * DAY_MS },
    report: reportUrl,
    reportEpsilon: numbers.reportEpsilon > 0 ? numbers.reportEpsilon : undefined,
    reportPeriodHours: readReportEvery(raw.reportEvery, invalid),
    whyLink: flag(raw.whyLink, DEFAULTS.whyLink),
    backend,
    worker: flag(raw.worker, DEFAULTS.worker),
    defaultConsent: raw.defaultConsent === 'deny' || raw.defaultConsent === 'allow' ? raw.defaultConsent : DEFAULTS.defaultConsent,
    tcf,
    adStack: readAdStack(raw.adStack, tcf, invalid),
    linkHosts: readHostList(raw.linkHosts, invalid),
    modelTimeoutMs: numbers.modelTimeoutMs,
    modelMaxAgeMs: numbers.modelMaxAgeMs,
    autoCapture: flag(raw.autoCapture, DEFAULTS.autoCapture),
    maxEvents: Math.floor(numbers.maxEvents),
    retentionMs: numbers.retentionDays * DAY_MS,
    halfLifeMs: numbers.halfLifeDays * DAY_MS,
    historySize: Math.floor(numbers.historySize),
    storeTimeoutMs: numbers.storeTimeoutMs,
    catalogTimeoutMs: numbers.catalogTimeoutMs,
    dbName: typeof raw.dbName === 'string' && raw.dbName !== '' ? raw.dbName : DEFAULTS.dbName,
    clock: typeof raw.clock === 'function' ? raw.clock : systemClock as Clock,
  };
}

/** Reports a bad option (its default is used instead). */
type Invalid = (option: string | undefined, reason: string) => void;

const flag = (value: unknown, fallback: boolean): boolean => (typeof value === 'boolean' ? value : fallback);

/** The `reportEvery` cadence in hours: 0 for every page hide. */
function readReportEvery(value: unknown, invalid: Invalid): number {
  if (value === undefined || value === 'pagehide') return 0;
  if (value === 'day') return 24;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  invalid('reportEvery', "reportEvery must be 'pagehide', 'day' or hours > 0");
  return 0;
}

function readCaps(value: unknown, invalid: Invalid): FrequencyCaps {
  if (value === undefined) return {};
  const caps: FrequencyCaps = {};
  const whole = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1;
  const { perDay, perSession } = (typeof value === 'object' && value !== null ? value : {}) as FrequencyCaps;
  if (typeof value !== 'object' || value === null || (perDay !== undefined && !whole(perDay)) || (perSession !== undefined && !whole(perSession))) {
    invalid('caps', 'caps must be {perDay, perSession} whole numbers ≥ 1');
    return {};
  }
  if (perDay !== undefined) caps.perDay = perDay;
  if (perSession !== undefined) caps.perSession = perSession;
  return caps;
}

function readHostList(value: unknown, invalid: Invalid): string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.every((host) => typeof host === 'string')) return value;
  invalid('linkHosts', 'linkHosts must be an array of host names');
  return [];
}

const MAX_AD_STACK_NAME = 64;

function readAdStack(value: unknown, tcf: TcfOptions, invalid: Invalid): { name: string; siteSegments: boolean } | undefined {
  if (value === false) return undefined;
  const fail = (reason: string): undefined => void invalid('adStack', reason);
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
