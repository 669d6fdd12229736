import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDecisionScheduler } from '../../src/client/decision-scheduler';
import { createModelHost, type ModelHost } from '../../src/client/model-host';
import { resolveOptions } from '../../src/client/options';
import { startSession, type Session } from '../../src/client/session';
import { createVisitor } from '../../src/client/visitor';
import { createConsent } from '../../src/consent/consent';
import { PrecisError } from '../../src/core/errors';
import { parseCatalog } from '../../src/decide/catalog';
import { featureSource, type FeatureSource } from '../../src/features';
import type { EngineInfo } from '../../src/model/engine';
import type { ModelJob } from '../../src/model/manifest';
import type { ModelClient, startModel } from '../../src/model/model-client';

// The model host with fake model clients, one per manifest: which model does which job.

const NOW = 1_700_000_000_000;

interface Fake {
  job: ModelJob;
  labels: string[];
  row: number[];
  column?: number;
  /** The label that is padding (default: 0 for item scores, else none). */
  padIndex?: number | null;
  /** Resolves `ready` after this many ms (default at once); a string fails it with that code. */
  delay?: number;
  fail?: 'model-fetch' | 'model-inference';
}

const info = (url: string, fake: Fake): EngineInfo => ({
  backend: 'cpu', name: url.split('/').at(-2)!, version: '1', job: fake.job, labels: fake.labels, column: fake.column ?? 0, fromCache: false,
  padIndex: fake.padIndex !== undefined ? fake.padIndex : fake.job === 'item-scores' ? 0 : null,
  backendChoice: { how: 'forced', msPerRun: {}, failed: {} },
});

/** A `startModel` that hands out fake clients by manifest URL, and what it started. */
function fakeStart(fakes: Record<string, Fake>) {
  const started: Array<{ url: string; client: ModelClient; disposed: () => boolean }> = [];
  const start = ((_ml: string, options: { manifestUrl: string }) => {
    const url = options.manifestUrl;
    const fake = fakes[new URL(url).pathname]!;
    let disposed = false;
    const ready = new Promise<EngineInfo>((resolve, reject) => setTimeout(() => (
      fake.fail === 'model-fetch' ? reject(new PrecisError('model-fetch', { reason: 'down' })) : resolve(info(url, fake))
    ), fake.delay ?? 0));
    const client: ModelClient = {
      ready,
      score: async () => {
        if (fake.fail === 'model-inference') throw new PrecisError('model-inference', { reason: 'boom' });
        return { scores: Float32Array.from(fake.row), backend: 'cpu' };
      },
      numTensors: async () => 7,
      loseContext: async () => false,
      thread: () => 'worker',
      dispose: () => void (disposed = true),
    };
    started.push({ url, client, disposed: () => disposed });
    return client;
  }) as unknown as typeof startModel;
  return { start, started };
}

function host(model: string | string[], fakes: Record<string, Fake>) {
  const errors: PrecisError[] = [];
  const emitted: Array<[string, unknown]> = [];
  const options = resolveOptions({ model, backend: 'auto' }, (e) => errors.push(e));
  const { start, started } = fakeStart(fakes);
  const context = { options, doc: { baseURI: 'https://shop.example/page' } as Document, report: (e: PrecisError) => errors.push(e), emit: (type: string, payload: unknown) => emitted.push([type, payload]) };
  const models = createModelHost(context as Parameters<typeof createModelHost>[0], Promise.resolve(), start);
  return { models, errors, emitted, started };
}

const ITEMS: Fake = { job: 'item-scores', labels: ['', 'a', 'b'], row: [0, 1, 5] };
const CLICKS: Fake = { job: 'creative-scores', labels: ['hero-ad', 'side-ad'], row: [0.3, 0.01] };
const BUYERS: Fake = { job: 'propensity', labels: ['no', 'yes'], row: [0.1, 0.9], column: 1 };
const source: FeatureSource = featureSource([{ type: 'view', item: 'a', time: NOW - 1000 }], new Map(), NOW);
const creatives = [{ id: 'c', slots: ['s'], title: 'c', weight: 1, targets: { items: ['a', 'b'], categories: [], segments: [] } }];

describe('the model option', () => {
  it('takes one manifest URL or an array of them', () => {
    const report = vi.fn();
    expect(resolveOptions({ model: '/m/manifest.json' }, report).model).toEqual(['/m/manifest.json']);
    expect(resolveOptions({ model: ['/a.json', '/b.json'] }, report).model).toEqual(['/a.json', '/b.json']);
    expect(resolveOptions({}, report).model).toEqual([]);
    expect(report).not.toHaveBeenCalled();
    expect(resolveOptions({ model: ['/a.json', 3] }, report).model).toEqual([]);
    expect(resolveOptions({ model: [] }, report).model).toEqual([]);
    expect(report.mock.calls.map(([e]) => [e.code, e.details.option])).toEqual([['invalid-options', 'model'], ['invalid-options', 'model']]);
  });
});

describe('the model host', () => {
  it('asks each job of the model that does it', async () => {
    const { models, errors, emitted } = host(['/items/manifest.json', '/clicks/manifest.json', '/buyers/manifest.json'], {
      '/items/manifest.json': ITEMS, '/clicks/manifest.json': CLICKS, '/buyers/manifest.json': BUYERS,
    });
    await models.settled;
    const view = await models.view(source, [], creatives);
    expect(view!.model).toEqual({ name: 'items', version: '1', job: 'item-scores' });
    expect([view!.affinity('b'), view!.affinity('a')]).toEqual([1, 0]);
    const scores = await models.creativeScores(source);
    expect(scores!.model).toEqual({ name: 'clicks', version: '1', job: 'creative-scores' });
    expect([...scores!.ctr]).toEqual([['hero-ad', expect.closeTo(0.3, 6)], ['side-ad', expect.closeTo(0.01, 6)]]);
    expect(await models.propensity(source)).toEqual({ model: { name: 'buyers', version: '1', job: 'propensity' }, propensity: expect.closeTo(0.9, 6) });
    expect((await models.recommend(source, { k: 1 })).items.map((i) => i.item)).toEqual(['b']);
    expect((await models.status()).map((m) => [m.name, m.job, m.thread, m.numTensors])).toEqual([
      ['items', 'item-scores', 'worker', 7], ['clicks', 'creative-scores', 'worker', 7], ['buyers', 'propensity', 'worker', 7],
    ]);
    expect(emitted.map(([type, payload]) => [type, (payload as { job: string }).job])).toEqual([
      ['model', 'item-scores'], ['model', 'creative-scores'], ['model', 'propensity'],
    ]);
    expect(errors).toEqual([]);
  });

  it('treats every label of a vocabulary without padding as an item', async () => {
    const pages: Fake = { job: 'item-scores', labels: ['home', 'a', 'b'], row: [9, 1, 5], padIndex: null };
    const { models } = host('/pages/manifest.json', { '/pages/manifest.json': pages });
    await models.settled;
    const view = await models.view(source, [], [{ ...creatives[0]!, targets: { items: ['home', 'b'], categories: [], segments: [] } }]);
    expect([view!.affinity('home'), view!.affinity('b')]).toEqual([1, 0]);
    expect((await models.recommend(source, { k: 1 })).items.map((i) => i.item)).toEqual(['home']);
  });

  it('answers nothing for a job no model does', async () => {
    const { models } = host('/buyers/manifest.json', { '/buyers/manifest.json': BUYERS });
    await models.settled;
    expect(await models.view(source, [], creatives)).toBeUndefined();
    expect(await models.creativeScores(source)).toBeUndefined();
    expect(await models.recommend(source, {})).toEqual({ items: [], backend: null });
    expect((await models.propensity(source))!.propensity).toBeCloseTo(0.9, 6);
  });

  it('a second model for a job is reported and ignored, even when it is ready first', async () => {
    const { models, errors, started } = host(['/first/manifest.json', '/second/manifest.json'], {
      '/first/manifest.json': { ...BUYERS, delay: 30 }, '/second/manifest.json': { ...BUYERS, row: [0, 0.2] },
    });
    await models.settled;
    expect((await models.propensity(source))!.model.name).toBe('first');
    expect(errors.map((e) => [e.code, e.details.option])).toEqual([['invalid-options', 'model']]);
    expect(errors[0]!.details.reason).toContain('second propensity model (second 1)');
    expect(started.map((s) => [new URL(s.url).pathname, s.disposed()])).toEqual([['/first/manifest.json', false], ['/second/manifest.json', true]]);
    expect((await models.status()).map((m) => m.name)).toEqual(['first']);
  });

  it('a model that fails to load is reported; the others do their jobs', async () => {
    const { models, errors } = host(['/items/manifest.json', '/clicks/manifest.json'], {
      '/items/manifest.json': { ...ITEMS, fail: 'model-fetch' }, '/clicks/manifest.json': CLICKS,
    });
    await models.settled;
    expect(errors.map((e) => e.code)).toEqual(['model-fetch']);
    expect(await models.view(source, [], creatives)).toBeUndefined();
    expect((await models.creativeScores(source))!.ctr.get('hero-ad')).toBeCloseTo(0.3, 6);
  });

  it('a failed inference is reported and answers nothing', async () => {
    const { models, errors } = host(['/clicks/manifest.json', '/buyers/manifest.json'], {
      '/clicks/manifest.json': { ...CLICKS, fail: 'model-inference' }, '/buyers/manifest.json': { ...BUYERS, fail: 'model-inference' },
    });
    await models.settled;
    expect(await models.creativeScores(source)).toBeUndefined();
    expect(await models.propensity(source)).toBeUndefined();
    expect(errors.map((e) => e.code)).toEqual(['model-inference', 'model-inference']);
  });

  it('disposes every model it started', async () => {
    const { models, started } = host(['/items/manifest.json', '/buyers/manifest.json'], { '/items/manifest.json': ITEMS, '/buyers/manifest.json': BUYERS });
    await models.settled;
    models.dispose();
    expect(started.map((s) => s.disposed())).toEqual([true, true]);
    expect(await models.propensity(source)).toBeUndefined();
  });
});

describe('the session with a propensity model', () => {
  beforeEach(() => vi.stubGlobal('indexedDB', new IDBFactory()));
  afterEach(() => vi.unstubAllGlobals());

  async function read(defaultPolicy: 'allow' | 'deny') {
    const options = resolveOptions({ dbName: 'precis-jobs', clock: () => NOW }, () => {});
    const consent = createConsent(undefined, { defaultPolicy, tcf: {} });
    const visitor = createVisitor({ visitor: 'v1', arm: 'personalized', reportedUntil: 0 }, 0);
    const modelPropensity = vi.fn(async (s: FeatureSource) => ({ model: { name: 'buyers', version: '1', job: 'propensity' as const }, propensity: s.counters.views7d > 0 ? 0.7 : 0.1 }));
    const { intake, opened } = startSession({ options, consent, visitor, report: () => {} }, {
      started: undefined, onForgottenElsewhere: () => {}, modelPropensity,
    });
    intake.add({ type: 'view', item: 'a', category: 'rpg', time: NOW - 1000 });
    const session = await opened;
    return { snapshot: await session.read(), profile: await session.profile(), modelPropensity };
  }

  it("describes the visitor with the model's propensity, from the snapshot's features", async () => {
    const { snapshot, profile, modelPropensity } = await read('allow');
    expect(modelPropensity).toHaveBeenCalledWith(snapshot.source);
    expect(snapshot.source.counters.views7d).toBe(1);
    expect(snapshot.visitor).toMatchObject({ propensity: 0.7, propensityModel: { name: 'buyers' } });
    expect(snapshot.visitor.segments.at(-1)).toBe('propensity:high');
    expect(snapshot.input.propensityModel).toEqual({ name: 'buyers', version: '1', job: 'propensity' });
    expect(profile).toMatchObject({ propensity: 0.7, propensityModel: { name: 'buyers' } });
  });

  it('asks no model without `personalize`', async () => {
    const { snapshot, modelPropensity } = await read('deny');
    expect(modelPropensity).not.toHaveBeenCalled();
    expect(snapshot.visitor).not.toHaveProperty('propensityModel');
  });
});

describe('the decisions with a creative-scores model', () => {
  const catalog = parseCatalog({ creatives: [
    { id: 'known', slots: ['hero'], title: 'Known', priorCtr: 0.05 },
    { id: 'sleeper', slots: ['hero'], title: 'Sleeper', priorCtr: 0.01 },
  ] }, () => {});
  const scores = { model: { name: 'clicks', version: '1', job: 'creative-scores' as const }, ctr: new Map([['sleeper', 0.4]]) };

  async function decideHero(arm: 'personalized' | 'control') {
    const session = {
      catalog,
      read: async () => ({ events: [], now: NOW, source, visitor: { segments: [], propensity: 0 }, input: {
        now: NOW, arm, profile: { categories: new Map(), items: new Map() }, segments: new Set(), purchased: new Set(), stats: new Map(),
        policy: { explore: false, priorStrength: 100, caps: {}, maxPerCategory: 3 }, random: Math.random,
      } }),
    } as unknown as Session;
    const model = { view: vi.fn(async () => undefined), creativeScores: vi.fn(async () => scores) } as unknown as ModelHost;
    const context = { options: { clock: () => NOW, halfLifeMs: 1 } } as unknown as Parameters<typeof createDecisionScheduler>[0];
    const scheduler = createDecisionScheduler(context, { opened: Promise.resolve(session), model, slots: undefined, startedAt: NOW });
    const [result] = await scheduler.decideFor(['hero'], new Set());
    return { ...result!, asked: vi.mocked(model.creativeScores).mock.calls.length };
  }

  it("the personalised arm's decision follows the model's scores, and why() names it", async () => {
    const { decision, explanation, asked } = await decideHero('personalized');
    expect(asked).toBe(1);
    expect(decision.creative!.id).toBe('sleeper');
    expect(explanation).toMatchObject({ prior: { source: 'model', ctr: 0.4 }, models: [scores.model] });
  });

  it('the control arm does not ask the model', async () => {
    const { decision, asked } = await decideHero('control');
    expect(asked).toBe(0);
    expect(decision.creative!.id).toBe('known');
  });
});
