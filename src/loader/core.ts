import { createClient } from '../client/create-client';
import { guardSync } from '../core/guard';
import type { FirstPaint } from '../render/first-paint';
import type { QueuedCallback } from './loader-types';
import { readConfig } from './read-config';

/**
 * The script tag's second step, in `precis-core.js`: reads the options (the tag's `data-*`
 * attributes over `window.precisConfig`), starts the personalizer on the slots the first
 * paint prepared, then runs the site's queued callbacks (and later ones).
 *
 * @example
 * (await import('./precis-core.js')).start(document.currentScript, firstPaint, queued);
 */
export function start(script: HTMLOrSVGScriptElement | null, first: FirstPaint | undefined, queued: QueuedCallback[]): void {
  const { personalizer, report } = createClient(readConfig(script, window.precisConfig), first);
  // A site's own callback that throws is reported as a `callback` error, never to the page.
  const run = guardSync((callback: QueuedCallback) => callback(personalizer), undefined, report, 'callback');
  window.precis = { push: run, loaded: true };
  for (const callback of queued.splice(0)) run(callback);
}
