/**
 * The Precis collector, as a library: start one in a test, a demo or a simulation.
 *
 * @example
 * import { startCollector } from 'precis-collector';
 * const collector = await startCollector({ db: './precis.sqlite', catalog: './catalog.json', port: 0 });
 */
export { startCollector, type Collector, type CollectorOptions } from './collector.js';
export { estimateAll, estimateArm, estimateUplift, type ArmEstimate, type Estimates, type Interval, type Uplift } from './estimates.js';
export { countLimits, MAX_PER_DAY, MAX_PER_PAGE, MAX_REPORT_BYTES, MAX_WINDOW_HOURS, MIN_EPSILON, parseReport, type Report, type ReportRow } from './parse-report.js';
export { DEFAULT_MAX_PRIOR_STRENGTH, poolPriors, shrink, type Prior } from './pooled-priors.js';
export { DEFAULT_RATE_LIMIT, type RateLimitOptions } from './rate-limit.js';
