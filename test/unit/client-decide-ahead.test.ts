import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConsent } from '../../src/consent/consent';
import { createEmitter } from '../../src/core/emitter';
import { decideAhead } from '../../src/client/decide-ahead';
import type { AddOnContext, LifecycleEvents } from '../../src/client/lifecycle';
import { createVisitor } from '../../src/client/visitor';

const creative = (id: string) => ({ id, slots: ['hero', 'side'] });

function context() {
  const lifecycle = createEmitter<LifecycleEvents>();
  const visitor = createVisitor({ visitor: 'v1', arm: 'personalized', reportedUntil: 0 }, 0);
  const consent = createConsent(undefined, { defaultPolicy: 'allow', tcf: {} });
  const saved: unknown[] = [];
  let release = (): void => {};
  const decideFor = vi.fn(async (names: readonly string[]) => {
    await new Promise<void>((resolve) => { release = resolve; if (!holding) resolve(); });
    return names.map((slot) => ({ decision: { slot, creative: creative(`for-${slot}`) }, explanation: { arm: 'personalized' } }));
  });
  let holding = false;
  const ctx = {
    session: { catalog: { creatives: [creative('a'), creative('b')] }, saveVisitor: () => saved.push(visitor.state()) },
    visitor, consent, scheduler: { decideFor }, report: vi.fn(), on: lifecycle.on,
  } as unknown as AddOnContext;
  return { ctx, lifecycle, visitor, consent, saved, decideFor, hold: () => { holding = true; }, release: () => release() };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('decide-ahead add-on', () => {
  it('batches what changes over 50 ms into one decision per slot, and saves it for the next page', async () => {
    const { ctx, lifecycle, saved, decideFor } = context();
    const stop = decideAhead(ctx);
    lifecycle.emit('track', {} as never);
    lifecycle.emit('exposure', {} as never);
    lifecycle.emit('render', []);
    expect(decideFor).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(50);
    expect(decideFor).toHaveBeenCalledTimes(1);
    expect(decideFor.mock.calls[0]![0]).toEqual(['hero', 'side']);
    expect(saved).toEqual([expect.objectContaining({ decisions: { hero: expect.objectContaining({ creative: creative('for-hero') }), side: expect.anything() } })]);
    stop();
  });

  it('keeps nothing ahead without `personalize`', async () => {
    const { ctx, lifecycle, saved, decideFor, consent } = context();
    consent.set({ personalize: false });
    const stop = decideAhead(ctx);
    lifecycle.emit('ready', { store: 'memory', creatives: 2 });
    await vi.advanceTimersByTimeAsync(50);
    expect(decideFor).not.toHaveBeenCalled();
    expect(saved).toEqual([expect.objectContaining({ decisions: {} })]);
    stop();
  });

  it('does not save decisions made for a visitor forgotten meanwhile', async () => {
    const { ctx, lifecycle, saved, visitor, hold, release } = context();
    const stop = decideAhead(ctx);
    hold();
    lifecycle.emit('model', {} as never);
    await vi.advanceTimersByTimeAsync(50);
    visitor.renew(); // forget() while deciding
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(saved).toEqual([]);
    stop();
  });

  it('its cleanup cancels what was scheduled and stops listening', async () => {
    const { ctx, lifecycle, decideFor } = context();
    const stop = decideAhead(ctx);
    lifecycle.emit('track', {} as never);
    stop();
    lifecycle.emit('track', {} as never);
    await vi.advanceTimersByTimeAsync(200);
    expect(decideFor).not.toHaveBeenCalled();
  });
});
