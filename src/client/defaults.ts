import { DEFAULT_PRIOR_STRENGTH } from '../decide/bandit';
import { DEFAULT_HOLDOUT } from '../decide/holdout';

/**
 * Every option's default, defined once: the client fills options from it, and the
 * script-tag loader reads the few its first paint needs from it too (so a default
 * changed here changes both). Options without an entry are off until set.
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
  holdout: DEFAULT_HOLDOUT,
  explore: true,
  priorStrength: DEFAULT_PRIOR_STRENGTH,
  maxPerCategory: 1,
  clickWindowDays: 7,
  viewWindowDays: 1,
  reportEpsilon: 0,
  whyLink: false,
  defaultConsent: 'allow',
} as const;
