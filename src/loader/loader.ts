import { createClient, type Personalizer } from '../client';
import { guardSync } from '../core/guard';
import { readConfig } from './read-config';

/** A callback queued with `precis.push(fn)`; it gets the personalizer. */
type QueuedCallback = (api: Personalizer) => void;

interface PrecisGlobal {
  push(callback: QueuedCallback): void;
  readonly loaded: true;
}

declare global {
  interface Window {
    precis?: PrecisGlobal | QueuedCallback[];
    precisConfig?: unknown;
  }
}

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
