import { REPORT_SENSITIVITY, type Arm, type Report } from './parse-report.js';

/** The creative and interest of the totals rows: every creative, every interest ("*" is no valid id in a report). */
export const ALL = '*';

/**
 * What the store keeps per hour, creative, arm and interest: how many reports had the row,
 * the sums of their counts, the sums of squares and products (for the between-report
 * variance of a ratio) and the summed variance of the Laplace noise in each count.
 */
export interface Cell {
  hour: number;
  creative: string;
  arm: Arm;
  interest: string;
  reports: number;
  impressions: number;
  clicks: number;
  conversions: number;
  impressionsSq: number;
  clicksSq: number;
  conversionsSq: number;
  impressionsClicks: number;
  impressionsConversions: number;
  noiseVar: number;
}

/** The numeric columns of a cell, in the order the store writes them. */
export const SUM_COLUMNS = [
  'reports', 'impressions', 'clicks', 'conversions', 'impressionsSq', 'clicksSq', 'conversionsSq',
  'impressionsClicks', 'impressionsConversions', 'noiseVar',
] as const;

/**
 * The hour bucket of a time: hours since the epoch. The store keeps nothing finer.
 *
 * @example
 * hourOf(Date.now()); // 491234
 */
export function hourOf(ms: number): number {
  return Math.floor(ms / 3_600_000);
}

/**
 * Adds one report to `cells` (keyed by hour, creative, arm, interest): its rows, and for
 * each creative and arm its total over interests (interest "*"), and for each arm its total
 * over creatives (creative "*", interest "*"). Each total counts as one observation per
 * report, so the between-report variance of the totals is right too.
 *
 * @example
 * const cells = new Map();
 * for (const report of batch) addReport(cells, report, hourOf(Date.now()));
 */
export function addReport(cells: Map<string, Cell>, report: Report, hour: number): void {
  // The variance of the noise in one count: Laplace(3/ε) has variance 2·(3/ε)².
  const noise = report.epsilon === null ? 0 : 2 * (REPORT_SENSITIVITY / report.epsilon) ** 2;
  const totals = new Map<string, { creative: string; arm: Arm; interest: string; sum: Counts; rows: number }>();
  const addTo = (creative: string, arm: Arm, interest: string, counts: Counts): void => {
    const key = `${creative}\u0000${arm}\u0000${interest}`;
    const total = totals.get(key) ?? { creative, arm, interest, sum: { impressions: 0, clicks: 0, conversions: 0 }, rows: 0 };
    total.sum.impressions += counts.impressions;
    total.sum.clicks += counts.clicks;
    total.sum.conversions += counts.conversions;
    total.rows += 1;
    totals.set(key, total);
  };
  for (const row of report.rows) {
    addObservation(cells, { hour, creative: row.creative, arm: row.arm, interest: row.interest }, row, noise);
    addTo(row.creative, row.arm, ALL, row);
    addTo(ALL, row.arm, ALL, row);
  }
  for (const total of totals.values()) {
    addObservation(cells, { hour, creative: total.creative, arm: total.arm, interest: total.interest }, total.sum, noise * total.rows);
  }
}

interface Counts {
  impressions: number;
  clicks: number;
  conversions: number;
}

function addObservation(
  cells: Map<string, Cell>,
  where: Pick<Cell, 'hour' | 'creative' | 'arm' | 'interest'>,
  { impressions, clicks, conversions }: Counts,
  noiseVar: number,
): void {
  const key = `${where.hour}\u0000${where.creative}\u0000${where.arm}\u0000${where.interest}`;
  let cell = cells.get(key);
  if (!cell) {
    cell = { ...where, reports: 0, impressions: 0, clicks: 0, conversions: 0, impressionsSq: 0, clicksSq: 0, conversionsSq: 0,
      impressionsClicks: 0, impressionsConversions: 0, noiseVar: 0 };
    cells.set(key, cell);
  }
  cell.reports += 1;
  cell.impressions += impressions;
  cell.clicks += clicks;
  cell.conversions += conversions;
  cell.impressionsSq += impressions * impressions;
  cell.clicksSq += clicks * clicks;
  cell.conversionsSq += conversions * conversions;
  cell.impressionsClicks += impressions * clicks;
  cell.impressionsConversions += impressions * conversions;
  cell.noiseVar += noiseVar;
}
