import Database from 'better-sqlite3';
import type { Cell } from './cells.js';
import {
  COUNT_REPORTS_SQL, MIGRATIONS, MIGRATIONS_TABLE_SQL, READ_DAILY_SQL, READ_TOTALS_SQL, cellValues, toDaily, toTotal,
  upsertCellsSql, upsertHourSql, type Store,
} from './store.js';

/**
 * Opens (creating if needed) a SQLite database file and brings its schema up to date.
 * WAL with `synchronous = FULL`: a commit is on disk when `write` resolves.
 *
 * @example
 * const store = openSqliteStore('./precis.sqlite');
 */
export function openSqliteStore(file: string): Store {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  const upsertCell = db.prepare(upsertCellsSql(1, () => '?'));
  const upsertHour = db.prepare(upsertHourSql('?', '?'));
  const writeAll = db.transaction((cells: Cell[], reportsByHour: Map<number, number>) => {
    for (const cell of cells) upsertCell.run(cellValues(cell));
    for (const [hour, reports] of reportsByHour) upsertHour.run(hour, reports);
  });
  const readTotals = db.prepare(READ_TOTALS_SQL);
  const readDaily = db.prepare(READ_DAILY_SQL);
  const countReports = db.prepare(COUNT_REPORTS_SQL);
  return {
    kind: 'sqlite',
    async write(cells, reportsByHour) {
      writeAll.immediate(cells, reportsByHour);
    },
    async readTotals() {
      return (readTotals.all() as Array<Record<string, unknown>>).map(toTotal);
    },
    async readDaily() {
      return (readDaily.all() as Array<Record<string, unknown>>).map(toDaily);
    },
    async countReports() {
      return Number((countReports.get() as { reports: number }).reports);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

function migrate(db: Database.Database): void {
  db.transaction(() => {
    db.exec(MIGRATIONS_TABLE_SQL);
    const applied = new Set((db.prepare('SELECT version FROM precis_migrations').all() as Array<{ version: number }>).map((r) => r.version));
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.sql) db.exec(statement);
      db.prepare('INSERT INTO precis_migrations (version, name) VALUES (?, ?)').run(migration.version, migration.name);
    }
  }).immediate();
}
