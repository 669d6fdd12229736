import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConsent } from '../../src/consent/consent';
import { parseCatalog } from '../../src/decide/catalog';
import { createDecisionScheduler } from '../../src/client/decision-scheduler';
import type { ModelHost } from '../../src/client/model-host';
import type { Session } from '../../src/client/session';
import type { SlotController, SlotState } from '../../src/render/slot-controller';

const { creatives } = parseCatalog({ creatives: ['a', 'b', 'c'].map((id, i) => ({ id, slots: ['hero', 'side'], title: id, weight: 3 - i })) }, () => {});

/** A slot element as the scheduler sees it (no DOM in Node). */
const slot = (name: string) => ({ isConnected: true, getAttribute: () => name }) as unknown as HTMLElement;

function setup(history: string[] = [], doc?: Document, opened?: Promise<Session>) {
  const session = {
    catalog: { creatives },
    read: async () => ({ events: [], now: 1, visitor: { segments: [], propensity: 0 }, input: {
      now: 1, arm: 'control', profile: { categories: new Map(), items: new Map() }, segments: new Set(), purchased: new Set(), stats: new Map(),
      policy: { explore: false, priorStrength: 100, caps: {}, maxPerCategory: 3 }, random: Math.random,
    } }),
    history: async () => history,
  } as unknown as Session;
  const states = new Map<HTMLElement, SlotState>();
  const shown = new Map<HTMLElement, { creative: { id: string } }>();
  const slots = {
    stateOf: (s: HTMLElement) => states.get(s),
    waiting: () => [...states].filter(([, state]) => state === 'hidden').map(([s]) => s),
    onPage: () => new Set([...shown.values()].map((decision) => decision.creative.id)),
    show: vi.fn((s: HTMLElement, decision: { creative: { id: string } } | null) => {
      states.set(s, 'decided');
      if (decision) shown.set(s, decision);
    }),
    replace: vi.fn(),
  } as unknown as SlotController;
  let settle = (): void => {};
  const model = { settled: new Promise<void>((resolve) => { settle = resolve; }), view: async () => undefined } as unknown as ModelHost;
  const onRender = vi.fn();
  const report = vi.fn();
  const context = {
    options: { clock: () => 1, halfLifeMs: 1, hideTimeoutMs: 60_000 }, consent: createConsent(undefined, { defaultPolicy: 'allow', tcf: {} }),
    doc, report, emit: (type: string, decisions: unknown) => type === 'render' && onRender(decisions),
  } as unknown as Parameters<typeof createDecisionScheduler>[0];
  const scheduler = createDecisionScheduler(context, { opened: opened ?? Promise.resolve(session), model, slots, startedAt: 1 });
  return { scheduler, states, slots, onRender, report, settle, session };
}

/** A page with these slots, in page order (findSlots reads them through querySelectorAll). */
function page(...names: string[]) {
  vi.stubGlobal('HTMLElement', class {});
  const elements = names.map(slot);
  return { doc: { querySelectorAll: () => elements } as unknown as Document, elements };
}
const ids = (decisions: Array<{ creative: { id: string } | null }>) => decisions.map((d) => d.creative?.id);

afterEach(() => vi.unstubAllGlobals());

describe('the decision scheduler', () => {
  it('decides hidden slots one batch at a time, so no creative is shown twice', async () => {
    const { scheduler, states, onRender } = setup();
    const hero = slot('hero');
    const side = slot('side');
    states.set(hero, 'hidden').set(side, 'hidden');
    await Promise.all([scheduler.decideWaiting([hero]), scheduler.decideWaiting([side]), scheduler.decideWaiting([hero])]);
    expect(onRender.mock.calls.map(([decisions]) => decisions.map((d: { creative: { id: string } }) => d.creative.id))).toEqual([['a'], ['b']]);
    expect(scheduler.lastDecisionMs()).toBe(0);
  });

  it('decides far slots only when they approach', async () => {
    const { scheduler, states, onRender } = setup();
    const far = slot('side');
    states.set(far, 'far');
    await scheduler.decideWaiting([far]);
    expect(onRender).not.toHaveBeenCalled();
    await scheduler.decideWaiting([far], true);
    expect(onRender).toHaveBeenCalledTimes(1);
  });

  it('a failed batch is reported and does not stop the batches after it', async () => {
    const { scheduler, states, slots, onRender, report } = setup();
    const hero = slot('hero');
    states.set(hero, 'hidden');
    vi.mocked(slots.show).mockImplementationOnce(() => { throw new Error('boom'); });
    await scheduler.decideWaiting([hero]);
    expect(report).toHaveBeenCalledWith(expect.objectContaining({ code: 'render' }));
    await scheduler.decideWaiting([hero]);
    expect(onRender).toHaveBeenCalledTimes(1);
  });

  it('the first decision waits for the model only when a slot is hidden and the visitor has a history', async () => {
    const withoutHistory = setup([]);
    withoutHistory.states.set(slot('hero'), 'hidden');
    await withoutHistory.scheduler.decideFirst(); // the model never settles: not waited for
    expect(withoutHistory.onRender).toHaveBeenCalledTimes(1);

    const withHistory = setup(['x']);
    withHistory.states.set(slot('hero'), 'hidden');
    let done = false;
    const first = withHistory.scheduler.decideFirst().then(() => { done = true; });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    withHistory.settle();
    await first;
    expect(withHistory.onRender).toHaveBeenCalledTimes(1);
  });

  it('shows nothing once stopped', async () => {
    const { scheduler, states, onRender } = setup();
    states.set(slot('hero'), 'hidden');
    scheduler.stop();
    await scheduler.decideFirst();
    expect(onRender).not.toHaveBeenCalled();
  });

  it('decidePage() decides every slot on the page in page order, no creative twice, and shows nothing', async () => {
    const { doc } = page('hero', 'side', 'hero');
    const { scheduler, slots, onRender } = setup([], doc);
    const decisions = await scheduler.decidePage();
    expect(decisions.map((d) => d.slot)).toEqual(['hero', 'side', 'hero']);
    expect(ids(decisions)).toEqual(['a', 'b', 'c']);
    expect(slots.show).not.toHaveBeenCalled();
    expect(slots.replace).not.toHaveBeenCalled();
    expect(onRender).not.toHaveBeenCalled();
    expect(await setup().scheduler.decidePage()).toEqual([]); // no document: nothing to decide
  });

  it('refresh() decides every slot again, those already decided too, swaps the results in and announces them', async () => {
    const { doc, elements } = page('hero', 'side');
    const { scheduler, states, slots, onRender } = setup([], doc);
    states.set(elements[0]!, 'decided').set(elements[1]!, 'hidden');
    const decisions = await scheduler.refresh();
    expect(ids(decisions)).toEqual(['a', 'b']);
    expect(vi.mocked(slots.replace).mock.calls.map(([element, shown]) => [element, shown?.creative.id])).toEqual([[elements[0], 'a'], [elements[1], 'b']]);
    expect(onRender).toHaveBeenCalledWith(decisions);
  });

  it('refresh() waits for the session, and once stopped swaps nothing in', async () => {
    const { doc } = page('hero');
    let open = (_session: Session): void => {};
    const { scheduler, slots, onRender, session } = setup([], doc, new Promise<Session>((resolve) => { open = resolve; }));
    let done = false;
    const refreshing = scheduler.refresh().then((decisions) => { done = true; return decisions; });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    scheduler.stop();
    open(session);
    expect(await refreshing).toEqual([]);
    expect(slots.replace).not.toHaveBeenCalled();
    expect(onRender).not.toHaveBeenCalled();
  });
});
