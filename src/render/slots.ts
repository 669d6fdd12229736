import type { Creative } from '../decide/catalog';
import { createCreativeElement } from './creative-element';

export const SLOT_ATTRIBUTE = 'data-precis-slot';
export const CREATIVE_ATTRIBUTE = 'data-precis-creative';

/** What a slot looked like before Precis touched it, to put back on `restoreSlot`. */
interface SlotDefault {
  children: Node[];
  height: string;
  overflow: string;
}

// Kept on the element under a registered symbol, not in a module-level map: the script
// tag's loader and its core are separate bundles, and the core must restore what the
// loader's first paint replaced.
const DEFAULT_KEY = Symbol.for('precis.slot-default');
type SlotElement = HTMLElement & { [DEFAULT_KEY]?: SlotDefault };
const defaults = {
  has: (slot: HTMLElement): boolean => (slot as SlotElement)[DEFAULT_KEY] !== undefined,
  get: (slot: HTMLElement): SlotDefault | undefined => (slot as SlotElement)[DEFAULT_KEY],
  set: (slot: HTMLElement, saved: SlotDefault): void => void ((slot as SlotElement)[DEFAULT_KEY] = saved),
  delete: (slot: HTMLElement): void => void delete (slot as SlotElement)[DEFAULT_KEY],
};

/**
 * The page's slots in document order, optionally only those inside `root`.
 *
 * @example
 * findSlots(document).map((el) => el.getAttribute('data-precis-slot'));
 */
export function findSlots(root: ParentNode): HTMLElement[] {
  const found: HTMLElement[] = [];
  if (root instanceof HTMLElement && root.hasAttribute(SLOT_ATTRIBUTE)) found.push(root);
  found.push(...root.querySelectorAll<HTMLElement>(`[${SLOT_ATTRIBUTE}]`));
  return found;
}

/**
 * Swaps a creative into a slot without moving anything around it: the slot's current
 * box height is locked first, then its children are replaced. The default content is
 * kept aside for `restoreSlot`. Does nothing when the creative is already shown.
 * `allowedHosts` limits the hosts of absolute link and image URLs (see `isSafeUrl`).
 *
 * @example
 * fillSlot(slotElement, creative);
 * fillSlot(slotElement, creative, ['cdn.shop.example']);
 */
export function fillSlot(slot: HTMLElement, creative: Creative, allowedHosts?: readonly string[]): void {
  if (slot.getAttribute(CREATIVE_ATTRIBUTE) === creative.id) return;
  const element = createCreativeElement(slot.ownerDocument, creative, allowedHosts);
  if (!defaults.has(slot)) {
    const height = slot.getBoundingClientRect().height;
    defaults.set(slot, { children: [...slot.childNodes], height: slot.style.height, overflow: slot.style.overflow });
    if (height > 0) {
      slot.style.height = `${height}px`;
      slot.style.overflow = 'hidden';
    }
  }
  slot.replaceChildren(element);
  slot.setAttribute(CREATIVE_ATTRIBUTE, creative.id);
}

/**
 * Puts a slot's default content and style back. Safe on a slot Precis never filled.
 *
 * @example
 * findSlots(document).forEach(restoreSlot);
 */
export function restoreSlot(slot: HTMLElement): void {
  const saved = defaults.get(slot);
  if (!saved) return;
  defaults.delete(slot);
  slot.replaceChildren(...saved.children);
  slot.style.height = saved.height;
  slot.style.overflow = saved.overflow;
  slot.removeAttribute(CREATIVE_ATTRIBUTE);
}

/**
 * Calls `onSlots` with slots added to the page later (SPA views, lazy sections).
 * Returns the function that stops watching.
 *
 * @example
 * const stop = watchForSlots(document, (slots) => fill(slots));
 */
export function watchForSlots(doc: Document, onSlots: (slots: HTMLElement[]) => void): () => void {
  const observer = new MutationObserver((records) => {
    const added: HTMLElement[] = [];
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node instanceof HTMLElement) added.push(...findSlots(node));
      }
    }
    const fresh = added.filter((slot) => !defaults.has(slot) && slot.isConnected);
    if (fresh.length > 0) onSlots([...new Set(fresh)]);
  });
  observer.observe(doc.documentElement, { childList: true, subtree: true });
  return () => observer.disconnect();
}
