/**
 * `npm run manifest -- --model <dir>`: fills a hand-written manifest's `files` with the
 * sha256 of every file the runtime downloads — model.json, each weight shard it names, each
 * vocabulary file — and checks the result, so a converted model needs no `sha256sum` by hand.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrecisError } from './errors';
import { sha256Hex } from './manifest';
import { manifestProblems } from '../src/model/manifest';

/**
 * Rewrites `<dir>/manifest.json` with the hashes of its files; returns them.
 *
 * @example
 * writeManifestHashes('out'); // { 'model.json': '9f2c…', 'group1-shard1of1.bin': '…', 'pages.json': '…' }
 */
export function writeManifestHashes(dir: string): Record<string, string> {
  const path = join(dir, 'manifest.json');
  let manifest: Record<string, any>;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new PrecisError('E_MANIFEST', `${path}: ${(e as Error).message}`);
  }
  const modelUrl = String(manifest.model?.url ?? 'model.json');
  const base = modelUrl.includes('/') ? modelUrl.slice(0, modelUrl.lastIndexOf('/') + 1) : '';
  const modelJson = JSON.parse(readFileSync(join(dir, modelUrl), 'utf8')) as { weightsManifest?: Array<{ paths: string[] }> };
  const vocabularies = Object.values((manifest.vocabularies ?? {}) as Record<string, { url?: string }>).map((v) => v.url);
  const items = manifest.items?.url as string | undefined; // a v1 manifest
  const paths = [modelUrl, ...(modelJson.weightsManifest ?? []).flatMap((g) => g.paths.map((p) => base + p)), ...vocabularies, items];
  const files: Record<string, string> = {};
  for (const p of paths) if (typeof p === 'string') files[p] = sha256Hex(readFileSync(join(dir, p)));
  manifest.files = files;
  const problems = manifestProblems(manifest);
  if (problems.length) throw new PrecisError('E_MANIFEST', `${path}: ${problems.join('; ')}`);
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return files;
}
