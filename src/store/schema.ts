import type { PrecisEvent } from '../capture/event';
import type { Exposure } from '../measure/exposure';

/**
 * The IndexedDB schema: one object store per log, each with a `time` index. Bump
 * DB_VERSION and add a step to `upgradeSchema` for every change; never edit a step that
 * has shipped.
 */
export interface LogRecord {
  events: PrecisEvent;
  /** Creatives shown, clicked or dismissed: what measurement, caps and the bandit read. */
  exposures: Exposure;
}

/** The object stores that hold a log ordered by time. */
export type LogName = keyof LogRecord;

export const DB_VERSION = 2;

/**
 * Brings a database from `oldVersion` up to DB_VERSION, one step per version.
 *
 * @example
 * request.onupgradeneeded = (event) => upgradeSchema(request.result, event.oldVersion);
 */
export function upgradeSchema(db: IDBDatabase, oldVersion: number): void {
  if (oldVersion < 1) {
    const events = db.createObjectStore('events', { autoIncrement: true });
    events.createIndex('time', 'time');
  }
  if (oldVersion < 2) {
    const exposures = db.createObjectStore('exposures', { autoIncrement: true });
    exposures.createIndex('time', 'time');
  }
}
