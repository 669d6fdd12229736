import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { adStackExport } from '../../src/client/ad-stack-export';
import type { AddOnContext, LifecycleEvents } from '../../src/client/lifecycle';
import { createVisitor } from '../../src/client/visitor';
import { createConsent } from '../../src/consent/consent';
import { createEmitter } from '../../src/core/emitter';

function context() {
  const lifecycle = createEmitter<LifecycleEvents>();
  const visitor = createVisitor({ visitor: 'v1', arm: 'personalized', reportedUntil: 0 }, 0);
  const consent = createConsent(undefined, { defaultPolicy: 'allow', tcf: {} });
  const saved: unknown[] = [];
  const targeting: unknown[] = [];
  const win = {
    googletag: { cmd: { push: (fn: () => void) => fn() }, setConfig: (config: { targeting?: unknown; pps?: unknown }) => targeting.push(config) },
  } as unknown as Window;
  const ctx = {
    options: { adStack: { name: 'shop.example', siteSegments: false } },
    session: {
      catalog: { creatives: [], audience: { categories: new Map([['racing', ['742']]]), segments: new Map() } },
      read: async () => ({ visitor: { segments: ['interest:racing'], propensity: 0.6 } }),
      saveVisitor: () => saved.push(visitor.state()),
    },
    visitor, consent, win, report: vi.fn(), on: lifecycle.on,
  } as unknown as AddOnContext;
  return { ctx, lifecycle, consent, saved, targeting };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('ad-stack add-on', () => {
  it('sends the segments to GPT and keeps them for the next page, batched over a burst', async () => {
    const { ctx, lifecycle, saved, targeting } = context();
    const stop = adStackExport(ctx);
    lifecycle.emit('ready', { store: 'memory', creatives: 0 });
    lifecycle.emit('track', {} as never);
    await vi.advanceTimersByTimeAsync(50);
    expect(targeting).toEqual([{
      targeting: { precis_seg: ['interest:racing'], precis_pb: 'high' },
      pps: { taxonomies: { IAB_AUDIENCE_1_1: { values: ['742'] } } },
    }]);
    expect(saved).toEqual([expect.objectContaining({ ads: expect.objectContaining({ name: 'shop.example' }) })]);
    stop();
  });

  it('withdraws the signals (and keeps none) when `send` is withdrawn', async () => {
    const { ctx, lifecycle, consent, saved, targeting } = context();
    const stop = adStackExport(ctx);
    lifecycle.emit('ready', { store: 'memory', creatives: 0 });
    await vi.advanceTimersByTimeAsync(50);
    consent.set({ send: false });
    lifecycle.emit('consent', consent.state());
    await vi.advanceTimersByTimeAsync(50);
    expect(targeting.at(-1)).toEqual(expect.objectContaining({ targeting: { precis_seg: null, precis_pb: null } }));
    expect(saved.at(-1)).not.toHaveProperty('ads');
    stop();
  });

  it('does nothing with adStack: false', () => {
    const { ctx, lifecycle } = context();
    const stop = adStackExport({ ...ctx, options: { ...ctx.options, adStack: undefined } });
    lifecycle.emit('ready', { store: 'memory', creatives: 0 });
    expect(vi.getTimerCount()).toBe(0);
    stop();
  });
});
