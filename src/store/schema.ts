import type { DBSchema, IDBPDatabase } from 'idb';
import type { PrecisEvent } from '../capture/event';

/**
 * The IndexedDB schema. Bump DB_VERSION and add a step to `upgradeSchema` for every
 * change; never edit a step that has shipped.
 */
export interface PrecisDB extends DBSchema {
  events: {
    key: number;
    value: PrecisEvent;
    indexes: { time: number };
  };
}

export const DB_VERSION = 1;

/**
 * Brings a database from `oldVersion` up to DB_VERSION, one step per version.
 *
 * @example
 * openDB<PrecisDB>('precis', DB_VERSION, { upgrade: (db, old) => upgradeSchema(db, old) });
 */
export function upgradeSchema(db: IDBPDatabase<PrecisDB>, oldVersion: number): void {
  if (oldVersion < 1) {
    const events = db.createObjectStore('events', { autoIncrement: true });
    events.createIndex('time', 'time');
  }
}
