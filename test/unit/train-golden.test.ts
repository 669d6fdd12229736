import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { initWasmBackend } from '../../train/wasm-backend';
import { loadModelDir, type LoadedModel } from '../../train/load-model';
import { predictScores } from '../../train/evaluate-model';
import { encodeHistory } from '../../src/features';
import type { GoldenFixture } from '../../train/make-golden';

const fixture = JSON.parse(readFileSync('test/fixtures/games-golden.json', 'utf8')) as GoldenFixture;
let loaded: LoadedModel;

beforeAll(async () => {
  await initWasmBackend();
  loaded = await loadModelDir('demo/models/games'); // also verifies every sha256
}, 60_000);

describe('shipped Games model and its golden fixture', () => {
  it('fixture matches the shipped files', () => {
    expect(fixture.cases).toHaveLength(100);
    expect(fixture.model.files).toEqual(loaded.manifest.files);
    expect(fixture.maxLength).toBe(loaded.maxLength);
  });

  it('encodeHistory reproduces every fixture input', () => {
    for (const c of fixture.cases) expect([...encodeHistory(c.history, loaded.index, fixture.maxLength)]).toEqual(c.input);
  });

  it('the shipped model reproduces the top-10 ids and scores', () => {
    const L = fixture.maxLength;
    const rows = new Int32Array(fixture.cases.length * L);
    fixture.cases.forEach((c, i) => rows.set(c.input, i * L));
    const scores = predictScores(loaded.model, rows, fixture.cases.length, L);
    const n = loaded.items.length;
    fixture.cases.forEach((c, i) => {
      const s = scores.subarray(i * n, (i + 1) * n);
      for (const t of c.top) {
        expect(loaded.items[t.index]).toBe(t.item);
        expect(Math.abs(s[t.index]! - t.score)).toBeLessThan(fixture.tolerance.scoreAbs);
      }
      // Nothing outside the fixture's top-10 scores above its 10th item (beyond tolerance).
      const tenth = c.top.at(-1)!.score;
      const inTop = new Set(c.top.map((t) => t.index));
      let maxOutside = -Infinity;
      for (let j = 1; j < n; j++) if (!inTop.has(j) && s[j]! > maxOutside) maxOutside = s[j]!;
      expect(maxOutside).toBeLessThan(tenth + fixture.tolerance.scoreAbs);
    });
  });
});
