/**
 * Every option's default, defined once: the client fills options from it, and the
 * script-tag loader reads the few its first paint needs from it too (so a default
 * changed here changes both). It sits in `core/`, below every room that reads it, the
 * loader's first paint included. Options without an entry are off until set.
 *
 * @example
 * DEFAULTS.hideTimeoutMs; // 300
 */
export const DEFAULTS = {
  autoCapture: true,
  maxEvents: 1000,
  retentionDays: 30,
  halfLifeDays: 7,
  historySize: 200,
  storeTimeoutMs: 2000,
  catalogTimeoutMs: 5000,
  dbName: 'precis',
  backend: 'auto',
  worker: true,
  modelTimeoutMs: 15_000,
  modelMaxAgeMs: 3_600_000,
  hideTimeoutMs: 300,
  /** The share of visitors kept in the control group. */
  holdout: 0.05,
  explore: true,
  /** How many impressions the catalog's prior CTR counts as. */
  priorStrength: 100,
  maxPerCategory: 1,
  clickWindowDays: 7,
  viewWindowDays: 1,
  reportEpsilon: 0,
  whyLink: false,
  defaultConsent: 'allow',
} as const;
