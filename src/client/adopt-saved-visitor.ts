import { readSavedVisitor } from '../render/first-paint';
import type { SlotController } from '../render/slot-controller';
import { SLOT_ATTRIBUTE } from '../render/slots';
import { readLocalState } from '../store/local-state';
import type { ClientContext } from './lifecycle';

/**
 * Reads what the last page saved once `store` is allowed: at once (again, when the first
 * paint could read it: the same visitor, and no decision the slots do not already show),
 * or at the consent change that allows it (the first paint could not read it while a CMP
 * had not answered): the visitor keeps their id and arm, and the slots still hidden show
 * the decisions made ahead for them at once, as without a CMP. Reading at once also covers
 * a CMP that answered before the client started, whose yes came before any listener.
 * Returns the function to call at each consent change.
 *
 * @example
 * const adopt = createSavedVisitorAdopter(context, slots);
 * consent.on('change', adopt);
 */
export function createSavedVisitorAdopter(
  { options, consent, visitor }: Pick<ClientContext, 'options' | 'consent' | 'visitor'>,
  slots: SlotController | undefined,
): () => void {
  let read = false;
  const adopt = (): void => {
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
  adopt();
  return adopt;
}
