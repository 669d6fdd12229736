import { createClient } from '../client/create-client';
import { guardSync } from '../core/guard';
import type { FirstPaint } from '../render/first-paint';
import { startSlotStates } from '../render/slot-states';
import type { QueuedCallback } from './loader-types';
import { readConfig } from './read-config';

/**
 * The script tag's second step, in `precis-core.js`: reads the options (the tag's `data-*`
 * attributes over `window.precisConfig`), starts the personalizer on the slots the first
 * paint prepared (the core has no first paint of its own), then runs the site's queued
 * callbacks (and later ones).
 *
 * @example
 * (await import('./precis-core.js')).start(document.currentScript, firstPaint, queued);
 */
export function start(script: HTMLOrSVGScriptElement | null, first: FirstPaint | undefined, queued: QueuedCallback[]): void {
  const { personalizer, report } = createClient(readConfig(script, window.precisConfig), (win) => first ?? withoutFirstPaint(win));
  // A site's own callback that throws is reported as a `callback` error, never to the page.
  const run = guardSync((callback: QueuedCallback) => callback(personalizer), undefined, report, 'callback');
  window.precis = { push: run, loaded: true };
  for (const callback of queued.splice(0)) run(callback);
}

/**
 * When the script tag's first paint failed: the core takes the slots over as they are,
 * defaults showing (hiding them now would flicker), and decides them as they come near;
 * when that fails too, the slots keep their defaults. The visitor the last page saved is
 * read by the client (see `createSavedVisitorAdopter`).
 */
function withoutFirstPaint(win: Window | undefined): FirstPaint {
  try {
    const slots = win && typeof IntersectionObserver === 'function'
      ? startSlotStates(win.document, { cached: new Map(), hide: false, hideTimeoutMs: 0 })
      : undefined;
    return { slots, saved: undefined };
  } catch {
    return { slots: undefined, saved: undefined };
  }
}
