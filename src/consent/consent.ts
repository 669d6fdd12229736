import type { Emitter } from '../core/emitter';
import { createEmitter } from '../core/emitter';

/** What the visitor allows: anything persisted, decisions from their profile, anything sent. */
export type Permission = 'store' | 'personalize' | 'send';
export type ConsentState = Readonly<Record<Permission, boolean>>;

/** IAB TCF v2.2 settings: which purposes grant which permission, and our vendor id. */
export interface TcfOptions {
  /** Our IAB vendor id; when set, its vendor consent is required too. */
  vendorId?: number;
  /** Purposes required per permission. Default: store [1], personalize [1, 3, 4], send [1]. */
  purposes?: Partial<Record<Permission, number[]>>;
  /** How long to wait for the CMP before applying the default. Default 1,000 ms. */
  timeoutMs?: number;
}

export interface ConsentOptions {
  /** Until a CMP or `consent()` says otherwise. */
  defaultPolicy: 'allow' | 'deny';
  tcf: TcfOptions;
}

/** The part of a TCF `tcData` object Precis reads. */
interface TcData {
  gdprApplies?: boolean;
  eventStatus?: string;
  purpose?: { consents?: Record<string, boolean> };
  vendor?: { consents?: Record<string, boolean> };
}
type TcfApi = (command: string, version: number, callback: (data: TcData, success: boolean) => void) => void;

/**
 * The single source of truth for what Precis may do. Every module that stores, profiles
 * or sends asks `allows()` first and listens to `change`.
 */
export interface Consent {
  state(): ConsentState;
  allows(permission: Permission): boolean;
  /** True when the CMP or the site said no (not merely a default or a pending CMP). */
  refused(permission: Permission): boolean;
  /** Resolves once the CMP answered or timed out (at once without a CMP). */
  readonly settled: Promise<void>;
  /** The site's own choice (its consent banner); it wins over the default and the CMP. */
  set(choice: Partial<Record<Permission, boolean>>): void;
  on: Emitter<{ change: ConsentState }>['on'];
  dispose(): void;
}

const ALL: readonly Permission[] = ['store', 'personalize', 'send'];
const DEFAULT_PURPOSES: Record<Permission, number[]> = { store: [1], personalize: [1, 3, 4], send: [1] };

/** State from a TCF answer: each permission needs all its purposes (and the vendor, if set). */
export function stateFromTcData(data: TcData, tcf: TcfOptions): ConsentState {
  if (data.gdprApplies === false) return { store: true, personalize: true, send: true };
  const purposes = { ...DEFAULT_PURPOSES, ...tcf.purposes };
  const vendorOk = tcf.vendorId === undefined || data.vendor?.consents?.[tcf.vendorId] === true;
  const granted = (permission: Permission): boolean =>
    vendorOk && purposes[permission].every((p) => data.purpose?.consents?.[p] === true);
  return { store: granted('store'), personalize: granted('personalize'), send: granted('send') };
}

/**
 * What is allowed before anyone has answered: nothing while a TCF CMP is on the page (it
 * will answer), else the default policy; Global Privacy Control caps `personalize` and
 * `send`. The script tag uses it to decide, before the first paint, whether a decision
 * cached on the last page may be shown.
 *
 * @example
 * initialConsent(window, 'allow').personalize; // false when GPC is on
 */
export function initialConsent(win: Window | undefined, defaultPolicy: 'allow' | 'deny'): ConsentState {
  const waiting = typeof (win as { __tcfapi?: TcfApi } | undefined)?.__tcfapi === 'function';
  const allowed = defaultPolicy === 'allow' && !waiting;
  const gpc = (win?.navigator as { globalPrivacyControl?: boolean } | undefined)?.globalPrivacyControl === true;
  return { store: allowed, personalize: allowed && !gpc, send: allowed && !gpc };
}

/**
 * Combines the default policy, IAB TCF (`__tcfapi` addEventListener), Global Privacy
 * Control (`navigator.globalPrivacyControl`: no personalisation, nothing sent) and the
 * site's explicit `set()`.
 *
 * @example
 * const consent = createConsent(window, { defaultPolicy: 'deny', tcf: { vendorId: 1234 } });
 * consent.on('change', (state) => console.log(state));
 */
export function createConsent(win: Window | undefined, options: ConsentOptions): Consent {
  const emitter = createEmitter<{ change: ConsentState }>();
  const allowed = options.defaultPolicy === 'allow';
  let base: ConsentState = { store: allowed, personalize: allowed, send: allowed };
  let explicit: Partial<Record<Permission, boolean>> = {};
  let answered: ConsentState | undefined; // the CMP's last answer
  const gpc = (win?.navigator as { globalPrivacyControl?: boolean } | undefined)?.globalPrivacyControl === true;

  const compute = (): ConsentState => {
    const merged = { ...base, ...explicit };
    // GPC is the visitor's own signal: it caps whatever the site or the CMP said.
    return gpc ? { store: merged.store, personalize: false, send: false } : merged;
  };
  let current = compute();
  const update = (): void => {
    const next = compute();
    if (ALL.every((p) => next[p] === current[p])) return;
    current = next;
    emitter.emit('change', current);
  };

  let finishWaiting = (): void => {};
  const settled = new Promise<void>((resolve) => {
    finishWaiting = resolve;
  });
  const tcfApi = (win as { __tcfapi?: TcfApi } | undefined)?.__tcfapi;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let listening = true;
  if (typeof tcfApi === 'function') {
    // Until the CMP answers nothing is allowed; if it never does, the default applies.
    base = { store: false, personalize: false, send: false };
    current = compute();
    timer = setTimeout(() => {
      base = { store: allowed, personalize: allowed, send: allowed };
      update();
      finishWaiting();
    }, options.tcf.timeoutMs ?? 1000);
    try {
      tcfApi('addEventListener', 2, (data, success) => {
        if (!listening || !success || !data) return;
        if (data.eventStatus !== 'tcloaded' && data.eventStatus !== 'useractioncomplete' && data.gdprApplies !== false) return;
        clearTimeout(timer);
        base = answered = stateFromTcData(data, options.tcf);
        update();
        finishWaiting();
      });
    } catch {
      // A broken CMP is treated like a silent one: the timeout applies the default.
    }
  } else {
    finishWaiting();
  }

  return {
    state: () => current,
    allows: (permission) => current[permission],
    refused: (permission) => (explicit[permission] ?? answered?.[permission]) === false,
    settled,
    set(choice) {
      explicit = { ...explicit };
      for (const permission of ALL) {
        if (typeof choice[permission] === 'boolean') explicit[permission] = choice[permission];
      }
      update();
    },
    on: emitter.on,
    dispose() {
      listening = false;
      clearTimeout(timer);
      emitter.clear();
    },
  };
}
