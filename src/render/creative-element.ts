import type { Creative } from '../decide/catalog';
import { isSafeUrl } from '../decide/catalog';

/**
 * Builds a creative's DOM with DOM APIs only: text goes through `textContent`, URLs are
 * set only when http(s) or relative (checked again here, whatever the catalog said), and
 * no catalog string is ever parsed as HTML.
 *
 * @example
 * slot.replaceChildren(createCreativeElement(doc, creative));
 */
export function createCreativeElement(doc: Document, creative: Creative): HTMLElement {
  const link = creative.url !== undefined && isSafeUrl(creative.url);
  const root = doc.createElement(link ? 'a' : 'div');
  root.className = 'precis-creative';
  if (link) (root as HTMLAnchorElement).href = creative.url!;
  if (creative.image !== undefined && isSafeUrl(creative.image)) {
    const image = doc.createElement('img');
    image.className = 'precis-creative__image';
    image.src = creative.image;
    image.alt = '';
    image.decoding = 'async';
    root.append(image);
  }
  const title = doc.createElement('span');
  title.className = 'precis-creative__title';
  title.textContent = creative.title;
  root.append(title);
  return root;
}
