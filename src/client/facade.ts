import type { TrackInput } from '../capture/event';
import type { Permission } from '../consent/consent';
import type { ErrorCode } from '../core/errors';
import type { Decision } from '../decide/rank';
import { guardAsync, guardSync } from '../core/guard';
import { computeMetrics } from '../measure/metrics';
import type { SlotController } from '../render/slot-controller';
import { MAX_EXPOSURES } from '../store/gated-store';
import type { DecisionScheduler } from './decision-scheduler';
import type { ModelHost } from './model-host';
import type { ClientContext } from './lifecycle';
import type { Session } from './session';
import type { Personalizer, PersonalizerEvents, PersonalizerStatus, VisitorData, VisitorProfile } from './types';

/** The parts the public methods delegate to, besides the client's context. */
export interface FacadeParts {
  ready: Promise<void>;
  opened: Promise<Session>;
  scheduler: DecisionScheduler;
  model: ModelHost;
  slots: SlotController | undefined;
  /** Decides every slot again (guarded: never rejects). */
  refresh(): Promise<Decision[]>;
  /** Validates and records an event; false after `destroy()`. Throws on an invalid event. */
  track(event: TrackInput): boolean;
  forget(): Promise<void>;
  destroy(): void;
  destroyed(): boolean;
}

/**
 * The public `Personalizer`: each method delegates to a part, through a guard, so none
 * throws and no promise rejects. A failed method's fallback is computed when it fails,
 * so it shows the visitor's arm and consent as they are then (after `forget()` or a
 * consent change too), not as they were when the client started.
 *
 * @example
 * const personalizer = createFacade(context, { ready, opened, scheduler, model, slots, refresh, track, forget, destroy, destroyed });
 */
export function createFacade(
  { options, visitor, consent, report, on }: Pick<ClientContext, 'options' | 'visitor' | 'consent' | 'report' | 'on'>,
  parts: FacadeParts,
): Personalizer {
  const { opened, scheduler, model, slots } = parts;
  const { maxEvents, attribution } = options;
  // Like guardAsync, with a fallback computed when the call fails (`fn` never resolves to undefined).
  const safely = <R>(fn: () => Promise<R>, fallback: () => R, code?: ErrorCode) => {
    const guarded = guardAsync<[], R | undefined>(fn, undefined, report, code);
    return async (): Promise<R> => (await guarded()) ?? fallback();
  };
  const fallbackProfile = (): VisitorProfile => ({ segments: [], propensity: 0, arm: visitor.arm(), categories: [], items: [] });
  const fallbackData = (): VisitorData => ({ consent: consent.state(), storedIn: null, events: [], exposures: [], state: null });
  const setConsent = guardSync((choice: Partial<Record<Permission, boolean>>) => consent.set(choice), undefined, report, 'invalid-options');

  return {
    ready: parts.ready,
    track: guardSync(parts.track, false, report, 'invalid-event'),
    decide: guardAsync(() => scheduler.decidePage(), [], report),
    refresh: parts.refresh,
    recommend: guardAsync(async (request: { k?: number; among?: readonly string[] } = {}) => {
      const session = await opened;
      await model.settled;
      const snapshot = consent.allows('personalize') ? await session.read() : undefined;
      return model.recommend(snapshot?.source, request);
    }, { items: [], backend: null }, report, 'model-inference'),
    status: safely(async (): Promise<PersonalizerStatus> => {
      const { store, catalog } = await opened;
      const base = { store: store.kind(), creatives: catalog.creatives.length, arm: visitor.arm(), lastDecisionMs: scheduler.lastDecisionMs(), consent: consent.status() };
      const models = await model.status();
      return { ...base, model: models.find((m) => m.job === 'item-scores') ?? models[0] ?? null, models };
    }, () => ({ store: null, creatives: 0, arm: visitor.arm(), lastDecisionMs: null, consent: consent.status(), model: null, models: [] })),
    why: guardSync((slot: HTMLElement | string) => slots?.explanation(slot) ?? null, null, report),
    metrics: guardAsync(async () => {
      const { store } = await opened;
      return computeMetrics(await store.exposures(MAX_EXPOSURES), await store.recent(maxEvents), attribution);
    }, computeMetrics([], []), report, 'store-read'),
    profile: safely(async () => (await opened).profile(), fallbackProfile, 'store-read'),
    dismiss: guardSync((slot: HTMLElement | string) => slots?.dismiss(slot), undefined, report),
    consent: (choice) => {
      setConsent(choice);
      return consent.state(); // what holds now, whether the choice was taken or refused
    },
    forget: guardAsync(parts.forget, undefined, report, 'store-write'),
    myData: safely(async () => {
      const { store } = await opened;
      return {
        consent: consent.state(),
        storedIn: store.kind(),
        events: await store.recent(maxEvents),
        exposures: await store.exposures(MAX_EXPOSURES),
        state: store.readState() ?? null,
      };
    }, fallbackData, 'store-read'),
    on: guardSync(
      <K extends keyof PersonalizerEvents>(type: K, listener: (payload: PersonalizerEvents[K]) => void) =>
        parts.destroyed() ? () => {} : on(type, listener),
      () => {},
      report,
    ) as Personalizer['on'],
    destroy: guardSync(parts.destroy, undefined, report),
  };
}
