import { createEmitter, type Emitter } from '../core/emitter';
import { toPrecisError, type PrecisError } from '../core/errors';
import type { LifecycleEvents } from './lifecycle';

/** The public events, with the one way every failure reaches the site: `report`. */
export interface ErrorChannel {
  /** The emitter behind `on()` and the add-ons; a listener that throws is reported as a `callback` error. */
  readonly emitter: Emitter<LifecycleEvents>;
  /** Emits `error`; errors reported before the first microtask are held until then. */
  report(error: PrecisError): void;
}

/**
 * Creates the public event emitter and its error reporter. Errors found while the client
 * starts (bad options, no IndexedDB) are held until the caller has had a chance to call
 * `on('error')` (or the loader to run the queued callbacks); an `error` listener that
 * throws does not start a loop of error events.
 *
 * @example
 * const { emitter, report } = createErrorChannel();
 * report(new PrecisError('invalid-options')); // emitted after the current task's microtasks
 */
export function createErrorChannel(): ErrorChannel {
  let reporting = false;
  let held: PrecisError[] | null = [];
  const report = (error: PrecisError): void => {
    if (held) {
      held.push(error);
      return;
    }
    if (reporting) return;
    reporting = true;
    try {
      emitter.emit('error', error);
    } finally {
      reporting = false;
    }
  };
  const emitter = createEmitter<LifecycleEvents>((cause) => report(toPrecisError(cause, 'callback')));
  queueMicrotask(() => {
    const errors = held ?? [];
    held = null;
    for (const error of errors) report(error);
  });
  return { emitter, report };
}
