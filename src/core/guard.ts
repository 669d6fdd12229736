import { PrecisError, toPrecisError, type ErrorCode } from './errors';

/** Receives every failure a guarded call swallowed. */
export type ErrorReporter = (error: PrecisError) => void;

/**
 * Makes a synchronous function safe to hand to a host page: whatever it throws goes to
 * `report` as a PrecisError and the caller gets `fallback` instead.
 *
 * @example
 * const safeTrack = guardSync(track, false, (err) => emitter.emit('error', err));
 */
export function guardSync<Args extends unknown[], R>(
  fn: (...args: Args) => R,
  fallback: R,
  report: ErrorReporter,
  code: ErrorCode = 'internal',
): (...args: Args) => R {
  return (...args: Args): R => {
    try {
      return fn(...args);
    } catch (cause) {
      safeReport(report, toPrecisError(cause, code));
      return fallback;
    }
  };
}

/**
 * The same for an async function: the returned promise never rejects.
 *
 * @example
 * const safeDecide = guardAsync(decide, [], (err) => emitter.emit('error', err));
 */
export function guardAsync<Args extends unknown[], R>(
  fn: (...args: Args) => Promise<R>,
  fallback: R,
  report: ErrorReporter,
  code: ErrorCode = 'internal',
): (...args: Args) => Promise<R> {
  return (...args: Args): Promise<R> => {
    try {
      return fn(...args).catch((cause: unknown) => {
        safeReport(report, toPrecisError(cause, code));
        return fallback;
      });
    } catch (cause) {
      safeReport(report, toPrecisError(cause, code));
      return Promise.resolve(fallback);
    }
  };
}

function safeReport(report: ErrorReporter, error: PrecisError): void {
  try {
    report(error);
  } catch {
    // The reporter itself failed (a throwing error listener): nothing more can be done
    // without risking an exception in the host page.
  }
}
