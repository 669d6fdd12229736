/**
 * Every failure Precis reports carries one of these codes. They are stable: a site can
 * switch on them. Add a code here before using it anywhere else.
 */
export type ErrorCode =
  | 'invalid-options'
  | 'invalid-event'
  | 'invalid-catalog'
  | 'catalog-fetch'
  | 'store-unavailable'
  | 'store-write'
  | 'store-read'
  | 'render'
  | 'callback'
  | 'model-manifest'
  | 'model-fetch'
  | 'model-integrity'
  | 'model-unsupported'
  | 'model-backend'
  | 'model-inference'
  | 'report'
  | 'internal';

/**
 * An error with a stable code and a details object (Workbox-style).
 *
 * @example
 * throw new PrecisError('invalid-event', { reason: 'missing item' });
 */
export class PrecisError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, details: Record<string, unknown> = {}) {
    super(`precis: ${code}${details.reason ? ` (${String(details.reason)})` : ''}`);
    this.name = 'PrecisError';
    this.code = code;
    this.details = details;
  }
}

/**
 * Wraps anything thrown into a PrecisError, keeping codes that are already ours.
 *
 * @example
 * catch (e) { emitError(toPrecisError(e, 'store-write')) }
 */
export function toPrecisError(cause: unknown, fallback: ErrorCode = 'internal'): PrecisError {
  if (cause instanceof PrecisError) return cause;
  return new PrecisError(fallback, { reason: describeCause(cause) });
}

/**
 * A one-line description of anything thrown.
 *
 * @example
 * describeCause(new TypeError('x')); // 'TypeError: x'
 */
export function describeCause(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
