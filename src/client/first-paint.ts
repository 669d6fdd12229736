import { readsSavedStateAtOnce } from '../consent/consent';
import { assignArm, type Arm } from '../decide/holdout';
import { newVisitorId, parseVisitorState } from '../decide/visitor-state';
import { parseAdSignals } from '../measure/ad-signals';
import { sendToGpt, sendToPrebid } from '../measure/ad-stack';
import { startSlotStates, type ShownDecision, type SlotStates } from '../render/slot-states';
import { readLocalState } from '../store/local-state';

/** What the first paint found and did, handed to the client. */
export interface FirstPaint {
  /** The slots as the first paint left them (undefined without a DOM). */
  slots: SlotStates | undefined;
  /** The visitor's anonymous id: from the last page, or new. */
  visitor: string;
  arm: Arm;
  /** Exposures and purchases up to this time have been reported. */
  reportedUntil: number;
  /** The catalog request the script tag started at once (for `catalogUrl`), so the core need not wait to start it. */
  catalog?: { url: string; response: Promise<Response> };
}

/** The options the first paint reads. */
export interface FirstPaintOptions {
  dbName: string;
  defaultConsent: 'allow' | 'deny';
  holdout: number;
  hideTimeoutMs: number;
  linkHosts: readonly string[] | undefined;
  /** Whether a catalog is configured (without one there is nothing to wait for). */
  hasCatalog: boolean;
  now: number;
}

/** What the last page saved, as this page uses it. */
export interface SavedVisitor {
  /** The visitor's anonymous id: from the last page, or new. */
  visitor: string;
  arm: Arm;
  reportedUntil: number;
  /** The decisions made ahead for this page, by slot name (for the visitor's arm only). */
  cached: Map<string, ShownDecision>;
}

/**
 * Reads the state the last page left in localStorage (`raw`, undefined when none may be
 * read): a decision made for the other arm (the holdout share changed) is not shown.
 *
 * @example
 * const saved = readSavedVisitor(readLocalState('precis'), Date.now(), 0.05, undefined);
 */
export function readSavedVisitor(raw: unknown, now: number, holdout: number, linkHosts: readonly string[] | undefined): SavedVisitor {
  const saved = parseVisitorState(raw, now, linkHosts);
  const visitor = saved?.visitor ?? newVisitorId();
  const arm = assignArm(visitor, holdout);
  const cached = new Map<string, ShownDecision>(
    Object.entries(saved?.decisions ?? {}).filter(([, entry]) => entry.explanation.arm === arm),
  );
  return { visitor, arm, reportedUntil: saved?.reportedUntil ?? 0, cached };
}

/**
 * Runs before the first paint, in the script tag (or in `createPersonalizer`): reads the
 * state the last page left in localStorage — when storing and personalising are allowed
 * before anyone has answered (`readsSavedStateAtOnce`: never while a CMP is on the page) — and
 * puts each slot's decision made ahead in place (see `startSlotStates`). With them, the ad signals the last
 * page left are queued for Google Publisher Tag and Prebid.js, before their first request.
 *
 * @example
 * const first = startFirstPaint(window, { dbName: 'precis', defaultConsent: 'allow', holdout: 0.05, … });
 */
export function startFirstPaint(win: Window | undefined, options: FirstPaintOptions): FirstPaint {
  const raw = readsSavedStateAtOnce(win, options.defaultConsent) ? readLocalState(options.dbName) : undefined;
  const { visitor, arm, reportedUntil, cached } = readSavedVisitor(raw, options.now, options.holdout, options.linkHosts);
  const slots = win && typeof IntersectionObserver === 'function'
    ? startSlotStates(win.document, { cached, hide: options.hasCatalog, hideTimeoutMs: options.hideTimeoutMs, linkHosts: options.linkHosts })
    : undefined;
  const ads = parseAdSignals((raw as { ads?: unknown } | undefined)?.ads);
  if (win && ads) {
    sendToGpt(win, ads.gpt);
    sendToPrebid(win, ads.name, ads.data);
  }
  return { slots, visitor, arm, reportedUntil };
}
