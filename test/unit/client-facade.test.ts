import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPersonalizer } from '../../src/client/create-client';
import { createFacade, type FacadeParts } from '../../src/client/facade';
import { createVisitor } from '../../src/client/visitor';
import { createConsent } from '../../src/consent/consent';
import { createEmitter } from '../../src/core/emitter';

const NOW = 1_700_000_000_000;

beforeEach(() => vi.stubGlobal('indexedDB', new IDBFactory()));
afterEach(() => vi.unstubAllGlobals());

describe('the public methods’ fallbacks', () => {
  it('after forget() and a consent change, a failing profile(), myData() or consent() answers with the arm and consent as they are now', async () => {
    let failing = false;
    const precis = createPersonalizer({
      holdout: 0.5, autoCapture: false, dbName: 'precis-fallbacks',
      clock: () => {
        if (failing) throw new Error('clock broke');
        return NOW;
      },
    });
    const codes: string[] = [];
    precis.on('error', (e) => codes.push(e.code));
    await precis.ready;
    const before = (await precis.status()).arm;
    // Each forget() draws a new visitor, in either arm with even odds.
    for (let i = 0; i < 40 && (await precis.status()).arm === before; i += 1) await precis.forget();
    const after = (await precis.status()).arm;
    expect(after).not.toBe(before);
    precis.consent({ send: false });

    failing = true;
    expect((await precis.profile()).arm).toBe(after);
    expect((await precis.myData()).consent).toEqual({ store: true, personalize: true, send: false });
    expect(precis.consent(null as never)).toEqual({ store: true, personalize: true, send: false });
    expect(codes).toEqual(expect.arrayContaining(['store-read', 'invalid-options']));
    failing = false;
    precis.destroy();
  });

  it('a failing status() reports the visitor’s arm of now', async () => {
    const visitor = createVisitor({ visitor: 'v1', arm: 'control', reportedUntil: 0 }, 0);
    const report = vi.fn();
    const context = {
      options: { maxEvents: 10, attribution: { clickMs: 1, viewMs: 1 } },
      visitor, consent: createConsent(undefined, { defaultPolicy: 'allow', tcf: {} }), report, on: createEmitter().on,
    } as unknown as Parameters<typeof createFacade>[0];
    const facade = createFacade(context, { opened: Promise.reject(new Error('no store')) } as unknown as FacadeParts);
    visitor.renew(); // holdout 0: the new visitor is personalized
    expect(await facade.status()).toMatchObject({ store: null, creatives: 0, arm: 'personalized', lastDecisionMs: null, model: null });
    expect(report).toHaveBeenCalledTimes(1);
  });
});
