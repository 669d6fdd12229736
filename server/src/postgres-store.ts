import pg from 'pg';
import type { Cell } from './cells.js';
import {
  CELL_COLUMNS, COUNT_REPORTS_SQL, MIGRATIONS, MIGRATIONS_TABLE_SQL, READ_DAILY_SQL, READ_TOTALS_SQL, cellValues, toDaily,
  toTotal, upsertCellsSql, upsertHourSql, type Store,
} from './store.js';

/** Cells per INSERT statement (PostgreSQL takes at most 65,535 parameters). */
const CELLS_PER_STATEMENT = 1000;
/** The advisory lock that makes collectors starting together migrate one at a time. */
const MIGRATION_LOCK = 1_414_014;

/**
 * Connects to PostgreSQL and brings the schema up to date. Several collectors may share
 * the database: writes add to the cells (upserts in a fixed key order, so no deadlocks).
 *
 * @example
 * const store = await openPostgresStore('postgres://precis@127.0.0.1:5432/precis');
 */
export async function openPostgresStore(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client's error (the server restarted) must not crash the collector; the next query reconnects.
  pool.on('error', () => {});
  try {
    await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(MIGRATIONS_TABLE_SQL);
      const applied = new Set((await client.query('SELECT version FROM precis_migrations')).rows.map((r) => Number(r.version)));
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        for (const statement of migration.sql) await client.query(statement);
        await client.query('INSERT INTO precis_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      }
    });
  } catch (error) {
    await pool.end();
    throw error;
  }
  const number = (index: number): string => `$${index}`;
  return {
    kind: 'postgres',
    async write(cells, reportsByHour) {
      const sorted = [...cells].sort(compareKeys);
      await inTransaction(pool, async (client) => {
        for (let start = 0; start < sorted.length; start += CELLS_PER_STATEMENT) {
          const chunk = sorted.slice(start, start + CELLS_PER_STATEMENT);
          await client.query(upsertCellsSql(chunk.length, number), chunk.flatMap(cellValues));
        }
        for (const hour of [...reportsByHour.keys()].sort((a, b) => a - b)) {
          await client.query(upsertHourSql('$1', '$2'), [hour, reportsByHour.get(hour)]);
        }
      });
    },
    async readTotals() {
      return (await pool.query(READ_TOTALS_SQL)).rows.map(toTotal);
    },
    async readDaily() {
      return (await pool.query(READ_DAILY_SQL)).rows.map(toDaily);
    },
    async countReports() {
      return Number((await pool.query(COUNT_REPORTS_SQL)).rows[0].reports);
    },
    async close() {
      await pool.end();
    },
  };
}

async function inTransaction(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

function compareKeys(a: Cell, b: Cell): number {
  for (const column of CELL_COLUMNS.slice(0, 4) as Array<'hour' | 'creative' | 'arm' | 'interest'>) {
    const x = a[column];
    const y = b[column];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
