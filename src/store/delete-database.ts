import { settle } from './idb-requests';

/**
 * Deletes the event database, if IndexedDB exists at all. Never rejects.
 *
 * @example
 * await deleteEventDatabase('precis');
 */
export async function deleteEventDatabase(name: string): Promise<void> {
  try {
    await settle(indexedDB.deleteDatabase(name));
  } catch {
    // No IndexedDB, nothing to delete, or IndexedDB is broken: either way nothing of ours is readable.
  }
}
