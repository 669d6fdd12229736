import type { TrackInput } from './event';
import { watchProductViews } from './product-watch';

export const ITEM_ATTRIBUTE = 'data-precis-item';
export const CATEGORY_ATTRIBUTE = 'data-precis-category';

/**
 * Records what a visitor does without any code from the site: a page view now and on
 * every SPA route change (`history.pushState`/`replaceState` to a new path, `popstate`),
 * a product `view` whenever the page's structured data shows a product (JSON-LD,
 * microdata or Open Graph; see `watchProductViews`), and a `click` on any element inside
 * `[data-precis-item]`. Returns the function that stops it all and puts `history` back.
 *
 * @example
 * const stop = startAutoCapture(window, (event) => personalizer.track(event));
 */
export function startAutoCapture(win: Window, track: (event: TrackInput) => void): () => void {
  const doc = win.document;
  let lastPath = win.location.pathname;
  track({ type: 'page_view', url: lastPath });
  const products = watchProductViews(win, track);

  const onRoute = (): void => {
    products.recheck(); // a new query string can select another variant
    if (win.location.pathname === lastPath) return;
    lastPath = win.location.pathname;
    track({ type: 'page_view', url: lastPath });
  };
  const onClick = (event: Event): void => {
    const target = event.target instanceof Element ? event.target.closest(`[${ITEM_ATTRIBUTE}]`) : null;
    const item = target?.getAttribute(ITEM_ATTRIBUTE);
    if (!target || !item) return;
    const click: TrackInput = { type: 'click', item };
    const category = target.getAttribute(CATEGORY_ATTRIBUTE);
    if (category) click.category = category;
    track(click);
  };

  const history = win.history;
  const originals = { pushState: history.pushState, replaceState: history.replaceState };
  const wrap = (original: History['pushState']): History['pushState'] =>
    function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      onRoute();
      return result;
    };
  const wrapped = { pushState: wrap(originals.pushState), replaceState: wrap(originals.replaceState) };
  history.pushState = wrapped.pushState;
  history.replaceState = wrapped.replaceState;
  win.addEventListener('popstate', onRoute);
  doc.addEventListener('click', onClick, true);

  return () => {
    products.stop();
    win.removeEventListener('popstate', onRoute);
    doc.removeEventListener('click', onClick, true);
    // Only put history back if nobody wrapped it after us; otherwise theirs would be lost.
    if (history.pushState === wrapped.pushState) history.pushState = originals.pushState;
    if (history.replaceState === wrapped.replaceState) history.replaceState = originals.replaceState;
  };
}
