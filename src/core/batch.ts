/** Calls batched over a delay: many `schedule()`s in a burst become one call. */
export interface Batch {
  schedule(): void;
  /** Cancels what is scheduled; later `schedule()`s do nothing. */
  stop(): void;
}

/**
 * Runs `run` once, `delayMs` after the first of a burst of `schedule()` calls.
 *
 * @example
 * const batch = batchCalls(() => void decideAgain(), 50);
 * emitter.on('track', batch.schedule);
 */
export function batchCalls(run: () => void, delayMs: number): Batch {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  return {
    schedule() {
      if (timer !== undefined || stopped) return;
      timer = setTimeout(() => {
        timer = undefined;
        run();
      }, delayMs);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
