import type { Explanation } from '../decide/explain';
import { fillSlot, restoreSlot, SLOT_ATTRIBUTE } from './slots';
import type { ShownDecision, SlotState, SlotStates } from './slot-states';
import { addWhyButton } from './why-panel';

export type { ShownDecision, SlotState } from './slot-states';

export interface SlotControllerOptions {
  linkHosts?: readonly string[];
  /** Add a "Why this ad?" button to every creative shown. */
  whyLink: boolean;
  /** Slots that need a decision: newly added hidden ones, or far ones coming near the viewport. */
  onPending(slots: HTMLElement[], approaching: boolean): void;
  /** A creative is in a slot (from the first paint's cache, or decided here). */
  onShown(slot: HTMLElement, shown: ShownDecision): void;
  /** The visitor clicked a creative. */
  onClick(slot: HTMLElement, shown: ShownDecision): void;
  /** The visitor asked not to see a creative again. */
  onDismiss(slot: HTMLElement, shown: ShownDecision): void;
}

/** The page's slots, from their first frame to the end of the page view. */
export interface SlotController {
  /** Slots hidden while they wait for a decision. */
  waiting(): HTMLElement[];
  /** Where a slot stands, or undefined for a slot never claimed. */
  stateOf(slot: HTMLElement): SlotState | undefined;
  /** Puts a decision into a slot, unless its timeout passed (then it keeps its default). */
  show(slot: HTMLElement, shown: ShownDecision | null): void;
  /** Puts a decision into a slot whatever its state (an explicit `refresh()`). */
  replace(slot: HTMLElement, shown: ShownDecision | null): void;
  /** Takes a creative out of a slot (element or name) at the visitor's request: the default returns. */
  dismiss(slot: HTMLElement | string): void;
  /** The ids of the creatives the page shows. */
  onPage(): Set<string>;
  /** The explanation of what a slot shows, by element or slot name. */
  explanation(slot: HTMLElement | string): Explanation | null;
  /** Puts every default back, reveals every slot, stops observing. */
  destroy(): void;
}

/**
 * Takes the slots over from the first paint (`startSlotStates`) for the rest of the page
 * view. Slots more than a viewport away are not waited for: they show their default and
 * are decided when they come within a viewport of being seen (IntersectionObserver). A
 * decision for a slot whose timeout passed is not shown (no flicker); the client keeps
 * it for the next page. Creatives shown get click tracking and, with `whyLink`, a "Why
 * this ad?" button.
 *
 * @example
 * const slots = createSlotController(window, startSlotStates(document, …), { whyLink: false, … });
 */
export function createSlotController(win: Window, first: SlotStates, options: SlotControllerOptions): SlotController {
  const { states, showing } = first;
  const near = watchApproach(win, first, (approaching) => options.onPending(approaching, true));

  const dismiss = (slot: HTMLElement | string): void => {
    const found = findShown(showing, slot);
    if (!found) return;
    const [element, shown] = found;
    showing.delete(element);
    restoreSlot(element);
    options.onDismiss(element, shown);
  };

  const clicks = trackClicks(showing, options.onClick);

  /** A creative is in the slot: measure it, and offer "Why this ad?". */
  const attend = (slot: HTMLElement, shown: ShownDecision): void => {
    if (options.whyLink) addWhyButton(slot, shown.explanation, () => dismiss(slot));
    clicks.listen(slot);
    options.onShown(slot, shown);
  };

  const put = (slot: HTMLElement, shown: ShownDecision | null): void => {
    states.set(slot, 'decided');
    near.unobserve(slot);
    if (shown) {
      fillSlot(slot, shown.creative, options.linkHosts);
      showing.set(slot, shown);
      attend(slot, shown);
    } else {
      restoreSlot(slot);
      showing.delete(slot);
    }
    first.reveal(slot);
  };

  const adopt = (slots: readonly HTMLElement[]): void => {
    for (const slot of slots) {
      const shown = showing.get(slot);
      if (shown) attend(slot, shown);
      else if (states.get(slot) !== 'decided') near.observe(slot);
    }
  };
  adopt([...states.keys()]);
  first.onClaimed = (fresh) => {
    adopt(fresh);
    const hidden = fresh.filter((slot) => states.get(slot) === 'hidden');
    if (hidden.length > 0) options.onPending(hidden, false);
  };

  return {
    waiting: () => [...states].filter(([slot, state]) => slot.isConnected && state === 'hidden').map(([slot]) => slot),
    stateOf: (slot) => states.get(slot),
    show(slot, shown) {
      const state = states.get(slot);
      if (state === 'timed-out') {
        states.set(slot, 'decided');
        return;
      }
      if (state === 'decided' && showing.get(slot)?.creative.id === shown?.creative.id) return;
      put(slot, shown);
    },
    replace: put,
    dismiss,
    onPage: () => new Set([...showing.values()].map((shown) => shown.creative.id)),
    explanation: (slot) => findShown(showing, slot)?.[1].explanation ?? null,
    destroy() {
      first.stop();
      near.disconnect();
      clicks.stop();
      for (const slot of states.keys()) {
        restoreSlot(slot);
        first.reveal(slot);
      }
      states.clear();
      showing.clear();
    },
  };
}

/** A slot (element, or name) that shows a creative, and what it shows; undefined when it shows none. */
function findShown(showing: Map<HTMLElement, ShownDecision>, slot: HTMLElement | string): [HTMLElement, ShownDecision] | undefined {
  const element = typeof slot === 'string' ? [...showing.keys()].find((el) => el.getAttribute(SLOT_ATTRIBUTE) === slot) : slot;
  const shown = element && showing.get(element);
  return shown ? [element!, shown] : undefined;
}

/**
 * Watches slots within a viewport of being seen: a far slot coming near is `onApproach`ed;
 * a slot hidden for a decision but far from view is revealed (its default shows) and waits.
 */
function watchApproach(win: Window, first: SlotStates, onApproach: (slots: HTMLElement[]) => void): IntersectionObserver {
  const { states } = first;
  const near = new (win as Window & typeof globalThis).IntersectionObserver((records) => {
    const approaching: HTMLElement[] = [];
    for (const record of records) {
      const slot = record.target as HTMLElement;
      const state = states.get(slot);
      if (record.isIntersecting) {
        near.unobserve(slot);
        if (state === 'far') approaching.push(slot);
      } else if (state === 'hidden') {
        states.set(slot, 'far');
        first.reveal(slot);
      }
    }
    if (approaching.length > 0) onApproach(approaching);
  }, { rootMargin: '100% 0px 100% 0px' });
  return near;
}

/** Calls `onClick` when the visitor clicks the creative a slot shows. */
function trackClicks(
  showing: ReadonlyMap<HTMLElement, ShownDecision>,
  onClick: (slot: HTMLElement, shown: ShownDecision) => void,
): { listen(slot: HTMLElement): void; stop(): void } {
  const listeners = new Map<HTMLElement, (event: Event) => void>();
  return {
    listen(slot) {
      if (listeners.has(slot)) return;
      const listener = (event: Event): void => {
        const shown = showing.get(slot);
        const target = event.target as Element | null;
        if (shown && target?.closest?.('.precis-creative')) onClick(slot, shown);
      };
      slot.addEventListener('click', listener);
      listeners.set(slot, listener);
    },
    stop() {
      listeners.forEach((listener, slot) => slot.removeEventListener('click', listener));
      listeners.clear();
    },
  };
}
