import type { DBSchema, IDBPDatabase } from 'idb';
import type { PrecisEvent } from '../capture/event';
import type { Exposure } from '../measure/exposure';

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
  /** Creatives shown, clicked or dismissed: what measurement, caps and the bandit read. */
  exposures: {
    key: number;
    value: Exposure;
    indexes: { time: number };
  };
}

/** The object stores that hold a log ordered by time. */
export type LogName = 'events' | 'exposures';

/** What each log holds. */
export interface LogRecord {
  events: PrecisEvent;
  exposures: Exposure;
}

export const DB_VERSION = 2;

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
  if (oldVersion < 2) {
    const exposures = db.createObjectStore('exposures', { autoIncrement: true });
    exposures.createIndex('time', 'time');
  }
}
