/** Milliseconds since the epoch. Injected everywhere time matters so tests can fake it. */
export type Clock = () => number;

/**
 * The real clock.
 *
 * @example
 * const t = systemClock();
 */
export const systemClock: Clock = () => Date.now();

export const DAY_MS = 24 * 60 * 60 * 1000;
