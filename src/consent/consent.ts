import type { Emitter } from '../core/emitter';
import { createEmitter } from '../core/emitter';
import { addCmpListener } from './cmp-listener';
import { GPP_PROTOCOL, stateFromGppPing } from './gpp';
import { ALL_PERMISSIONS, everything, isTcAnswer, stateFromTcData, TCF_PROTOCOL, type ConsentState, type Permission, type TcfOptions } from './tcf';

export { stateFromTcData, type ConsentState, type Permission, type TcfOptions } from './tcf';

/**
 * Who decided a permission: the IAB TCF CMP (`__tcfapi`), the GPP CMP (`__gpp`), Global
 * Privacy Control, the site's own `consent()` call, or the `defaultConsent` option (only
 * when no CMP is on the page).
 */
export type ConsentSource = 'cmp' | 'gpp' | 'gpc' | 'site' | 'default';

/** Where consent stands, as `status()` and the debug panel show it. */
export interface ConsentStatus {
  state: ConsentState;
  /** Which signal decided: the one behind the first permission refused (store, personalize, send), or the one that granted everything. */
  source: ConsentSource;
  /** Which signal decided each permission. */
  decidedBy: Readonly<Record<Permission, ConsentSource>>;
  /** True while a CMP on the page has not answered for this visitor: nothing is stored, personalised or sent meanwhile. */
  pending: boolean;
}

/** What each signal says right now; `pending` for a CMP that has not answered, undefined for one not on the page. */
export interface ConsentSignals {
  defaultPolicy: 'allow' | 'deny';
  tcf: ConsentState | 'pending' | undefined;
  gpp: ConsentState | 'pending' | undefined;
  gpc: boolean;
  site: Partial<Record<Permission, boolean>>;
}

/** One signal's say: `grants` replaces what came before, otherwise it can only take away. */
interface Layer {
  source: ConsentSource;
  values: Partial<Record<Permission, boolean>>;
  grants: boolean;
}

/**
 * Combines the signals. Without a CMP the default policy holds and the site's choice
 * replaces it; with a CMP (TCF, GPP, or both), only the CMPs can say yes — nothing
 * before they answered — and the site's choice can only take away. GPC caps
 * `personalize` and `send` whatever else says.
 *
 * @example
 * combineSignals({ defaultPolicy: 'allow', tcf: 'pending', gpp: undefined, gpc: false, site: {} }).pending; // true
 */
export function combineSignals(signals: ConsentSignals): ConsentStatus {
  const { tcf, gpp } = signals;
  const cmp = tcf !== undefined || gpp !== undefined;
  const layers: Layer[] = [];
  if (!cmp) layers.push({ source: 'default', values: everything(signals.defaultPolicy === 'allow'), grants: true });
  if (tcf !== undefined) layers.push({ source: 'cmp', values: tcf === 'pending' ? everything(false) : tcf, grants: true });
  if (gpp !== undefined) layers.push({ source: 'gpp', values: gpp === 'pending' ? everything(false) : gpp, grants: tcf === undefined });
  layers.push({ source: 'site', values: signals.site, grants: !cmp });
  if (signals.gpc) layers.push({ source: 'gpc', values: { personalize: false, send: false }, grants: false });

  const state: Record<Permission, boolean> = { ...everything(false) };
  const decidedBy: Record<Permission, ConsentSource> = { store: 'default', personalize: 'default', send: 'default' };
  for (const layer of layers) {
    for (const permission of ALL_PERMISSIONS) {
      const value = layer.values[permission];
      if (value === undefined || (!layer.grants && value)) continue;
      state[permission] = value;
      decidedBy[permission] = layer.source;
    }
  }
  const refusedFirst = ALL_PERMISSIONS.find((permission) => !state[permission]) ?? 'store';
  return { state, source: decidedBy[refusedFirst], decidedBy, pending: tcf === 'pending' || gpp === 'pending' };
}

/**
 * The single source of truth for what Precis may do. Every module that stores, profiles
 * or sends asks `allows()` first and listens to `change`.
 */
export interface Consent {
  state(): ConsentState;
  status(): ConsentStatus;
  allows(permission: Permission): boolean;
  /** True when a signal said no (a CMP that answered, GPC, the site), not merely a default or a pending CMP. */
  refused(permission: Permission): boolean;
  /** Resolves once every CMP answered, or after `tcf.timeoutMs` (at once without a CMP). Waiting grants nothing. */
  readonly settled: Promise<void>;
  /** The site's own choice (its consent banner): it wins over the default; with a CMP it can only take away. */
  set(choice: Partial<Record<Permission, boolean>>): void;
  /** Called whenever the state, a signal's say, or a CMP's pending status changes. */
  on: Emitter<{ change: ConsentState }>['on'];
  dispose(): void;
}

export interface ConsentOptions {
  /** Until the site says otherwise, and only when no CMP is on the page. */
  defaultPolicy: 'allow' | 'deny';
  tcf: TcfOptions;
}

type CmpWindow = { __tcfapi?: unknown; __gpp?: unknown; navigator?: { globalPrivacyControl?: boolean } };

const gpcOn = (win: Window | undefined): boolean => (win as CmpWindow | undefined)?.navigator?.globalPrivacyControl === true;

/**
 * Whether the state the last page saved (its decisions made ahead, the visitor's id) may
 * be read and shown before anyone has answered on this page: only by the default policy
 * `allow`, without Global Privacy Control, and with no CMP's API (TCF `__tcfapi` or GPP
 * `__gpp`, stub or loaded) on the page — then only the CMP can say yes. The script tag
 * asks it before the first paint, so it is kept small.
 *
 * @example
 * readsSavedStateAtOnce(window, 'allow'); // false while a CMP is on the page
 */
export function readsSavedStateAtOnce(win: Window | undefined, defaultPolicy: 'allow' | 'deny'): boolean {
  const w = win as CmpWindow | undefined;
  return defaultPolicy === 'allow' && !w?.__tcfapi && !w?.__gpp && !gpcOn(win);
}

const sameStatus = (a: ConsentStatus, b: ConsentStatus): boolean =>
  a.pending === b.pending && ALL_PERMISSIONS.every((p) => a.state[p] === b.state[p] && a.decidedBy[p] === b.decidedBy[p]);

/**
 * Combines the default policy, IAB TCF v2.2 (`__tcfapi`), GPP (`__gpp`), Global Privacy
 * Control (`navigator.globalPrivacyControl`) and the site's explicit `set()`; see
 * `combineSignals` for how.
 *
 * @example
 * const consent = createConsent(window, { defaultPolicy: 'deny', tcf: { vendorId: 1234 } });
 * consent.on('change', (state) => console.log(state, consent.status().source));
 */
export function createConsent(win: Window | undefined, options: ConsentOptions): Consent {
  const emitter = createEmitter<{ change: ConsentState }>();
  const w = win as CmpWindow | undefined;
  const signals: ConsentSignals = {
    defaultPolicy: options.defaultPolicy,
    tcf: w?.__tcfapi ? 'pending' : undefined,
    gpp: w?.__gpp ? 'pending' : undefined,
    gpc: gpcOn(win),
    site: {},
  };
  let current = combineSignals(signals);
  let finishWaiting = (): void => {};
  const settled = new Promise<void>((resolve) => {
    finishWaiting = resolve;
  });
  const update = (): void => {
    const next = combineSignals(signals);
    if (!next.pending) finishWaiting();
    if (sameStatus(next, current)) return;
    current = next;
    emitter.emit('change', current.state);
  };

  const stops: Array<() => void> = [];
  if (signals.tcf) {
    stops.push(addCmpListener(() => w?.__tcfapi, TCF_PROTOCOL, (data, success) => {
      if (!success || !data || !isTcAnswer(data)) return; // `cmpuishown` later on keeps the last answer
      signals.tcf = stateFromTcData(data, options.tcf);
      update();
    }));
  }
  if (signals.gpp) {
    stops.push(addCmpListener(() => w?.__gpp, GPP_PROTOCOL, (event, success) => {
      const answer = success && event?.pingData ? stateFromGppPing(event.pingData, options.tcf) : undefined;
      if (!answer) return; // not ready (loading, or its UI waits): the last answer holds
      signals.gpp = answer;
      update();
    }));
  }
  // The wait ends, so the page can go on without consent; a later answer still counts.
  const timer = current.pending ? setTimeout(finishWaiting, options.tcf.timeoutMs ?? 1000) : undefined;
  if (!current.pending) finishWaiting();

  return {
    state: () => current.state,
    status: () => current,
    allows: (permission) => current.state[permission],
    refused: (permission) => {
      const by = current.decidedBy[permission];
      return !current.state[permission] && by !== 'default' && !(current.pending && (by === 'cmp' || by === 'gpp'));
    },
    settled,
    set(choice) {
      const site = { ...signals.site };
      for (const permission of ALL_PERMISSIONS) {
        if (typeof choice[permission] === 'boolean') site[permission] = choice[permission];
      }
      signals.site = site;
      update();
    },
    on: emitter.on,
    dispose() {
      clearTimeout(timer);
      for (const stop of stops.splice(0)) stop();
      emitter.clear();
    },
  };
}
