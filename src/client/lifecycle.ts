import type { Consent } from '../consent/consent';
import type { Emitter } from '../core/emitter';
import { toPrecisError, type PrecisError } from '../core/errors';
import type { DecisionScheduler } from './decision-scheduler';
import type { ResolvedOptions } from './options';
import type { Session } from './session';
import type { PersonalizerEvents } from './types';
import type { Visitor } from './visitor';

/** What the client announces to its add-ons: the public events, plus two of its own. */
export interface LifecycleEvents extends PersonalizerEvents {
  /** The page is being hidden or unloaded: what is sent must go now. */
  hidden: undefined;
  /** `forget()` (here or in another tab) made a new anonymous visitor. */
  forgotten: undefined;
}

/** What every part of the client shares; the wiring builds it once. */
export interface ClientContext {
  readonly options: ResolvedOptions;
  readonly consent: Consent;
  readonly visitor: Visitor;
  readonly win: Window | undefined;
  readonly doc: Document | undefined;
  /** The one way a failure reaches the site (the `error` event). */
  readonly report: (error: PrecisError) => void;
  /** Announces a lifecycle event (to `on()` listeners too). */
  readonly emit: Emitter<LifecycleEvents>['emit'];
  readonly on: Emitter<LifecycleEvents>['on'];
}

/** What an add-on gets: the client's context, the open session and the scheduler. */
export interface AddOnContext extends ClientContext {
  readonly session: Session;
  readonly scheduler: DecisionScheduler;
}

/**
 * Optional behaviour on the client's lifecycle seam: started once the session is open,
 * it subscribes to the events it needs and returns its cleanup, which `destroy()` runs.
 *
 * @example
 * const logRenders: AddOn = ({ on }) => on('render', (decisions) => console.debug(decisions));
 */
export type AddOn = (client: AddOnContext) => () => void;

/**
 * Starts each add-on; returns one cleanup that stops them all (in reverse order). An
 * add-on that fails to start is reported and skipped.
 *
 * @example
 * const stop = startAddOns([decideAhead, reporting], context);
 */
export function startAddOns(addOns: readonly AddOn[], context: AddOnContext): () => void {
  const cleanups: Array<() => void> = [];
  for (const addOn of addOns) {
    try {
      cleanups.push(addOn(context));
    } catch (cause) {
      context.report(toPrecisError(cause));
    }
  }
  return () => {
    for (const cleanup of cleanups.reverse()) cleanup();
  };
}
