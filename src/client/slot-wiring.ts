import type { ExposureKind } from '../measure/exposure';
import { watchViewability } from '../measure/viewability';
import type { FirstPaint } from '../render/first-paint';
import { createSlotController, type ShownDecision, type SlotController } from '../render/slot-controller';
import { SLOT_ATTRIBUTE } from '../render/slots';
import type { ClientContext } from './lifecycle';
import type { SessionIntake } from './session';

/**
 * Takes the slots over from the first paint and measures what they show: viewable
 * impressions, clicks and dismissals become exposures (kept by the session, announced as
 * `exposure`); a click or a dismissal is saved at once, since it usually navigates.
 * `decide` is called for slots that wait for a decision. Without a DOM there are no slots.
 *
 * @example
 * const { slots, stop } = startSlots(context, firstPaint, intake, (pending, approaching) => …);
 */
export function startSlots(
  { options, win, emit }: Pick<ClientContext, 'options' | 'win' | 'emit'>,
  first: FirstPaint,
  intake: SessionIntake,
  decide: (pending: HTMLElement[], approaching: boolean) => void,
): { slots: SlotController | undefined; stop(): void } {
  const viewability = win && typeof IntersectionObserver === 'function' ? watchViewability(win) : undefined;
  const record = (kind: ExposureKind, slot: HTMLElement, { creative, explanation }: ShownDecision): void => {
    // The interest it was decided under, fixed now (last, the key order parseExposure gives it back in).
    const exposure = {
      kind, creative: creative.id, slot: slot.getAttribute(SLOT_ATTRIBUTE) ?? '', arm: explanation.arm, probability: explanation.probability, time: options.clock(),
      interest: explanation.interest,
    };
    if (intake.addExposure(exposure)) emit('exposure', exposure);
  };
  const slots = win && first.slots
    ? createSlotController(win, first.slots, {
      linkHosts: options.linkHosts,
      whyLink: options.whyLink,
      onPending: decide,
      onShown: (slot, shown) => viewability?.watch(slot, () => record('impression', slot, shown)),
      onClick: (slot, shown) => {
        record('click', slot, shown);
        intake.saveNow();
      },
      onDismiss: (slot, shown) => {
        viewability?.unwatch(slot);
        record('dismiss', slot, shown);
        intake.saveNow();
      },
    })
    : undefined;
  return {
    slots,
    stop() {
      slots?.destroy();
      viewability?.disconnect();
    },
  };
}
