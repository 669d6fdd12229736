import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { GoldenFixture } from '../../train/make-golden';

// train/'s golden fixture: 100 histories with the shipped model's top-10 ids and scores,
// computed in Node. The browser runtime must reproduce them on every backend.
const fixture = JSON.parse(readFileSync(new URL('../fixtures/games-golden.json', import.meta.url), 'utf8')) as GoldenFixture;
const MANIFEST = '/demo/models/games/manifest.json';
/** The bar: scores within 1e-4 of Node's (stricter than the fixture's own note). */
const TOLERANCE = 1e-4;

for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu'] as const) {
  test(`golden parity on ${backend}: the same top-10 items, scores within ${TOLERANCE}`, async ({ page }) => {
    test.setTimeout(300_000);
    await page.goto('/test/browser/pages/empty.html');
    const results = await page.evaluate(async ({ manifestUrl, name, histories }) => {
      const mlUrl = '/dist/precis-ml.js';
      const ml = (await import(mlUrl)) as typeof import('../../src/model/ml-chunk');
      const engine = await ml.createEngine({ manifestUrl, backend: name, timeoutMs: 60_000, maxAgeMs: 0, wasmPaths: '/dist/' });
      const indexOf = new Map(engine.info.labels.map((id, i) => [id, i]));
      const source = (history: string[]) => ({ history, categories: {}, counters: { historyLength: history.length, sessionEvents: 0, sessions: 1, daysSinceLastVisit: 0, views7d: 0, carts7d: 0, purchases: 0 } });
      const out: Array<{ top: Array<{ item: string; score: number }>; expectedScores: number[] }> = [];
      for (const { history, expectedItems } of histories) {
        const scores = await engine.score(source(history));
        const top = [...scores.keys()].slice(1).sort((a, b) => scores[b]! - scores[a]!).slice(0, 10);
        out.push({
          top: top.map((index) => ({ item: engine.info.labels[index]!, score: scores[index]! })),
          expectedScores: expectedItems.map((item) => scores[indexOf.get(item)!]!),
        });
      }
      return { backend: engine.info.backend, out };
    }, {
      manifestUrl: MANIFEST,
      name: backend,
      histories: fixture.cases.map((c) => ({ history: c.history, expectedItems: c.top.map((t) => t.item) })),
    });

    expect(results.backend).toBe(backend);
    fixture.cases.forEach((expected, i) => {
      const { top, expectedScores } = results.out[i]!;
      // Every golden item scores the same here…
      expected.top.forEach((t, k) => expect(Math.abs(expectedScores[k]! - t.score), `${expected.id} ${t.item}`).toBeLessThan(TOLERANCE));
      // …and nothing else enters the top 10, except an item tied with the 10th within tolerance.
      const golden = new Set(expected.top.map((t) => t.item));
      const tenth = expected.top.at(-1)!.score;
      for (const a of top) if (!golden.has(a.item)) expect(a.score, `${expected.id} ${a.item}`).toBeLessThan(tenth + TOLERANCE);
    });
  });
}
