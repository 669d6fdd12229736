/** The IAB/MRC display standard: half the ad's pixels in view for one continuous second. */
export const VIEWABLE_RATIO = 0.5;
export const VIEWABLE_MS = 1000;

/** Watches slots for viewable impressions; see `watchViewability`. */
export interface ViewabilityWatcher {
  /** Starts watching a slot; `onViewable` runs once, when it has been viewable. Replaces an earlier watch of it. */
  watch(slot: HTMLElement, onViewable: () => void): void;
  unwatch(slot: HTMLElement): void;
  /** Stops everything. */
  disconnect(): void;
}

/**
 * Counts a slot as viewed once at least half of it has been in the viewport, in a
 * visible tab, for one continuous second. Scrolling away or hiding the tab restarts
 * the second.
 *
 * @example
 * const watcher = watchViewability(window);
 * watcher.watch(slot, () => recordImpression(slot));
 */
export function watchViewability(win: Window): ViewabilityWatcher {
  const doc = win.document;
  const watched = new Map<Element, { onViewable: () => void; inView: boolean; timer?: ReturnType<typeof setTimeout> }>();

  const update = (slot: Element): void => {
    const entry = watched.get(slot);
    if (!entry) return;
    const counting = entry.inView && doc.visibilityState === 'visible';
    if (!counting) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
    } else if (entry.timer === undefined) {
      entry.timer = setTimeout(() => {
        watched.delete(slot);
        observer.unobserve(slot);
        entry.onViewable();
      }, VIEWABLE_MS);
    }
  };
  const observer = new IntersectionObserver((records) => {
    for (const record of records) {
      const entry = watched.get(record.target);
      if (!entry) continue;
      entry.inView = record.isIntersecting && record.intersectionRatio >= VIEWABLE_RATIO;
      update(record.target);
    }
  }, { threshold: [0, VIEWABLE_RATIO, 1] });
  const onVisibility = (): void => watched.forEach((_, slot) => update(slot));
  doc.addEventListener('visibilitychange', onVisibility);

  const unwatch = (slot: HTMLElement): void => {
    const entry = watched.get(slot);
    if (!entry) return;
    clearTimeout(entry.timer);
    watched.delete(slot);
    observer.unobserve(slot);
  };
  return {
    watch(slot, onViewable) {
      unwatch(slot);
      watched.set(slot, { onViewable, inView: false });
      observer.observe(slot);
    },
    unwatch,
    disconnect() {
      for (const slot of [...watched.keys()]) unwatch(slot as HTMLElement);
      observer.disconnect();
      doc.removeEventListener('visibilitychange', onVisibility);
    },
  };
}
