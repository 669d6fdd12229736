import type { SiteCatalog } from './site-catalog.js';

/** The largest report body the collector reads, in bytes. */
export const MAX_REPORT_BYTES = 64 * 1024;
/** The smallest ε accepted: below it the noise allowance (10·3/ε per count) would let one report say too much. */
export const MIN_EPSILON = 0.5;
/** A report's window counts as at most this many hours, whatever its periodHours says (a longer cadence is clipped as a day). */
export const MAX_WINDOW_HOURS = 24;
/**
 * What one visitor can produce for one creative, in one arm and interest, in one page's
 * report (the page-hide cadence): a creative seen 30 times, clicked 5 times. A report
 * counts at most one conversion in all (the SDK's countForReport).
 */
export const MAX_PER_PAGE = { impressions: 30, clicks: 5, conversions: 1 } as const;
/** The same over a day, the widest window: a hundred views and ten clicks of one creative is more than any visitor does. */
export const MAX_PER_DAY = { impressions: 100, clicks: 10, conversions: 1 } as const;
/** A count beyond this is no count at all, noisy or not: the report is refused rather than clipped. */
export const MAX_ABS_COUNT = 1_000_000;
/** Laplace noise beyond this many scales happens with probability e^-10 / 2: the clip leaves room for it. */
const NOISE_ALLOWANCE_SCALES = 10;
/** Every count of a report carries noise of scale SENSITIVITY / ε (the SDK's REPORT_SENSITIVITY). */
export const REPORT_SENSITIVITY = 3;

/** The arms of the experiment. */
export type Arm = 'personalized' | 'control';
/** One validated and clipped row. */
export interface ReportRow {
  creative: string;
  arm: Arm;
  interest: string;
  impressions: number;
  clicks: number;
  conversions: number;
}
/** A validated report: what the store keeps of it. */
export interface Report {
  epsilon: number | null;
  periodHours: number;
  rows: ReportRow[];
}
/** Why a body was refused; the HTTP answer carries the code. */
export type ReportErrorCode =
  | 'bad-json' | 'bad-format' | 'bad-report' | 'bad-epsilon' | 'bad-period' | 'bad-row'
  | 'unknown-creative' | 'unknown-interest' | 'bad-count' | 'duplicate-row' | 'too-many-rows';
/** The outcome of `parseReport`. */
export type ParseResult = { report: Report } | { error: ReportErrorCode };

const ARMS = new Set<unknown>(['personalized', 'control']);
const COUNTS = ['impressions', 'clicks', 'conversions'] as const;
const ROW_KEYS_V1 = new Set(['creative', 'arm', ...COUNTS]);
const ROW_KEYS_V2 = new Set(['creative', 'arm', 'interest', ...COUNTS]);

/**
 * Parses and checks a `precis-report@1` or `@2` body against the site's catalog, clipping
 * each count to what one visitor can produce in the report's window. Never throws.
 *
 * @example
 * const result = parseReport(body, catalog);
 * if ('error' in result) reply(400, result.error); else store(result.report);
 */
export function parseReport(body: string, catalog: SiteCatalog): ParseResult {
  if (Buffer.byteLength(body) > MAX_REPORT_BYTES) return { error: 'bad-report' };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { error: 'bad-json' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'bad-report' };
  const { format, epsilon, periodHours, rows } = value as Record<string, unknown>;
  if (format !== 'precis-report@1' && format !== 'precis-report@2') return { error: 'bad-format' };
  const v2 = format === 'precis-report@2';
  if (epsilon !== null && !(typeof epsilon === 'number' && epsilon >= MIN_EPSILON && Number.isFinite(epsilon))) {
    return { error: 'bad-epsilon' };
  }
  const period = v2 ? periodHours : 0;
  if (typeof period !== 'number' || !(period >= 0 && period <= 24 * 366)) return { error: 'bad-period' };
  if (!Array.isArray(rows) || rows.length === 0) return { error: 'bad-report' };
  if (rows.length > catalog.priors.size * ARMS.size * (catalog.interests.length + 1)) return { error: 'too-many-rows' };
  const limits = countLimits(epsilon, period);
  const seen = new Set<string>();
  const parsed: ReportRow[] = [];
  for (const row of rows) {
    const result = parseRow(row, v2, catalog, limits);
    if ('error' in result) return result;
    const key = `${result.row.creative}\u0000${result.row.arm}\u0000${result.row.interest}`;
    if (seen.has(key)) return { error: 'duplicate-row' };
    seen.add(key);
    parsed.push(result.row);
  }
  return { report: { epsilon, periodHours: period, rows: parsed } };
}

interface CountLimits {
  low: number;
  high: Record<(typeof COUNTS)[number], number>;
}

/**
 * The range each count is clipped to (the poisoning bound): [0, cap] for exact counts,
 * where the cap is a page's worth per hour of the window, at most a day's worth; with
 * noise, the range widened by ten noise scales on both sides, so that honest noisy counts
 * pass unclipped.
 *
 * @example
 * countLimits(1, 24); // { low: -30, high: { impressions: 130, clicks: 40, conversions: 31 } }
 */
export function countLimits(epsilon: number | null, periodHours: number): CountLimits {
  const hours = Math.min(Math.max(periodHours, 1), MAX_WINDOW_HOURS);
  const slack = epsilon === null ? 0 : (NOISE_ALLOWANCE_SCALES * REPORT_SENSITIVITY) / epsilon;
  const cap = (count: (typeof COUNTS)[number]): number => Math.min(MAX_PER_PAGE[count] * hours, MAX_PER_DAY[count]) + slack;
  return { low: slack > 0 ? -slack : 0, high: { impressions: cap('impressions'), clicks: cap('clicks'), conversions: cap('conversions') } };
}

function parseRow(row: unknown, v2: boolean, catalog: SiteCatalog, limits: CountLimits): { row: ReportRow } | { error: ReportErrorCode } {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return { error: 'bad-row' };
  const fields = row as Record<string, unknown>;
  const allowed = v2 ? ROW_KEYS_V2 : ROW_KEYS_V1;
  const keys = Object.keys(fields);
  if (keys.length !== allowed.size || !keys.every((key) => allowed.has(key))) return { error: 'bad-row' };
  const { creative, arm } = fields;
  const interest = v2 ? fields.interest : '';
  if (typeof creative !== 'string' || !ARMS.has(arm) || typeof interest !== 'string') return { error: 'bad-row' };
  if (!catalog.priors.has(creative)) return { error: 'unknown-creative' };
  if (interest !== '' && !catalog.interests.includes(interest)) return { error: 'unknown-interest' };
  const counts = { impressions: 0, clicks: 0, conversions: 0 };
  for (const name of COUNTS) {
    const count = fields[name];
    // JSON.parse turns 1e999 into Infinity (refused with any other huge count); exact counts are whole and never negative.
    if (typeof count !== 'number' || !(Math.abs(count) <= MAX_ABS_COUNT)) return { error: 'bad-count' };
    if (limits.low === 0 && (count < 0 || !Number.isInteger(count))) return { error: 'bad-count' };
    counts[name] = Math.min(Math.max(count, limits.low), limits.high[name]);
  }
  return { row: { creative, arm: arm as Arm, interest, ...counts } };
}
