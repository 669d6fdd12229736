import type { Personalizer } from '../client/types';

/** A callback queued with `precis.push(fn)`; it gets the personalizer. */
export type QueuedCallback = (api: Personalizer) => void;

/** `window.precis` once the script has run. */
export interface PrecisGlobal {
  push(callback: QueuedCallback): void;
  readonly loaded: true;
}

declare global {
  interface Window {
    /** The command queue: an array before the script loads, PrecisGlobal after. */
    precis?: PrecisGlobal | QueuedCallback[];
    /** Options for the script tag, read when it loads; `data-*` attributes win. */
    precisConfig?: unknown;
  }
}
