import { DEFAULTS } from '../core/defaults';
import { readNumber, startFirstPaint, type FirstPaint, type ReadOption } from '../render/first-paint';
import type { PrecisGlobal, QueuedCallback } from './loader-types';

// The script-tag entry, kept under 3 KB gzip: it reads the options, puts the decisions
// made on the visitor's last page into the slots before the first paint (or hides the
// slots that will be decided now), and loads the SDK's core (`precis-core.js`, next to
// this file) as a module. `window.precis = window.precis || []; precis.push(fn)` works
// before and after; a second copy of the script finds `loaded` and does nothing.
(() => {
  const existing = window.precis;
  if ((existing as PrecisGlobal | undefined)?.loaded) return;
  const queued: QueuedCallback[] = Array.isArray(existing) ? existing : [];
  window.precis = { push: (callback: QueuedCallback) => void queued.push(callback), loaded: true };
  const script = document.currentScript as HTMLScriptElement | null;
  let first: FirstPaint | undefined;
  try {
    // Only what the first paint needs, read the way `readConfig` reads it (attributes win;
    // a `precisConfig` that is not an object has none of these keys); the core reads and
    // validates every option, and reports bad ones.
    const option: ReadOption = (key) => script?.dataset[key] ?? (window.precisConfig as Record<string, unknown> | undefined)?.[key];
    first = startFirstPaint(window, option, Date.now());
    // The catalog is requested now, not once the core has loaded: a first visit's slots wait for it.
    const catalog = option('catalog');
    if (typeof catalog === 'string') {
      // credentials: 'same-origin', fetch's default, as the core's own request.
      const response = fetch(catalog, { signal: AbortSignal.timeout(readNumber(option, 'catalogTimeoutMs', DEFAULTS.catalogTimeoutMs)) });
      response.catch(() => {}); // the core reports a failure
      first.catalog = { url: catalog, response };
    }
  } catch {
    // The core starts without a first paint of its own: slots keep their defaults until decided.
  }
  const core = new URL('./precis-core.js', script?.src || location.href).href;
  import(core).then(
    (loaded: { start: typeof import('./core').start }) => loaded.start(script, first, queued),
    () => {
      // The core did not load (network, CSP): every slot shows its default.
      const slots = first?.slots;
      slots?.stop();
      slots?.states.forEach((_, slot) => slots.reveal(slot));
    },
  );
})();
