import { SUM_COLUMNS, type Cell } from './cells.js';

/** A cell summed over its hours: what the estimates read. */
export type Total = Omit<Cell, 'hour'>;
/** The counts of one creative and arm on one day (days since the epoch), over all interests. */
export interface DailyCounts {
  day: number;
  creative: string;
  arm: Cell['arm'];
  impressions: number;
  clicks: number;
  conversions: number;
}

/** Where the collector keeps the cells: SQLite (embedded) or PostgreSQL (several collectors). */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Adds the cells and the report counts per hour in one transaction; resolves once durable. */
  write(cells: Cell[], reportsByHour: Map<number, number>): Promise<void>;
  /** Every cell summed over hours. */
  readTotals(): Promise<Total[]>;
  /** Per day, creative and arm, over all interests (the time series). */
  readDaily(): Promise<DailyCounts[]>;
  /** How many reports are stored. */
  countReports(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The schema, one migration per entry, applied in order and recorded in
 * `precis_migrations`. The same SQL runs on SQLite and PostgreSQL (SQLite reads BIGINT and
 * DOUBLE PRECISION as its INTEGER and REAL). Never edit an entry: append one.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string[] }> = [
  {
    version: 1,
    name: 'report cells and report hours',
    sql: [
      `CREATE TABLE report_cells (
        hour BIGINT NOT NULL, creative TEXT NOT NULL, arm TEXT NOT NULL, interest TEXT NOT NULL,
        reports BIGINT NOT NULL, impressions DOUBLE PRECISION NOT NULL, clicks DOUBLE PRECISION NOT NULL,
        conversions DOUBLE PRECISION NOT NULL, impressions_sq DOUBLE PRECISION NOT NULL, clicks_sq DOUBLE PRECISION NOT NULL,
        conversions_sq DOUBLE PRECISION NOT NULL, impressions_clicks DOUBLE PRECISION NOT NULL,
        impressions_conversions DOUBLE PRECISION NOT NULL, noise_var DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (hour, creative, arm, interest))`,
      'CREATE TABLE report_hours (hour BIGINT PRIMARY KEY, reports BIGINT NOT NULL)',
    ],
  },
];

/** The table of applied migrations. */
export const MIGRATIONS_TABLE_SQL = 'CREATE TABLE IF NOT EXISTS precis_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)';

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const KEY_COLUMNS = ['hour', 'creative', 'arm', 'interest'] as const;
/** The cell's columns in write order. */
export const CELL_COLUMNS = [...KEY_COLUMNS, ...SUM_COLUMNS] as const;

/**
 * The upsert of `rows` cells, with placeholders from `placeholder(i)` (`?` or `$i`): the
 * same statement shape on both databases.
 *
 * @example
 * upsertCellsSql(1, () => '?');
 */
export function upsertCellsSql(rows: number, placeholder: (index: number) => string): string {
  const width = CELL_COLUMNS.length;
  const values = Array.from({ length: rows }, (_, row) =>
    `(${CELL_COLUMNS.map((_, column) => placeholder(row * width + column + 1)).join(', ')})`).join(', ');
  const sums = SUM_COLUMNS.map((column) => `${snake(column)} = report_cells.${snake(column)} + excluded.${snake(column)}`);
  return `INSERT INTO report_cells (${CELL_COLUMNS.map(snake).join(', ')}) VALUES ${values}
    ON CONFLICT (hour, creative, arm, interest) DO UPDATE SET ${sums.join(', ')}`;
}

/**
 * The upsert of one hour's report count.
 *
 * @example
 * upsertHourSql('?', '?');
 */
export function upsertHourSql(hour: string, reports: string): string {
  return `INSERT INTO report_hours (hour, reports) VALUES (${hour}, ${reports})
    ON CONFLICT (hour) DO UPDATE SET reports = report_hours.reports + excluded.reports`;
}

/**
 * A cell's values in CELL_COLUMNS order.
 *
 * @example
 * db.run(sql, cellValues(cell));
 */
export function cellValues(cell: Cell): Array<string | number> {
  return CELL_COLUMNS.map((column) => cell[column]);
}

/** Every cell summed over hours (numbers come back as strings from PostgreSQL: see `toTotal`). */
export const READ_TOTALS_SQL = `SELECT creative, arm, interest, ${SUM_COLUMNS.map((c) => `SUM(${snake(c)}) AS ${snake(c)}`).join(', ')}
  FROM report_cells GROUP BY creative, arm, interest`;
/** The daily series: every creative's total over interests. */
export const READ_DAILY_SQL = `SELECT hour / 24 AS day, creative, arm, SUM(impressions) AS impressions, SUM(clicks) AS clicks,
  SUM(conversions) AS conversions FROM report_cells WHERE interest = '*' AND creative <> '*' GROUP BY hour / 24, creative, arm
  ORDER BY day`;
/** How many reports are stored. */
export const COUNT_REPORTS_SQL = 'SELECT COALESCE(SUM(reports), 0) AS reports FROM report_hours';

/**
 * A row of READ_TOTALS_SQL as a Total (PostgreSQL returns sums as strings).
 *
 * @example
 * rows.map(toTotal);
 */
export function toTotal(row: Record<string, unknown>): Total {
  const total = { creative: String(row.creative), arm: row.arm as Total['arm'], interest: String(row.interest) } as Total;
  for (const column of SUM_COLUMNS) total[column] = Number(row[snake(column)]);
  return total;
}

/**
 * A row of READ_DAILY_SQL as DailyCounts.
 *
 * @example
 * rows.map(toDaily);
 */
export function toDaily(row: Record<string, unknown>): DailyCounts {
  return {
    day: Number(row.day), creative: String(row.creative), arm: row.arm as DailyCounts['arm'],
    impressions: Number(row.impressions), clicks: Number(row.clicks), conversions: Number(row.conversions),
  };
}
