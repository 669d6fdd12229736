import { isNode, valuesOf, type SchemaGraph, type SchemaNode } from './schema-node';

/** Bounds that keep a page's broken or enormous markup cheap to skip. */
const MAX_SCRIPTS = 50;
const MAX_SCRIPT_CHARS = 1_000_000;
const MAX_ITEMS = 500;
const MAX_INDEXED_NODES = 20_000;
const MAX_DEPTH = 4;

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Templates often leave raw newlines or tabs inside strings; JSON forbids them, browsers' readers forgive them.
    try {
      return JSON.parse(text.replace(/[\u0000-\u001f]+/g, ' '));
    } catch {
      return undefined;
    }
  }
}

/** The document's top-level nodes: through arrays and `@graph`, plus each one's `mainEntity`. */
function collectItems(value: unknown, items: SchemaNode[], depth = 0): void {
  if (depth > MAX_DEPTH || items.length >= MAX_ITEMS) return;
  if (Array.isArray(value)) {
    for (const entry of value.slice(0, MAX_ITEMS)) collectItems(entry, items, depth + 1);
    return;
  }
  if (!isNode(value)) return;
  if (value['@type'] !== undefined) items.push(value);
  for (const entity of valuesOf(value, 'mainEntity')) collectItems(entity, items, depth + 1);
  if (value['@graph'] !== undefined) collectItems(value['@graph'], items, depth + 1);
}

/** Records every described node that has an `@id` (the first one wins), visiting a bounded number of values. */
function indexIds(root: unknown, byId: Map<string, SchemaNode>, budget: number): number {
  const stack: unknown[] = [root];
  while (stack.length > 0 && budget > 0) {
    const value = stack.pop();
    budget -= 1;
    if (Array.isArray(value)) {
      stack.push(...value.slice(0, budget));
    } else if (isNode(value)) {
      const id = value['@id'];
      if (typeof id === 'string' && Object.keys(value).length > 1 && !byId.has(id)) byId.set(id, value);
      for (const key in value) if (typeof value[key] === 'object') stack.push(value[key]);
    }
  }
  return budget;
}

/**
 * Reads the page's JSON-LD scripts into one graph. Scripts that are not JSON, or over
 * 1,000,000 characters, are skipped; the work is bounded (50 scripts, 500 top-level
 * items, 20,000 values indexed), so broken or enormous markup costs little and never throws.
 *
 * @example
 * const graph = readJsonLd([document.querySelector('script[type="application/ld+json"]')!.textContent!]);
 * graph.items; // [{ '@type': 'Product', … }]
 */
export function readJsonLd(texts: readonly string[]): SchemaGraph {
  const graph: SchemaGraph = { items: [], byId: new Map() };
  let budget = MAX_INDEXED_NODES;
  for (const text of texts.slice(0, MAX_SCRIPTS)) {
    if (text.length > MAX_SCRIPT_CHARS) continue;
    const document = parse(text);
    collectItems(document, graph.items);
    budget = indexIds(document, graph.byId, budget);
  }
  return graph;
}
