import { initialConsent } from './consent/consent';
import { assignArm } from './decide/holdout';
import { parseVisitorState } from './decide/visitor-state';
import { parseAdSignals } from './measure/ad-signals';
import { sendToGpt, sendToPrebid } from './measure/ad-stack';
import { startSlotStates, type ShownDecision, type SlotStates } from './render/slot-states';
import { readLocalState } from './store/local-state';

/** What the first paint found and did, handed to the client. */
export interface FirstPaint {
  /** The slots as the first paint left them (undefined without a DOM). */
  slots: SlotStates | undefined;
  /** The visitor's anonymous id from the last page (a new visitor gets one from the core: nothing is cached for them). */
  visitor: string | undefined;
  /** Exposures and purchases up to this time have been reported. */
  reportedUntil: number;
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

/**
 * Runs before the first paint, in the script tag (or in `createPersonalizer`): reads the
 * state the last page left in localStorage — when storing and personalising are allowed
 * before anyone has answered (`initialConsent`) — and puts each slot's decision made
 * ahead in place (see `startSlotStates`). With `send` allowed too, the ad signals the last
 * page left are queued for Google Publisher Tag and Prebid.js, before their first request.
 *
 * @example
 * const first = startFirstPaint(window, { dbName: 'precis', defaultConsent: 'allow', holdout: 0.05, … });
 */
export function startFirstPaint(win: Window | undefined, options: FirstPaintOptions): FirstPaint {
  const allowed = initialConsent(win, options.defaultConsent);
  const raw = allowed.store && allowed.personalize ? readLocalState(options.dbName) : undefined;
  const saved = parseVisitorState(raw, options.now, options.linkHosts);
  // A decision made for the other arm (the holdout share changed) is not shown.
  const cached = new Map<string, ShownDecision>(Object.entries(saved?.decisions ?? {})
    .filter(([, entry]) => entry.explanation.arm === assignArm(saved!.visitor, options.holdout)));
  const slots = win && typeof IntersectionObserver === 'function'
    ? startSlotStates(win.document, { cached, hide: options.hasCatalog, hideTimeoutMs: options.hideTimeoutMs, linkHosts: options.linkHosts })
    : undefined;
  const ads = allowed.send ? parseAdSignals((raw as { ads?: unknown } | undefined)?.ads) : undefined;
  if (win && ads) {
    sendToGpt(win, ads.gpt);
    sendToPrebid(win, ads.name, ads.data);
  }
  return { slots, visitor: saved?.visitor, reportedUntil: saved?.reportedUntil ?? 0 };
}
