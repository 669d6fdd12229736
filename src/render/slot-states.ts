import type { Creative } from '../decide/catalog';
import type { Explanation } from '../decide/explain';
import { fillSlot, findSlots, SLOT_ATTRIBUTE, watchForSlots } from './slots';

/** A creative in a slot, with why it is there. */
export interface ShownDecision {
  creative: Creative;
  explanation: Explanation;
}

/** Where a slot stands on this page. */
export type SlotState =
  /** Hidden (visibility only, the box keeps its size) until its decision or the timeout. */
  | 'hidden'
  /** Far from the viewport: shows its default, decided as it approaches. */
  | 'far'
  /** The timeout passed first: keeps its default for this page view, so nothing flickers. */
  | 'timed-out'
  /** Decided: shows a creative, or its default when none fitted. */
  | 'decided';

export interface SlotStatesOptions {
  /** Decisions made on an earlier page, by slot name. */
  cached: ReadonlyMap<string, ShownDecision>;
  /** Whether undecided slots wait hidden for a decision. */
  hide: boolean;
  /** The longest a slot stays hidden. */
  hideTimeoutMs: number;
  linkHosts?: readonly string[];
}

/** The page's slots as the first paint leaves them; `createSlotController` takes over from here. */
export interface SlotStates {
  readonly states: Map<HTMLElement, SlotState>;
  readonly showing: Map<HTMLElement, ShownDecision>;
  /** Takes charge of slots: the cached creative, or hidden until decided (or the timeout). Returns the new ones. */
  claim(slots: readonly HTMLElement[]): HTMLElement[];
  /** Called with the slots each later `claim` took (set by whoever takes over). */
  onClaimed: (slots: HTMLElement[]) => void;
  reveal(slot: HTMLElement): void;
  /** Stops the timers and the watch for new slots. */
  stop(): void;
}

const PENDING_ATTRIBUTE = 'data-precis-pending';

/**
 * The first paint, kept small enough for the script-tag loader: claims the slots already
 * parsed and, through a MutationObserver (whose callbacks run before the next paint),
 * every slot parsed or added later. A slot with a decision made on an earlier page
 * shows that creative at once and is never hidden; any other slot is hidden
 * (`visibility: hidden` only, so nothing moves) until its decision or `hideTimeoutMs`,
 * whichever comes first.
 *
 * @example
 * const states = startSlotStates(document, { cached, hide: true, hideTimeoutMs: 300 });
 */
export function startSlotStates(doc: Document, options: SlotStatesOptions): SlotStates {
  const states = new Map<HTMLElement, SlotState>();
  const showing = new Map<HTMLElement, ShownDecision>();
  const savedVisibility = new Map<HTMLElement, string>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const reveal = (slot: HTMLElement): void => {
    if (!savedVisibility.has(slot)) return;
    slot.style.visibility = savedVisibility.get(slot)!;
    savedVisibility.delete(slot);
    slot.removeAttribute(PENDING_ATTRIBUTE);
  };

  const claim = (slots: readonly HTMLElement[]): HTMLElement[] => {
    const fresh = slots.filter((slot) => !states.has(slot) && slot.isConnected);
    const onPage = new Set([...showing.values()].map((shown) => shown.creative.id));
    for (const slot of fresh) {
      const cached = options.cached.get(slot.getAttribute(SLOT_ATTRIBUTE) ?? '');
      if (cached && !onPage.has(cached.creative.id)) {
        onPage.add(cached.creative.id);
        fillSlot(slot, cached.creative, options.linkHosts);
        showing.set(slot, cached);
        states.set(slot, 'decided');
      } else if (options.hide) {
        states.set(slot, 'hidden');
        savedVisibility.set(slot, slot.style.visibility);
        slot.style.visibility = 'hidden';
        slot.setAttribute(PENDING_ATTRIBUTE, '');
      } else {
        states.set(slot, 'far');
      }
    }
    if (fresh.some((slot) => states.get(slot) === 'hidden')) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        for (const slot of fresh) {
          if (states.get(slot) !== 'hidden') continue;
          states.set(slot, 'timed-out');
          reveal(slot);
        }
      }, options.hideTimeoutMs);
      timers.add(timer);
    }
    return fresh;
  };

  const result: SlotStates = {
    states,
    showing,
    claim,
    onClaimed: () => {},
    reveal,
    stop() {
      stopWatching();
      timers.forEach(clearTimeout);
      timers.clear();
    },
  };
  claim(findSlots(doc));
  const stopWatching = watchForSlots(doc, (added) => {
    const fresh = claim(added);
    if (fresh.length > 0) result.onClaimed(fresh);
  });
  return result;
}
