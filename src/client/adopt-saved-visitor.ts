import { readsSavedStateAtOnce } from '../consent/consent';
import { readSavedVisitor } from '../render/first-paint';
import type { SlotController } from '../render/slot-controller';
import { SLOT_ATTRIBUTE } from '../render/slots';
import { readLocalState } from '../store/local-state';
import type { ClientContext } from './lifecycle';

/**
 * When the first paint could not read what the last page saved (a CMP had not answered
 * yet), reads it once `store` is allowed: the visitor keeps their id and arm, and the
 * slots still hidden show the decisions made ahead for them at once, as without a CMP.
 * Returns the function to call at each consent change (and when the store opens).
 *
 * @example
 * const adopt = createSavedVisitorAdopter(context, slots);
 * consent.on('change', adopt);
 */
export function createSavedVisitorAdopter(
  { options, win, consent, visitor }: Pick<ClientContext, 'options' | 'win' | 'consent' | 'visitor'>,
  slots: SlotController | undefined,
): () => void {
  let read = readsSavedStateAtOnce(win, options.defaultConsent);
  return () => {
    if (read || !consent.allows('store')) return;
    read = true;
    // At the CMP's yes, not once the store has opened: the slots waiting hidden show it now.
    const saved = readSavedVisitor(readLocalState(options.dbName), options.clock(), options.holdout, options.linkHosts);
    if (!saved) return;
    visitor.adopt(saved);
    if (!slots || !consent.allows('personalize')) return;
    const onPage = slots.onPage();
    for (const slot of slots.waiting()) {
      const cached = saved.cached.get(slot.getAttribute(SLOT_ATTRIBUTE) ?? '');
      if (cached && !onPage.has(cached.creative.id)) {
        onPage.add(cached.creative.id);
        slots.show(slot, cached);
      }
    }
  };
}
