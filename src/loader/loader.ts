import { DEFAULTS } from '../client/defaults';
import { startFirstPaint, type FirstPaint } from '../client/first-paint';
import type { QueuedCallback } from './loader-types';

// The script-tag entry, kept under 3 KB gzip: it reads the options, puts the decisions
// made on the visitor's last page into the slots before the first paint (or hides the
// slots that will be decided now), and loads the SDK's core (`precis-core.js`, next to
// this file) as a module. `window.precis = window.precis || []; precis.push(fn)` works
// before and after; a second copy of the script finds `loaded` and does nothing.
(() => {
  const existing = window.precis;
  if (existing && !Array.isArray(existing) && existing.loaded) return;
  const queued: QueuedCallback[] = Array.isArray(existing) ? existing : [];
  window.precis = { push: (callback: QueuedCallback) => void queued.push(callback), loaded: true };
  const script = document.currentScript as HTMLScriptElement | null;
  let first: FirstPaint | undefined;
  try {
    // Only what the first paint needs, read the way `readConfig` reads it (attributes win);
    // the core reads and validates every option, and reports bad ones.
    const base = (typeof window.precisConfig === 'object' && window.precisConfig) || {};
    const data = script?.dataset ?? {};
    const option = (key: string): unknown => data[key] ?? (base as Record<string, unknown>)[key];
    const number = (value: unknown, fallback: number): number => {
      const n = typeof value === 'string' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : fallback;
    };
    const hosts = option('linkHosts');
    first = startFirstPaint(window, {
      dbName: String(option('dbName') || DEFAULTS.dbName),
      defaultConsent: option('defaultConsent') === 'deny' ? 'deny' : DEFAULTS.defaultConsent,
      holdout: number(option('holdout'), DEFAULTS.holdout),
      hideTimeoutMs: number(option('hideTimeoutMs'), DEFAULTS.hideTimeoutMs),
      linkHosts: typeof hosts === 'string' ? hosts.split(/[\s,]+/).filter(Boolean) : Array.isArray(hosts) ? hosts : undefined,
      hasCatalog: option('catalog') !== undefined,
      now: Date.now(),
    });
    // The catalog is requested now, not once the core has loaded: a first visit's slots wait for it.
    const catalog = option('catalog');
    if (typeof catalog === 'string') {
      const signal = AbortSignal.timeout(number(option('catalogTimeoutMs'), DEFAULTS.catalogTimeoutMs));
      first.catalog = { url: catalog, response: fetch(catalog, { credentials: 'same-origin', signal }) };
      first.catalog.response.catch(() => {}); // the core reports a failure
    }
  } catch {
    // The core starts without a first paint of its own: slots keep their defaults until decided.
  }
  const core = new URL('./precis-core.js', script?.src || location.href).href;
  import(core).then(
    (loaded: { start: typeof import('./core').start }) => loaded.start(script, first, queued),
    () => {
      // The core did not load (network, CSP): every slot shows its default.
      first?.slots?.stop();
      first?.slots?.states.forEach((_, slot) => first?.slots?.reveal(slot));
    },
  );
})();
