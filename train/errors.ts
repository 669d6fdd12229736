/**
 * Error with a stable machine-readable code; the CLI prints `precis: <code>: <message>`
 * on one line and exits non-zero.
 *
 * @example
 * throw new PrecisError('E_EMPTY_DATA', 'no interactions in log.txt');
 */
export class PrecisError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PrecisError';
  }
}
