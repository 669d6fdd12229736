import { DAY_MS, systemClock, type Clock } from '../core/clock';
import { PrecisError, toPrecisError } from '../core/errors';
import type { TcfOptions } from '../consent/consent';
import { readCaps, type FrequencyCaps } from '../decide/catalog';
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
  /**
   * The model's `manifest.json` URL, or one per job, each declared by its manifest's
   * `output.kind`: `item-scores` (recommendations, and the model's view in ranking),
   * `creative-scores` (each creative's click rate for this visitor, the prior of its
   * score) and `propensity` (the purchase propensity of segments and the ad stack). A
   * second model for a job is reported (`invalid-options`) and ignored. Without one, the
   * transparent ranker decides alone.
   *
   * @example
   * createPersonalizer({ model: ['/models/games/manifest.json', '/models/buyers/manifest.json'] });
   */
  model?: string | string[];
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

const BACKENDS: readonly unknown[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** The options that take a positive number (also read from `data-*` attributes). */
export const NUMBER_OPTIONS = [
  'maxEvents', 'retentionDays', 'halfLifeDays', 'historySize', 'storeTimeoutMs', 'catalogTimeoutMs',
  'modelTimeoutMs', 'modelMaxAgeMs', 'hideTimeoutMs', 'priorStrength', 'maxPerCategory', 'clickWindowDays',
  'viewWindowDays', 'reportEpsilon',
] as const;

const isText = (value: unknown): boolean => typeof value === 'string' && value !== '';
const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null;
const isFlag = (value: unknown): boolean => typeof value === 'boolean';
const isPositive = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value > 0;
const POSITIVE: Check = [isPositive, 'must be a positive number'];

/**
 * One line per option read as-is: the check a value must pass, and what it must be,
 * reported when it does not (nothing: a bad value silently takes the default). The options that need
 * more than a check (`caps`, `linkHosts`, `adStack`) are read below.
 */
const CHECKS = {
  ...(Object.fromEntries(NUMBER_OPTIONS.map((key) => [key, POSITIVE])) as Record<(typeof NUMBER_OPTIONS)[number], Check>),
  catalog: [(value) => typeof value === 'string' || isObject(value), 'must be a URL or an object'],
  model: [(value) => isText(value) || (Array.isArray(value) && value.length > 0 && value.every(isText)), 'must be a manifest URL or an array of them'],
  backend: [(value) => BACKENDS.includes(value), `must be one of ${BACKENDS.join(', ')}`],
  holdout: [(value) => typeof value === 'number' && value >= 0 && value <= 0.5, 'must be a share from 0 to 0.5'],
  report: [isText, 'must be a URL'],
  reportEvery: [(value) => value === 'pagehide' || value === 'day' || isPositive(value), "must be 'pagehide', 'day' or hours > 0"],
  autoCapture: [isFlag],
  explore: [isFlag],
  whyLink: [isFlag],
  worker: [isFlag],
  defaultConsent: [(value) => value === 'allow' || value === 'deny'],
  dbName: [isText],
  tcf: [isObject],
  clock: [(value) => typeof value === 'function'],
} satisfies Record<string, Check>;

type Check = [valid: (value: unknown) => boolean, reason?: string];
type Checked = keyof typeof CHECKS;
/** Each checked option as given, or its default (`DEFAULTS`, plus the three the loader never reads). */
type Read = { [K in Checked]: K extends keyof typeof DEFAULTS | 'tcf' | 'clock' | 'reportEvery' ? Exclude<PersonalizerOptions[K], undefined> : PersonalizerOptions[K] };

/**
 * Fills in defaults. A bad value is reported (`invalid-options`) and its default used,
 * so a typo in a config never takes the page down.
 *
 * @example
 * resolveOptions({ maxEvents: -1 }, report).maxEvents; // 1000, and `report` was called
 */
export function resolveOptions(input: unknown, report: (error: PrecisError) => void) {
  const raw = (isObject(input) ? input : {}) as Record<string, unknown>;
  const invalid: Invalid = (option, reason) => report(new PrecisError('invalid-options', { reason, option }));
  if (input !== undefined && raw !== input) invalid(undefined, 'options must be an object');
  const fallbacks: Record<string, unknown> = { ...DEFAULTS, tcf: {}, clock: systemClock, reportEvery: 'pagehide' };
  const read = {} as Record<string, unknown>;
  for (const [key, [valid, reason]] of Object.entries(CHECKS) as Array<[string, Check]>) {
    const value = raw[key];
    const ok = value !== undefined && valid(value);
    if (value !== undefined && !ok && reason) invalid(key, `${key} ${reason}`);
    read[key] = ok ? value : fallbacks[key];
  }
  const o = read as Read;
  let caps: FrequencyCaps = {};
  try {
    caps = readCaps(raw.caps) ?? {};
  } catch (error) {
    invalid('caps', String(toPrecisError(error).details.reason));
  }
  return {
    ...o,
    caps,
    /** The manifest URLs, in the order given (the first for a job wins). */
    model: o.model === undefined ? [] : [o.model].flat(),
    maxEvents: Math.floor(o.maxEvents),
    historySize: Math.floor(o.historySize),
    maxPerCategory: Math.floor(o.maxPerCategory),
    retentionMs: o.retentionDays * DAY_MS,
    halfLifeMs: o.halfLifeDays * DAY_MS,
    attribution: { clickMs: o.clickWindowDays * DAY_MS, viewMs: o.viewWindowDays * DAY_MS },
    reportEpsilon: o.reportEpsilon || undefined,
    // The report cadence in hours: 0 for every page hide.
    reportPeriodHours: o.reportEvery === 'day' ? 24 : o.reportEvery === 'pagehide' ? 0 : o.reportEvery,
    adStack: readAdStack(raw.adStack, o.tcf, invalid),
    linkHosts: readHostList(raw.linkHosts, invalid),
  };
}

/** Reports a bad option (its default is used instead). */
type Invalid = (option: string | undefined, reason: string) => void;

function readHostList(value: unknown, invalid: Invalid): string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.every((host) => typeof host === 'string')) return value;
  invalid('linkHosts', 'linkHosts must be an array of host names');
  return [];
}

const MAX_AD_STACK_NAME = 64;

function readAdStack(value: unknown, tcf: TcfOptions, invalid: Invalid): { name: string; siteSegments: boolean } | undefined {
  if (value === false) return undefined;
  // Under TCF, profiles reach advertising only with purpose 4; `personalize` is what checks it.
  if (tcf.purposes?.personalize && !tcf.purposes.personalize.includes(4)) {
    return void invalid('adStack', 'the ad stack needs TCF purpose 4 in tcf.purposes.personalize');
  }
  const { name, siteSegments } = (isObject(value) ? value : {}) as { name?: unknown; siteSegments?: unknown };
  const named = typeof name === 'string' && name !== '' && name.length <= MAX_AD_STACK_NAME;
  if ((value !== undefined && !isObject(value)) || (name !== undefined && !named)) {
    invalid('adStack', `adStack must be false or {name (1-${MAX_AD_STACK_NAME} characters), siteSegments}`);
  }
  const host = (globalThis as { location?: { hostname?: string } }).location?.hostname;
  return { name: named ? name : host || 'precis', siteSegments: siteSegments === true };
}
