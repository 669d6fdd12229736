/**
 * A tiny typed event emitter (mitt-style). A listener that throws is isolated: the
 * others still run and the failure goes to `onListenerError`.
 *
 * @example
 * const e = createEmitter<{ ready: void; error: Error }>();
 * const off = e.on('error', (err) => console.warn(err));
 * e.emit('error', new Error('x')); off();
 */
export interface Emitter<Events extends object> {
  on<K extends keyof Events>(type: K, listener: (payload: Events[K]) => void): () => void;
  emit<K extends keyof Events>(type: K, payload: Events[K]): void;
  clear(): void;
}

export function createEmitter<Events extends object>(
  onListenerError: (cause: unknown) => void = () => {},
): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<(payload: never) => void>>();
  return {
    on(type, listener) {
      let set = listeners.get(type);
      if (!set) listeners.set(type, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
      };
    },
    emit(type, payload) {
      for (const listener of [...(listeners.get(type) ?? [])]) {
        try {
          (listener as (p: typeof payload) => void)(payload);
        } catch (cause) {
          onListenerError(cause);
        }
      }
    },
    clear() {
      listeners.clear();
    },
  };
}
