/** Calls the CMP's API function as it is now (the CMP replaces its stub when it loads). */
export type CmpCall = (...args: unknown[]) => void;

/** How to add and remove a listener on one CMP API (TCF's `__tcfapi` or GPP's `__gpp`). */
export interface CmpListenerProtocol<T> {
  add(call: CmpCall, callback: (data: T | null, success: boolean) => void): void;
  remove(call: CmpCall, listenerId: number): void;
}

/**
 * Adds an event listener to a CMP API and hands every call back to `onData`. Returns the
 * function that stops listening: it removes the listener with the id the CMP gave, at
 * once or, when the CMP has not loaded yet (its stub queued the call), as soon as it
 * calls back. A CMP that throws is a CMP that never answers.
 *
 * @example
 * const stop = addCmpListener(() => window.__gpp, GPP_PROTOCOL, (event) => console.log(event));
 */
export function addCmpListener<T extends { listenerId?: unknown }>(
  api: () => unknown,
  protocol: CmpListenerProtocol<T>,
  onData: (data: T | null, success: boolean) => void,
): () => void {
  let listenerId: number | undefined;
  let stopped = false;
  const call: CmpCall = (...args) => {
    const current = api();
    if (typeof current === 'function') (current as CmpCall)(...args);
  };
  const remove = (): void => {
    if (listenerId === undefined) return;
    try {
      protocol.remove(call, listenerId);
    } catch {
      // A broken CMP: nothing more to do.
    }
    listenerId = undefined;
  };
  try {
    protocol.add(call, (data, success) => {
      if (typeof data?.listenerId === 'number') listenerId = data.listenerId;
      if (stopped) remove();
      else onData(data, success);
    });
  } catch {
    // No answer will come: no consent.
  }
  return () => {
    stopped = true;
    remove();
  };
}
