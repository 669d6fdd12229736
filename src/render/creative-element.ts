import type { Creative } from '../decide/catalog';
import { cleanTitle, isSafeUrl, MAX_TITLE_LENGTH } from '../decide/safe-content';

/**
 * Builds a creative's DOM with DOM APIs only: text goes through `textContent`, URLs are
 * set only when http(s) or relative (and, with `allowedHosts`, on one of those hosts),
 * checked again here whatever the catalog said, and no catalog string is ever parsed as
 * HTML. The title is cleaned of bidi overrides and control characters (`cleanTitle`)
 * and gets `dir="auto"`, which isolates it: right-to-left copy reads correctly and
 * cannot reorder the text around the slot.
 *
 * @example
 * slot.replaceChildren(createCreativeElement(doc, creative));
 * slot.replaceChildren(createCreativeElement(doc, creative, ['cdn.shop.example']));
 */
export function createCreativeElement(doc: Document, creative: Creative, allowedHosts?: readonly string[]): HTMLElement {
  const url = readSafeUrl(creative, 'url', allowedHosts);
  const image = readSafeUrl(creative, 'image', allowedHosts);
  const root = doc.createElement(url === undefined ? 'div' : 'a');
  root.className = 'precis-creative';
  if (url !== undefined) (root as HTMLAnchorElement).href = url;
  if (image !== undefined) root.append(createImage(doc, image));
  root.append(createTitle(doc, creative.title));
  return root;
}

// Own properties only: on a page whose Object.prototype was polluted by someone else,
// a creative without a url must not inherit one.
function readSafeUrl(creative: Creative, field: 'url' | 'image', allowedHosts?: readonly string[]): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(creative, field)) return undefined;
  const value = creative[field];
  return typeof value === 'string' && isSafeUrl(value, allowedHosts) ? value : undefined;
}

function createImage(doc: Document, src: string): HTMLImageElement {
  const image = doc.createElement('img');
  image.className = 'precis-creative__image';
  image.src = src;
  image.alt = '';
  image.decoding = 'async';
  return image;
}

// A creative built by hand (not through parseCatalog) may carry any title: it is cut to
// the catalog's limit so a megabyte string cannot stall layout.
function createTitle(doc: Document, text: string): HTMLSpanElement {
  const title = doc.createElement('span');
  title.className = 'precis-creative__title';
  title.dir = 'auto';
  title.textContent = cleanTitle(String(text).slice(0, MAX_TITLE_LENGTH));
  return title;
}
