import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/**
 * Opens the store a `--db` value names: a `postgres://` (or `postgresql://`) URL, else a
 * SQLite file path.
 *
 * @example
 * const store = await openStore('./precis.sqlite');
 */
export async function openStore(db: string): Promise<Store> {
  return /^postgres(ql)?:\/\//i.test(db) ? openPostgresStore(db) : openSqliteStore(db);
}
