import { FEATURES, type FeatureName, type InputSpec } from '../features/feature-spec';
import type { ManifestV1, ModelJob, OutputSpec, PrecisManifest } from './manifest';

const SHA256 = /^[0-9a-f]{64}$/;
const JOBS: readonly ModelJob[] = ['item-scores', 'creative-scores', 'propensity'];
/** Features whose one value per visitor fills `[batch]` or `[batch, 1]`. */
const ONE_VALUE = (feature: FeatureName): boolean => feature !== 'itemHistory' && feature !== 'recentItems' && feature !== 'categoryAffinity';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Own keys only: a name such as "constructor" or "__proto__" is not in `{}`. */
const has = (o: unknown, key: unknown): boolean => isObject(o) && typeof key === 'string' && Object.prototype.hasOwnProperty.call(o, key);
const positiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

function v1Problems(o: Partial<ManifestV1>): string[] {
  const problems: string[] = [];
  const i = o.input;
  if (!isObject(i) || !positiveInt(i.maxLength) || i.padding !== 'left' || i.padIndex !== 0 || i.dtype !== 'int32') {
    problems.push('input must be {maxLength: positive int, padding: "left", padIndex: 0, dtype: "int32"}');
  }
  if (!isObject(o.items) || typeof o.items.url !== 'string') problems.push('items.url is required');
  else {
    if (isObject(o.files) && !has(o.files, o.items.url)) problems.push(`files lacks the items file ${o.items.url}`);
    if (o.items.count !== undefined && !positiveInt(o.items.count)) problems.push('items.count must be a positive integer');
  }
  if (!isObject(o.output) || o.output.kind !== 'scores') problems.push('output.kind must be "scores"');
  else if (o.output.shape !== undefined) {
    const [batch, size] = Array.isArray(o.output.shape) ? o.output.shape : [];
    if (!Array.isArray(o.output.shape) || o.output.shape.length !== 2 || !(batch === null || positiveInt(batch)) || !positiveInt(size)) {
      problems.push('output.shape must be [batch, items]');
    } else if (isObject(o.items) && o.items.count !== undefined && o.items.count !== size) {
      problems.push(`output.shape says ${size} items, items.count ${o.items.count}`);
    }
  }
  return problems;
}

function shapeProblems(input: Partial<InputSpec>, at: string, feature: FeatureName): string[] {
  const shape = input.shape as unknown;
  if (!Array.isArray(shape) || shape.length === 0 || !(shape[0] === null || shape[0] === 1) || !shape.slice(1).every(positiveInt)) {
    return [`${at}.shape must be [batch, ...sizes] with a null (or 1) batch and positive sizes, got ${JSON.stringify(shape)}`];
  }
  const ranks = FEATURES[feature].ranks;
  if (!ranks.includes(shape.length)) {
    return [`${at}.shape ${JSON.stringify(shape)} has rank ${shape.length}; ${feature} takes rank ${ranks.join(' or ')}`];
  }
  if (ONE_VALUE(feature) && shape.length === 2 && shape[1] !== 1) {
    return [`${at}.shape ${JSON.stringify(shape)}: ${feature} is one value per visitor ([batch] or [batch, 1])`];
  }
  return [];
}

function inputProblems(raw: unknown, at: string, vocabularies: Record<string, unknown>): string[] {
  if (!isObject(raw)) return [`${at} must be an object`];
  const input = raw as Partial<InputSpec>;
  const problems: string[] = [];
  if (typeof input.name !== 'string' || input.name === '') problems.push(`${at}.name (string) is required`);
  if (!has(FEATURES, input.feature)) {
    problems.push(`${at}.feature ${JSON.stringify(input.feature)} is not a known feature (${Object.keys(FEATURES).join(', ')})`);
    return problems;
  }
  const name = input.feature as FeatureName;
  const feature = FEATURES[name];
  if (input.dtype !== 'int32' && input.dtype !== 'float32') problems.push(`${at}.dtype must be "int32" or "float32", got ${JSON.stringify(input.dtype)}`);
  else if (feature.dtypes && !feature.dtypes.includes(input.dtype)) problems.push(`${at}.dtype ${input.dtype} does not suit ${name} (${feature.dtypes.join(' or ')})`);
  problems.push(...shapeProblems(input, at, name));
  if (feature.vocabulary && !has(vocabularies, input.vocabulary)) {
    problems.push(`${at}.vocabulary must name one of vocabularies (${name} needs one), got ${JSON.stringify(input.vocabulary)}`);
  }
  if (!feature.vocabulary && input.vocabulary !== undefined) problems.push(`${at}.vocabulary: ${name} takes no vocabulary`);
  if (input.window !== undefined && (name !== 'recentItems' || !positiveInt(input.window))) {
    problems.push(`${at}.window must be a positive integer, and only recentItems takes one`);
  }
  return problems;
}

function outputProblems(output: unknown, vocabularies: Record<string, unknown>): string[] {
  if (!isObject(output) || !JOBS.includes(output.kind as ModelJob)) return [`output.kind must be one of ${JOBS.join(', ')}`];
  const o = output as Partial<OutputSpec>;
  const problems: string[] = [];
  if (!positiveInt(o.size)) problems.push('output.size (positive integer: the output\'s width) is required');
  if (o.name !== undefined && typeof o.name !== 'string') problems.push('output.name must be a string');
  if (o.kind === 'item-scores' && !has(vocabularies, o.vocabulary)) problems.push('output.vocabulary must name one of vocabularies');
  if (o.kind === 'creative-scores') {
    const { creatives } = o;
    if (!Array.isArray(creatives) || !creatives.every((c) => typeof c === 'string') || creatives.length !== o.size) {
      problems.push('output.creatives must list one creative id per output column (output.size of them)');
    } else if (new Set(creatives).size !== creatives.length) problems.push('output.creatives lists a creative twice');
  }
  if (o.kind === 'propensity' && o.index !== undefined && !(Number.isInteger(o.index) && o.index >= 0 && o.index < (o.size ?? 0))) {
    problems.push('output.index must be a column of the output (0 … size - 1)');
  }
  return problems;
}

function vocabulariesProblems(o: Partial<PrecisManifest>): string[] {
  if (!isObject(o.vocabularies)) return ['vocabularies (name → {url, padIndex?}) is required (may be {})'];
  const problems: string[] = [];
  for (const [name, vocabulary] of Object.entries(o.vocabularies)) {
    if (!isObject(vocabulary) || typeof vocabulary.url !== 'string') problems.push(`vocabularies.${name}.url is required`);
    else {
      if (isObject(o.files) && !has(o.files, vocabulary.url)) problems.push(`files lacks the vocabulary file ${vocabulary.url}`);
      const pad = vocabulary.padIndex;
      if (pad !== undefined && pad !== null && !(Number.isInteger(pad) && (pad as number) >= 0)) problems.push(`vocabularies.${name}.padIndex must be a non-negative integer or null`);
    }
  }
  return problems;
}

function v2Problems(o: Partial<PrecisManifest>): string[] {
  const problems: string[] = [];
  if (typeof o.name !== 'string' || o.name === '') problems.push('name (string) is required');
  problems.push(...vocabulariesProblems(o));
  const vocabularies = isObject(o.vocabularies) ? o.vocabularies : {};
  if (!Array.isArray(o.inputs) || o.inputs.length === 0) problems.push('inputs (one entry per model input) is required');
  else {
    o.inputs.forEach((input, k) => problems.push(...inputProblems(input, `inputs[${k}]`, vocabularies)));
    const names = o.inputs.map((input) => (isObject(input) ? input.name : undefined));
    const twice = names.filter((name, k) => typeof name === 'string' && names.indexOf(name) !== k);
    for (const name of new Set(twice)) problems.push(`inputs name the model input ${JSON.stringify(name)} twice`);
  }
  problems.push(...outputProblems(o.output, vocabularies));
  const custom = o.customLayers as unknown;
  if (custom !== undefined && !(isObject(custom) && typeof custom.module === 'string' && Array.isArray(custom.classes) && custom.classes.every((c) => typeof c === 'string'))) {
    problems.push('customLayers must be {module: string, classes: string[]}');
  }
  return problems;
}

function commonProblems(o: Partial<PrecisManifest | ManifestV1>): string[] {
  const problems: string[] = [];
  if (typeof o.version !== 'string' || o.version === '') problems.push('version (string) is required');
  if (!isObject(o.model) || typeof o.model.url !== 'string' || (o.model.format !== 'layers' && o.model.format !== 'graph')) {
    problems.push('model.url (string) and model.format ("layers"|"graph") are required');
  }
  if (!isObject(o.files)) problems.push('files (path → sha256) is required');
  else {
    for (const [k, v] of Object.entries(o.files)) if (!SHA256.test(String(v))) problems.push(`files["${k}"] is not a sha256 hex`);
    if (isObject(o.model) && !has(o.files, o.model.url)) problems.push(`files lacks the model file ${String(o.model.url)}`);
  }
  return problems;
}

/**
 * Lists what is wrong with a parsed manifest of either version (empty when it is valid).
 * It checks the manifest alone; the vocabularies and the model are checked once loaded.
 *
 * @example
 * manifestProblems(JSON.parse(text)); // []
 */
export function manifestProblems(m: unknown): string[] {
  if (!isObject(m)) return ['manifest is not an object'];
  const o = m as Partial<PrecisManifest | ManifestV1>;
  if (o.format !== 'precis-manifest@1' && o.format !== 'precis-manifest@2') {
    return [`format must be "precis-manifest@2" (or @1), got ${JSON.stringify(o.format)}`];
  }
  return [...commonProblems(o), ...(o.format === 'precis-manifest@1' ? v1Problems(o as Partial<ManifestV1>) : v2Problems(o as Partial<PrecisManifest>))];
}
