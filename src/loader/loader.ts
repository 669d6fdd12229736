import { createClient } from '../client';
import { guardSync } from '../core/guard';
import type { QueuedCallback } from './loader-types';
import { readConfig } from './read-config';

// The script-tag entry. `window.precis = window.precis || []; precis.push(fn)` works
// before and after this runs; a second copy of the script finds `loaded` and does nothing.
(() => {
  const existing = window.precis;
  if (existing && !Array.isArray(existing) && existing.loaded) return;
  const queued = Array.isArray(existing) ? existing : [];
  const { personalizer, report } = createClient(readConfig(document.currentScript, window.precisConfig));
  // A site's own callback that throws is reported as a `callback` error, never to the page.
  const run = guardSync((callback: QueuedCallback) => callback(personalizer), undefined, report, 'callback');
  window.precis = { push: run, loaded: true };
  for (const callback of queued) run(callback);
})();
