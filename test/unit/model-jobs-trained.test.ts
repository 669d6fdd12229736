import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrecisEvent } from '../../src/capture/event';
import { createModelHost } from '../../src/client/model-host';
import { resolveOptions } from '../../src/client/options';
import { DAY_MS } from '../../src/core/clock';
import { createRandom } from '../../src/decide/bandit';
import { parseCatalog } from '../../src/decide/catalog';
import { buildProfile } from '../../src/decide/profile';
import { decideSlots } from '../../src/decide/rank';
import { describeVisitor } from '../../src/decide/segments';
import { featureSource } from '../../src/features';
import { parseManifest, type PrecisManifest } from '../../src/model/manifest';
import type { ModelClient, startModel } from '../../src/model/model-client';
import { sha256Hex } from '../../train/manifest';
import { TEST_CATALOG } from '../browser/helpers';
import { predict, SCORED_CREATIVES, trainCreativeModel, trainPropensityModel, writeModel } from '../tiny-models';

// Two tiny models trained here with tfjs-layers, written as a site ships them, and run
// through the model host (the model's arithmetic in Node stands in for the worker's):
// the segments and the decisions follow their outputs.

const NOW = Date.UTC(2030, 0, 6, 12);
const dir = mkdtempSync(join(tmpdir(), 'precis-tiny-models-'));
const models = new Map<string, { model: tf.LayersModel; manifest: PrecisManifest }>();

beforeAll(async () => {
  await tf.setBackend('cpu');
  const buyers = await trainPropensityModel();
  const clicks = await trainCreativeModel();
  models.set('/buyers/manifest.json', { model: buyers, manifest: await writeModel(join(dir, 'buyers'), buyers, 'propensity', '1') });
  models.set('/clicks/manifest.json', { model: clicks, manifest: await writeModel(join(dir, 'clicks'), clicks, 'creative-scores', '1') });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A `startModel` whose clients run the trained models here. */
const start = ((_ml: string, { manifestUrl }: { manifestUrl: string }) => {
  const { model, manifest } = models.get(new URL(manifestUrl).pathname)!;
  const job = manifest.output.kind as 'propensity' | 'creative-scores';
  const labels = manifest.output.kind === 'creative-scores' ? manifest.output.creatives : ['propensity'];
  const client: ModelClient = {
    ready: Promise.resolve({ backend: 'cpu', name: manifest.name, version: manifest.version, job, labels, column: 0, fromCache: false, padIndex: null,
      backendChoice: { how: 'forced', msPerRun: {}, failed: {} } }),
    score: async (source) => ({ scores: Float32Array.from(predict(model, job, source)), backend: 'cpu' }),
    numTensors: async () => tf.memory().numTensors,
    loseContext: async () => false,
    thread: () => 'main',
    dispose: () => {},
  };
  return client;
}) as unknown as typeof startModel;

function host() {
  const options = resolveOptions({ model: ['/buyers/manifest.json', '/clicks/manifest.json'] }, () => {});
  const context = { options, doc: { baseURI: 'https://shop.example/' } as Document, report: () => {}, emit: () => {} };
  return createModelHost(context as Parameters<typeof createModelHost>[0], Promise.resolve(), start);
}

const racingFan: PrecisEvent[] = [
  { type: 'view', item: 'r1', category: 'racing', time: NOW - 3 * 60_000 },
  { type: 'view', item: 'r2', category: 'racing', time: NOW - 2 * 60_000 },
  { type: 'add_to_cart', item: 'r2', category: 'racing', time: NOW - 60_000 },
];

describe('tiny trained models', () => {
  it('are written with valid v2 manifests whose hashes match the files', () => {
    for (const name of ['buyers', 'clicks']) {
      const manifest = parseManifest(JSON.parse(readFileSync(join(dir, name, 'manifest.json'), 'utf8')));
      for (const [file, hash] of Object.entries(manifest.files)) expect(sha256Hex(readFileSync(join(dir, name, file)))).toBe(hash);
    }
  });

  it("the propensity model's output replaces the formula in the segments", async () => {
    const models = host();
    await models.settled;
    const profile = buildProfile(racingFan, NOW, 7 * DAY_MS);
    const source = featureSource(racingFan, profile.categories, NOW);
    const formula = describeVisitor(racingFan, profile, NOW);
    expect(formula.segments.at(-1)).toBe('propensity:low'); // one cart: the formula says low
    const estimate = await models.propensity(source);
    expect(estimate!.propensity).toBeCloseTo(predict(models_('/buyers/manifest.json'), 'propensity', source)[0]!, 6);
    expect(estimate!.propensity).toBeGreaterThan(0.5); // the model learnt that a cart means a purchase
    const described = describeVisitor(racingFan, profile, NOW, estimate);
    expect(described.segments.at(-1)).toBe('propensity:high');
    expect(described.propensityModel).toEqual({ name: 'tiny-buyers', version: '1', job: 'propensity' });
  });

  it("the creative-scores model's output decides between the creatives it scores", async () => {
    const models = host();
    await models.settled;
    const { creatives } = parseCatalog(TEST_CATALOG, () => {});
    const profile = buildProfile(racingFan, NOW, 7 * DAY_MS);
    const source = featureSource(racingFan, profile.categories, NOW);
    const input = {
      now: NOW, arm: 'personalized' as const, profile, segments: new Set<string>(), purchased: new Set<string>(), stats: new Map(),
      policy: { explore: false, priorStrength: 100, caps: {}, maxPerCategory: 1 }, random: createRandom(1),
    };
    const [before] = decideSlots(['hero'], creatives, input);
    expect(before!.creative!.id).toMatch(/^racing-/); // the targeting alone: a racing creative
    const scores = await models.creativeScores(source);
    const row = predict(models_('/clicks/manifest.json'), 'creative-scores', source);
    expect([...scores!.ctr.keys()]).toEqual(SCORED_CREATIVES);
    SCORED_CREATIVES.forEach((id, k) => expect(scores!.ctr.get(id)).toBeCloseTo(row[k]!, 6));
    const [after] = decideSlots(['hero'], creatives, { ...input, creativeScores: scores });
    expect(after!.creative!.id).toBe('rpg-week'); // racing fans click the RPG week, the model says
    expect(after!.prior).toMatchObject({ source: 'model', ctr: expect.closeTo(row[1]!, 6) });
    expect(after!.models).toEqual([{ name: 'tiny-clicks', version: '1', job: 'creative-scores' }]);
    // The control arm's choice is unchanged.
    expect(decideSlots(['hero'], creatives, { ...input, arm: 'control', creativeScores: scores })[0]!.creative!.id).toBe('house');
  });
});

function models_(url: string): tf.LayersModel {
  return models.get(url)!.model;
}
