import { readsSavedStateAtOnce } from '../consent/consent';
import { DEFAULTS } from '../core/defaults';
import { assignArm, type Arm } from '../decide/holdout';
import { parseVisitorState, type VisitorState } from '../decide/visitor-state';
import { parseAdSignals } from '../measure/ad-signals';
import { sendToGpt, sendToPrebid } from '../measure/ad-stack';
import { readLocalState } from '../store/local-state';
import { startSlotStates, type ShownDecision, type SlotStates } from './slot-states';

/** What the first paint found and did, handed to the client. */
export interface FirstPaint {
  /** The slots as the first paint left them (undefined without a DOM). */
  slots: SlotStates | undefined;
  /** The visitor the last page saved; undefined for a new one (the core gives them an id). */
  saved: SavedVisitor | undefined;
  /** The catalog request the script tag started at once (for `catalogUrl`), so the core need not wait to start it. */
  catalog?: { url: string; response: Promise<Response> };
}

/** The options the first paint reads, by name. */
export type FirstPaintOption = 'dbName' | 'defaultConsent' | 'holdout' | 'hideTimeoutMs' | 'catalogTimeoutMs' | 'linkHosts' | 'catalog';

/**
 * Gives the first paint its options by name: the script tag's (`data-*` attributes over
 * `window.precisConfig`, as written: the core checks and reports them), or the client's
 * resolved options. The first paint checks each as it reads it, so a bad one falls back
 * to its default here as in the core.
 */
export type ReadOption = (name: FirstPaintOption) => unknown;

/**
 * A number option (a string from an attribute, or a number): `fallback` unless it is a
 * finite number ≥ 0.
 *
 * @example
 * readNumber(option, 'hideTimeoutMs', DEFAULTS.hideTimeoutMs); // 300 when unset or bad
 */
export function readNumber(option: ReadOption, name: 'holdout' | 'hideTimeoutMs' | 'catalogTimeoutMs', fallback: number): number {
  const value = option(name);
  const n = typeof value === 'string' ? Number(value) : value;
  return Number.isFinite(n) && (n as number) >= 0 ? (n as number) : fallback;
}

/** What the last page saved (see `VisitorState`), as this page uses it. */
export interface SavedVisitor extends VisitorState {
  arm: Arm;
  /** The decisions made ahead for this page, by slot name (for the visitor's arm only). */
  cached: Map<string, ShownDecision>;
}

/**
 * Reads the state the last page left in localStorage (`raw`, undefined when none may be
 * read); undefined when there is none usable (a new visitor). A decision made for the
 * other arm (the holdout share changed) is not shown.
 *
 * @example
 * const saved = readSavedVisitor(readLocalState('precis'), Date.now(), 0.05, undefined);
 */
export function readSavedVisitor(raw: unknown, now: number, holdout: number, linkHosts: readonly string[] | undefined): SavedVisitor | undefined {
  const saved = parseVisitorState(raw, now, linkHosts);
  if (!saved) return undefined;
  const arm = assignArm(saved.visitor, holdout);
  return { ...saved, arm, cached: new Map(Object.entries(saved.decisions).filter(([, entry]) => entry.explanation.arm === arm)) };
}

/**
 * Runs before the first paint, in the script tag (or in `createPersonalizer`): reads the
 * state the last page left in localStorage — when storing and personalising are allowed
 * before anyone has answered (`readsSavedStateAtOnce`: never while a CMP is on the page) —
 * and puts each slot's decision made ahead in place (see `startSlotStates`). With them,
 * the ad signals the last page left are queued for Google Publisher Tag and Prebid.js,
 * before their first request. A new visitor gets no id here: the core gives them one.
 *
 * @example
 * const first = startFirstPaint(window, (name) => script.dataset[name] ?? window.precisConfig?.[name], Date.now());
 */
export function startFirstPaint(win: Window | undefined, option: ReadOption, now: number): FirstPaint {
  const hosts = option('linkHosts');
  const linkHosts = typeof hosts === 'string' ? hosts.split(/[\s,]+/).filter(Boolean) : Array.isArray(hosts) ? hosts as string[] : undefined;
  const allowed = readsSavedStateAtOnce(win, option('defaultConsent') === 'deny' ? 'deny' : DEFAULTS.defaultConsent);
  const raw = allowed ? readLocalState((option('dbName') || DEFAULTS.dbName) as string) : undefined;
  const saved = readSavedVisitor(raw, now, readNumber(option, 'holdout', DEFAULTS.holdout), linkHosts);
  const slots = win && typeof IntersectionObserver === 'function'
    ? startSlotStates(win.document, {
      cached: saved?.cached ?? new Map(),
      hide: option('catalog') !== undefined, // without a catalog there is nothing to wait for
      hideTimeoutMs: readNumber(option, 'hideTimeoutMs', DEFAULTS.hideTimeoutMs),
      linkHosts,
    })
    : undefined;
  const ads = parseAdSignals((raw as { ads?: unknown } | undefined)?.ads);
  if (win && ads) {
    sendToGpt(win, ads.gpt);
    sendToPrebid(win, ads.name, ads.data);
  }
  return { slots, saved };
}
