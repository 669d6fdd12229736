import { assignArm, type Arm } from '../decide/holdout';
import { newVisitorId, type CachedDecision, type VisitorState } from '../decide/visitor-state';
import type { AdSignals } from '../measure/ad-signals';

/** Who the visitor is on this page: their anonymous id and arm, what was decided ahead and reported. */
export interface Visitor {
  arm(): Arm;
  /** Changes with every `renew()`: work started for an earlier visitor compares it and is not saved. */
  generation(): number;
  /** Exposures and purchases up to this time have been reported. */
  reportedUntil(): number;
  /** What is kept in localStorage for the next page. */
  state(): VisitorState & { ads?: AdSignals };
  /** Notes the decisions made ahead for the next page, the time reported up to, or the ad signals (null: none). */
  update(change: { ahead?: Record<string, CachedDecision>; reportedUntil?: number; ads?: AdSignals | null }): void;
  /** A new anonymous visitor (after `forget()`): new id and arm, nothing decided ahead or reported. */
  renew(): void;
  /** The visitor the last page saved, read late (at a CMP's yes): their id, arm and reported time. */
  adopt(saved: { visitor: string; arm: Arm; reportedUntil: number }): void;
}

/**
 * The visitor the first paint found (the last page's id), or a new one, kept in memory;
 * the session saves `state()` to localStorage when it changes.
 *
 * @example
 * const visitor = createVisitor(firstPaint.saved, 0.05);
 * visitor.arm(); // 'personalized' for ~95% of visitors
 */
export function createVisitor(saved: { visitor: string; arm: Arm; reportedUntil: number } | undefined, holdout: number): Visitor {
  // A new visitor's id is made here, not in the script tag, whose first paint needs none.
  let id = saved?.visitor ?? newVisitorId();
  let arm = saved?.arm ?? assignArm(id, holdout);
  let reportedUntil = saved?.reportedUntil ?? 0;
  let ahead: Record<string, CachedDecision> = {};
  let ads: AdSignals | undefined;
  let generation = 0;
  return {
    arm: () => arm,
    generation: () => generation,
    reportedUntil: () => reportedUntil,
    state: () => ({ visitor: id, decisions: ahead, reportedUntil, ...(ads && { ads }) }),
    update(change) {
      ahead = change.ahead ?? ahead;
      reportedUntil = change.reportedUntil ?? reportedUntil;
      if (change.ads !== undefined) ads = change.ads ?? undefined;
    },
    adopt(saved) {
      ({ visitor: id, arm, reportedUntil } = saved);
    },
    renew() {
      generation += 1;
      id = newVisitorId();
      arm = assignArm(id, holdout);
      reportedUntil = 0;
      ahead = {};
      ads = undefined;
    },
  };
}
