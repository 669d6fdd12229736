/**
 * Progress bar on stderr: epoch, loss, examples/s and ETA. Redraws in place on a
 * TTY, otherwise prints a line at most every `intervalMs`.
 */

/** Fields of one progress update. */
export interface ProgressUpdate {
  epoch: number;
  epochs: number;
  /** Fraction of the current epoch done, 0..1. */
  fraction: number;
  loss: number;
  examplesPerSecond: number;
  /** Training seconds so far (all epochs, including resumed ones). */
  secondsSoFar: number;
}

/** Receives progress updates and log lines. */
export interface ProgressReporter {
  step(u: ProgressUpdate): void;
  log(line: string): void;
}

/**
 * Format seconds as h:mm:ss.
 *
 * @example
 * formatDuration(3725); // '1:02:05'
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Create the stderr progress reporter (silent when `quiet`).
 *
 * @example
 * const p = createProgressReporter();
 * p.step({ epoch: 1, epochs: 10, fraction: 0.5, loss: 3.2, examplesPerSecond: 9000, secondsSoFar: 12 });
 */
export function createProgressReporter(opts: { quiet?: boolean; intervalMs?: number; stream?: NodeJS.WriteStream } = {}): ProgressReporter {
  const stream = opts.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const interval = opts.intervalMs ?? (tty ? 200 : 15000);
  let last = 0;
  let drawn = false;
  return {
    step(u) {
      if (opts.quiet) return;
      const now = Date.now();
      if (now - last < interval && u.fraction < 1) return;
      last = now;
      const width = 24;
      const filled = Math.round(Math.min(1, u.fraction) * width);
      const doneEpochs = u.epoch - 1 + u.fraction;
      const perEpoch = doneEpochs > 0 ? u.secondsSoFar / doneEpochs : NaN;
      const eta = perEpoch * (u.epochs - doneEpochs);
      const line =
        `epoch ${u.epoch}/${u.epochs} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` +
        `${(u.fraction * 100).toFixed(0).padStart(3)}% loss ${u.loss.toFixed(4)} ` +
        `${Math.round(u.examplesPerSecond)} ex/s ETA ${formatDuration(eta)} (max epochs)`;
      if (tty) {
        stream.write(`\r${line}\x1b[K`);
        drawn = true;
      } else stream.write(`${line}\n`);
    },
    log(line) {
      if (opts.quiet) return;
      if (drawn) {
        stream.write('\r\x1b[K');
        drawn = false;
      }
      stream.write(`${line}\n`);
    },
  };
}
