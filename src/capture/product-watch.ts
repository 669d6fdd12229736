import type { TrackInput } from './event';
import { readJsonLdTexts, readPageContext, readPageProductView } from './page-product';

/** Mutations within this many ms are read as one change (a framework swaps a script out and in). */
const SETTLE_MS = 50;

/**
 * The handle `watchProductViews` returns.
 *
 * @example
 * addEventListener('popstate', () => watch.recheck());
 */
export interface ProductWatch {
  /** Reads the page again soon (after a route change). */
  recheck(): void;
  /** Stops watching. */
  stop(): void;
}

/**
 * Tracks a product `view` for the product the page describes, now and whenever its
 * structured data or URL changes (single-page shops replace the JSON-LD script on a route
 * change). The same product is one view until the page shows another product or none.
 * Work is only done when the JSON-LD text or the URL changed.
 *
 * @example
 * const watch = watchProductViews(window, (view) => personalizer.track(view));
 * watch.stop();
 */
export function watchProductViews(win: Window, track: (view: TrackInput) => void): ProductWatch {
  const doc = win.document;
  let lastItem: string | undefined;
  let lastSeen: string[] = [];
  let lastUrl = '';
  let timer: number | undefined;

  const check = (): void => {
    timer = undefined;
    try {
      const texts = readJsonLdTexts(doc);
      const url = win.location.href;
      if (url === lastUrl && texts.length === lastSeen.length && texts.every((text, i) => text === lastSeen[i])) return;
      [lastSeen, lastUrl] = [texts, url];
      const view = readPageProductView(doc, readPageContext(win), texts);
      const item = view === undefined ? undefined : String(view.item);
      if (view && item !== lastItem) track(view);
      lastItem = item;
    } catch {
      // Reading never throws by design; if it ever did, this page simply has no product view.
    }
  };
  const recheck = (): void => {
    if (timer === undefined) timer = win.setTimeout(check, SETTLE_MS);
  };
  const Observer = (win as Window & typeof globalThis).MutationObserver;
  const observer = typeof Observer === 'function' ? new Observer(recheck) : undefined;
  observer?.observe(doc, { childList: true, subtree: true, characterData: true });
  check();

  return {
    recheck,
    stop: () => {
      observer?.disconnect();
      if (timer !== undefined) win.clearTimeout(timer);
      timer = undefined;
    },
  };
}
