import type { Creative } from '../decide/catalog';
import type { Explanation } from '../decide/explain';
import { fillSlot, restoreSlot, SLOT_ATTRIBUTE } from './slots';
import { addWhyButton } from './why-panel';

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

export interface SlotControllerOptions {
  /** Decisions made on an earlier page, by slot name: shown before the first paint. */
  cached: ReadonlyMap<string, ShownDecision>;
  /** Whether undecided slots wait hidden for a decision (false: they keep their default until decided). */
  hide: boolean;
  /** The longest a slot stays hidden. */
  hideTimeoutMs: number;
  linkHosts?: readonly string[];
  /** Add a "Why this ad?" button to every creative shown. */
  whyLink: boolean;
  /** Slots near the viewport that need a decision. */
  onPending(slots: HTMLElement[]): void;
  /** A creative went into a slot. */
  onShown(slot: HTMLElement, shown: ShownDecision): void;
  /** The visitor clicked a creative. */
  onClick(slot: HTMLElement, shown: ShownDecision): void;
  /** The visitor asked not to see a creative again. */
  onDismiss(slot: HTMLElement, shown: ShownDecision): void;
}

/** The page's slots, from their first frame to the end of the page view. */
export interface SlotController {
  /** Takes charge of slots (at start and as they are added): cached creative, or hidden until decided. */
  claim(slots: readonly HTMLElement[]): void;
  /** Slots hidden while they wait for a decision. */
  waiting(): HTMLElement[];
  /** Where a slot stands, or undefined for a slot never claimed. */
  stateOf(slot: HTMLElement): SlotState | undefined;
  /** Puts a decision into a slot, unless its timeout passed (then it keeps its default). */
  show(slot: HTMLElement, shown: ShownDecision | null): void;
  /** Puts a decision into a slot whatever its state (an explicit `refresh()`). */
  replace(slot: HTMLElement, shown: ShownDecision | null): void;
  /** Takes a creative out of a slot at the visitor's request: the default returns. */
  dismiss(slot: HTMLElement): void;
  /** What each slot on the page shows. */
  shown(): Map<HTMLElement, ShownDecision>;
  /** The explanation of what a slot shows, by element or slot name. */
  explanation(slot: HTMLElement | string): Explanation | null;
  /** Puts every default back, reveals every slot, stops observing. */
  destroy(): void;
}

const PENDING_ATTRIBUTE = 'data-precis-pending';

/**
 * Runs the page's slots without flicker. On a repeat visit a slot with a cached decision
 * shows that creative as soon as it is claimed, which the loader does before the first
 * paint, and is never hidden. A slot without one is hidden (`visibility: hidden`, so
 * the layout does not move; never the body) until its decision or `hideTimeoutMs`,
 * whichever comes first; after the timeout it keeps its default for this page view.
 * Slots more than a viewport away are not waited for: they show their default and are
 * decided when they come within a viewport of being seen (IntersectionObserver).
 *
 * @example
 * const slots = createSlotController(window, { cached, hide: true, hideTimeoutMs: 300, … });
 * slots.claim(findSlots(document));
 */
export function createSlotController(win: Window, options: SlotControllerOptions): SlotController {
  const states = new Map<HTMLElement, SlotState>();
  const showing = new Map<HTMLElement, ShownDecision>();
  const savedVisibility = new Map<HTMLElement, string>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const clickListeners = new Map<HTMLElement, (event: Event) => void>();
  const near = new (win as Window & typeof globalThis).IntersectionObserver((records) => {
    const approaching: HTMLElement[] = [];
    for (const record of records) {
      const slot = record.target as HTMLElement;
      const state = states.get(slot);
      if (record.isIntersecting) {
        near.unobserve(slot);
        if (state === 'hidden' || state === 'far') approaching.push(slot);
      } else if (state === 'hidden') {
        states.set(slot, 'far');
        reveal(slot);
      }
    }
    if (approaching.length > 0) options.onPending(approaching);
  }, { rootMargin: '100% 0px 100% 0px' });

  const hide = (slot: HTMLElement): void => {
    savedVisibility.set(slot, slot.style.visibility);
    slot.style.visibility = 'hidden';
    slot.setAttribute(PENDING_ATTRIBUTE, '');
  };
  function reveal(slot: HTMLElement): void {
    if (!savedVisibility.has(slot)) return;
    slot.style.visibility = savedVisibility.get(slot)!;
    savedVisibility.delete(slot);
    slot.removeAttribute(PENDING_ATTRIBUTE);
  }

  const put = (slot: HTMLElement, shown: ShownDecision | null): void => {
    states.set(slot, 'decided');
    near.unobserve(slot);
    if (shown) {
      fillSlot(slot, shown.creative, options.linkHosts);
      if (options.whyLink) addWhyButton(slot, shown.explanation, () => dismiss(slot));
      showing.set(slot, shown);
      listenForClicks(slot);
      options.onShown(slot, shown);
    } else {
      restoreSlot(slot);
      showing.delete(slot);
    }
    reveal(slot);
  };

  const dismiss = (slot: HTMLElement): void => {
    const shown = showing.get(slot);
    if (!shown) return;
    showing.delete(slot);
    restoreSlot(slot);
    options.onDismiss(slot, shown);
  };

  const listenForClicks = (slot: HTMLElement): void => {
    if (clickListeners.has(slot)) return;
    const listener = (event: Event): void => {
      const shown = showing.get(slot);
      const target = event.target as Element | null;
      if (shown && target?.closest?.('.precis-creative')) options.onClick(slot, shown);
    };
    slot.addEventListener('click', listener);
    clickListeners.set(slot, listener);
  };

  const shownNames = (): Set<string> => new Set([...showing.values()].map((s) => s.creative.id));

  return {
    claim(slots) {
      const fresh = slots.filter((slot) => !states.has(slot) && slot.isConnected);
      const onPage = shownNames();
      for (const slot of fresh) {
        const cached = options.cached.get(slot.getAttribute(SLOT_ATTRIBUTE) ?? '');
        if (cached && !onPage.has(cached.creative.id)) {
          onPage.add(cached.creative.id);
          put(slot, cached);
          continue;
        }
        if (!options.hide) {
          states.set(slot, 'far');
        } else {
          states.set(slot, 'hidden');
          hide(slot);
        }
        near.observe(slot);
      }
      if (!options.hide || fresh.length === 0) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        for (const slot of fresh) {
          if (states.get(slot) !== 'hidden') continue;
          states.set(slot, 'timed-out');
          reveal(slot);
        }
      }, options.hideTimeoutMs);
      timers.add(timer);
    },
    waiting() {
      return [...states].filter(([slot, state]) => slot.isConnected && state === 'hidden').map(([slot]) => slot);
    },
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
    shown: () => new Map(showing),
    explanation(slot) {
      const element = typeof slot === 'string'
        ? [...showing.keys()].find((el) => el.getAttribute(SLOT_ATTRIBUTE) === slot)
        : slot;
      return (element && showing.get(element)?.explanation) ?? null;
    },
    destroy() {
      near.disconnect();
      timers.forEach(clearTimeout);
      timers.clear();
      clickListeners.forEach((listener, slot) => slot.removeEventListener('click', listener));
      clickListeners.clear();
      for (const slot of states.keys()) {
        restoreSlot(slot);
        reveal(slot);
      }
      states.clear();
      showing.clear();
    },
  };
}
