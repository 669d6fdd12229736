import { expect, type Page } from '@playwright/test';
import type { Personalizer } from '../../src/index';
import '../../src/loader/loader-types';

declare global {
  // The personalizer, exposed by `attach()` for the tests' page.evaluate calls.
  var api: Personalizer;
}

/** A small catalog: two house ads and one per category, for both test slots. */
export const TEST_CATALOG = {
  creatives: [
    { id: 'house', slots: ['hero', 'side'], title: 'House ad', weight: 1.5, url: '/' },
    { id: 'house-2', slots: ['hero', 'side'], title: 'Second house ad', weight: 1.4 },
    { id: 'rpg-week', slots: ['hero', 'side'], title: 'RPG week', targets: { categories: ['rpg'] } },
    { id: 'racing-week', slots: ['hero', 'side'], title: 'Racing week', targets: { categories: ['racing'] } },
    { id: 'racing-pick', slots: ['hero', 'side'], title: 'Racing pick', targets: { items: ['r1'], categories: ['racing'] }, weight: 0.9 },
  ],
};

/**
 * Sets `window.precisConfig` before any script of the page runs. Decisions are made
 * deterministic (no exploration, no control group) unless the test says otherwise.
 */
export async function configure(page: Page, config: Record<string, unknown>): Promise<void> {
  await page.addInitScript((c) => {
    (window as unknown as { precisConfig: unknown }).precisConfig = c;
  }, { explore: false, holdout: 0, ...config });
}

/** Collects uncaught page errors and `error` events from Precis. */
export function watchErrors(page: Page): { uncaught: string[] } {
  const uncaught: string[] = [];
  page.on('pageerror', (error) => uncaught.push(error.message));
  return { uncaught };
}

/**
 * Waits until Precis is ready (through the command queue, as a site would) and exposes
 * the personalizer as `window.api` for the test's `page.evaluate` calls.
 */
export async function attach(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        window.precis = window.precis ?? [];
        window.precis.push((api) => {
          globalThis.api = api;
          void api.ready.then(resolve);
        });
      }),
  );
}

/** Reads every event stored in the page's IndexedDB database. */
export async function storedEvents(page: Page, dbName = 'precis'): Promise<Array<Record<string, unknown>>> {
  return page.evaluate(
    (name) =>
      new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains('events')) {
            db.close();
            resolve([]);
            return;
          }
          const all = db.transaction('events').objectStore('events').index('time').getAll();
          all.onsuccess = () => {
            db.close();
            resolve(all.result);
          };
          all.onerror = () => reject(all.error);
        };
        request.onerror = () => reject(request.error);
      }),
    dbName,
  );
}

/** The creative id each slot shows, by slot name (null: default content). */
export async function slotCreatives(page: Page): Promise<Record<string, string | null>> {
  return page.$$eval('[data-precis-slot]', (slots) =>
    Object.fromEntries(slots.map((s) => [s.getAttribute('data-precis-slot'), s.getAttribute('data-precis-creative')])),
  );
}

export function expectNoUncaught(errors: { uncaught: string[] }): void {
  expect(errors.uncaught).toEqual([]);
}
