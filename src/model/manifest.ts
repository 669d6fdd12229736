import { PrecisError } from '../core/errors';

/**
 * `manifest.json`, format `precis-manifest@1`: the contract between a trained model and
 * the browser runtime. Produced by `npm run train`; written by hand for a converted
 * Keras model.
 */
export interface PrecisManifest {
  format: 'precis-manifest@1';
  name: string;
  version: string;
  model: { url: string; format: 'layers' | 'graph' };
  /** sha256 (hex) of every file the runtime downloads, by path relative to the manifest. */
  files: Record<string, string>;
  input: { maxLength: number; padding: 'left'; padIndex: 0; dtype: 'int32'; name?: string };
  items: { url: string; count?: number };
  output: { kind: 'scores'; name?: string; shape?: Array<number | null> };
  /** Custom layer classes the model needs, and the module that registers them. */
  customLayers?: { module: string; classes: string[] };
  metrics?: Record<string, unknown>;
  trainedOn?: Record<string, unknown>;
}

/**
 * Lists what is wrong with a parsed manifest (empty when it is valid).
 *
 * @example
 * manifestProblems(JSON.parse(text)); // []
 */
export function manifestProblems(m: unknown): string[] {
  const problems: string[] = [];
  const o = m as Partial<PrecisManifest> | null;
  if (!o || typeof o !== 'object') return ['manifest is not an object'];
  if (o.format !== 'precis-manifest@1') problems.push(`format must be "precis-manifest@1", got ${JSON.stringify(o.format)}`);
  if (typeof o.version !== 'string' || o.version === '') problems.push('version (string) is required');
  if (!o.model || typeof o.model.url !== 'string' || (o.model.format !== 'layers' && o.model.format !== 'graph')) {
    problems.push('model.url (string) and model.format ("layers"|"graph") are required');
  }
  if (!o.files || typeof o.files !== 'object') problems.push('files (path → sha256) is required');
  else {
    for (const [k, v] of Object.entries(o.files)) {
      if (!/^[0-9a-f]{64}$/.test(String(v))) problems.push(`files["${k}"] is not a sha256 hex`);
    }
    if (o.model && !(o.model.url in o.files)) problems.push(`files lacks the model file ${o.model.url}`);
    if (o.items && !(o.items.url in o.files)) problems.push(`files lacks the items file ${o.items.url}`);
  }
  const i = o.input;
  if (!i || !Number.isInteger(i.maxLength) || i.maxLength <= 0 || i.padding !== 'left' || i.padIndex !== 0 || i.dtype !== 'int32') {
    problems.push('input must be {maxLength: positive int, padding: "left", padIndex: 0, dtype: "int32"}');
  }
  if (!o.items || typeof o.items.url !== 'string') problems.push('items.url is required');
  if (!o.output || o.output.kind !== 'scores') problems.push('output.kind must be "scores"');
  return problems;
}

/**
 * Returns the manifest when it is valid; throws `model-manifest` listing the problems.
 *
 * @example
 * const manifest = parseManifest(await response.json());
 */
export function parseManifest(raw: unknown): PrecisManifest {
  const problems = manifestProblems(raw);
  if (problems.length > 0) throw new PrecisError('model-manifest', { reason: problems.join('; ') });
  return raw as PrecisManifest;
}
