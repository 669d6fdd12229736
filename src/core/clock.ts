/** Milliseconds since the epoch. Injected everywhere time matters so tests can fake it. */
export type Clock = () => number;

/**
 * The real clock.
 *
 * @example
 * const t = systemClock();
 */
export const systemClock: Clock = () => Date.now();

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** A pause longer than this ends a session (the web-analytics convention). */
export const SESSION_GAP_MS = 30 * 60 * 1000;
