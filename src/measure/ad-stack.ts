import type { GptSignals, UserDataEntry } from './ad-signals';

/** The part of Google Publisher Tag Precis uses. */
interface GoogleTag {
  cmd: { push(callback: () => void): unknown };
  /** GPT's config API, where this GPT has it. */
  setConfig?(config: GptSignals): void;
  pubads(): { setTargeting(key: string, value: string | string[]): unknown; clearTargeting(key: string): unknown };
}

/** The part of Prebid.js Precis uses. */
interface Prebid {
  que: { push(callback: () => void): unknown };
  getConfig(key: 'ortb2'): { user?: { data?: UserDataEntry[] } } | undefined;
  setConfig(config: Record<string, unknown>): void;
  mergeConfig(config: Record<string, unknown>): unknown;
}

type Globals = { googletag?: GoogleTag; pbjs?: Prebid };

/**
 * Runs `run` through the library's command queue (`googletag.cmd`, `pbjs.que`), which is
 * created when the library has not loaded yet, as its own snippet does; `run` gets the
 * library as it is then (its code may have replaced the object).
 */
function enqueue<K extends keyof Globals>(win: Window, name: K, queue: 'cmd' | 'que', run: (library: NonNullable<Globals[K]>) => void): void {
  const globals = win as unknown as Record<K, Record<string, { push(callback: () => void): unknown }>>;
  (globals[name] ||= { [queue]: [] })[queue]!.push(() => run(globals[name] as unknown as NonNullable<Globals[K]>));
}

/**
 * Queues page-level settings for Google Publisher Tag through `googletag.cmd` (created
 * when GPT has not loaded yet, as GPT's own snippet does), so they apply to every ad
 * request GPT makes after them: `googletag.setConfig({targeting, pps})` where GPT has it,
 * else `pubads().setTargeting` / `clearTargeting` (PPS needs `setConfig`). The caller
 * checks consent (`personalize` and `send`).
 *
 * @example
 * sendToGpt(window, signals.gpt); // before GPT's first ad request, when queued before `display()`
 * sendToGpt(window, CLEARED_GPT); // consent withdrawn
 */
export function sendToGpt(win: Window, gpt: GptSignals): void {
  enqueue(win, 'googletag', 'cmd', (tag) => {
    if (tag.setConfig) return tag.setConfig(gpt);
    const pubads = tag.pubads();
    for (const [key, value] of Object.entries(gpt.targeting)) value ? pubads.setTargeting(key, value) : pubads.clearTargeting(key);
  });
}

/**
 * Queues Precis's `user.data` entries for Prebid.js through `pbjs.que` (created when
 * Prebid has not loaded yet): entries an earlier call left under the same `name` are
 * taken out, and these go into the first-party data with `pbjs.mergeConfig({ortb2})` —
 * replaced, never duplicated. No entries removes Precis's. The caller checks consent.
 *
 * @example
 * sendToPrebid(window, 'shop.example', signals.data); // before the first auction, from the script tag
 */
export function sendToPrebid(win: Window, name: string, entries: UserDataEntry[]): void {
  enqueue(win, 'pbjs', 'que', (pbjs) => {
    const ortb2 = pbjs.getConfig('ortb2') || {};
    const data = ortb2.user?.data?.filter((entry) => entry?.name !== name);
    // mergeConfig appends to arrays, so the entries of ours an earlier call left are taken out first.
    if (data) pbjs.setConfig({ ortb2: { ...ortb2, user: { ...ortb2.user, data } } });
    if (entries.length) pbjs.mergeConfig({ ortb2: { user: { data: entries } } });
  });
}
