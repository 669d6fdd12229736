import { deleteDB } from 'idb';

/**
 * Deletes the event database, if IndexedDB exists at all. Never rejects.
 *
 * @example
 * await deleteEventDatabase('precis');
 */
export async function deleteEventDatabase(name: string): Promise<void> {
  if (typeof indexedDB === 'undefined' || indexedDB === null) return;
  try {
    await deleteDB(name);
  } catch {
    // Nothing to delete, or IndexedDB is broken: either way nothing of ours is readable.
  }
}
