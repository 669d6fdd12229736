/**
 * The small part of Precis's state that must be readable synchronously, before the
 * first paint (the cached decisions, the visitor's anonymous id), as one JSON value in
 * localStorage under `precis:<dbName>`. Every access is wrapped: localStorage throws in
 * some sandboxed frames and when the quota is full.
 *
 * @example
 * writeLocalState('precis', { visitor: 'k3j9', decisions: {} });
 * readLocalState('precis'); // { visitor: 'k3j9', decisions: {} }
 */
export function readLocalState(dbName: string): unknown {
  try {
    const raw = globalThis.localStorage?.getItem(keyFor(dbName));
    return raw ? (JSON.parse(raw) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Saves the state; false when localStorage refused it.
 *
 * @example
 * writeLocalState('precis', state);
 */
export function writeLocalState(dbName: string, value: unknown): boolean {
  try {
    globalThis.localStorage?.setItem(keyFor(dbName), JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

/**
 * Deletes the state.
 *
 * @example
 * removeLocalState('precis');
 */
export function removeLocalState(dbName: string): void {
  try {
    globalThis.localStorage?.removeItem(keyFor(dbName));
  } catch {
    // Nothing readable is left either way.
  }
}

function keyFor(dbName: string): string {
  return `precis:${dbName}`;
}
