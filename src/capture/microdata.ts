import type { SchemaGraph, SchemaNode } from './schema-node';

/** Bounds: a page with more is read only this far. */
const MAX_SCOPES = 500;
const MAX_PROPERTIES = 5000;
const MAX_TEXT = 256;

const URL_ATTRIBUTE: Record<string, string> = {
  A: 'href', AREA: 'href', LINK: 'href', IMG: 'src', AUDIO: 'src', VIDEO: 'src', SOURCE: 'src',
  IFRAME: 'src', EMBED: 'src', TRACK: 'src', OBJECT: 'data',
};

/** A property element's value, as the microdata spec reads it (plus `content` on any element, as search engines do). */
function propertyValue(element: Element): string {
  const content = element.getAttribute('content');
  if (content !== null) return content;
  const urlAttribute = URL_ATTRIBUTE[element.tagName];
  if (urlAttribute) return element.getAttribute(urlAttribute) ?? '';
  if (element.tagName === 'DATA' || element.tagName === 'METER') return element.getAttribute('value') ?? '';
  if (element.tagName === 'TIME') return element.getAttribute('datetime') ?? element.textContent ?? '';
  return (element.textContent ?? '').trim().slice(0, MAX_TEXT);
}

function addValue(node: SchemaNode, name: string, value: unknown): void {
  const existing = node[name];
  if (existing === undefined) node[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else node[name] = [existing, value];
}

/**
 * Reads the page's microdata (`itemscope`, `itemtype`, `itemprop`, `itemid`) into plain
 * nodes shaped like JSON-LD, so one reader understands both. Bounded: 500 items and
 * 5,000 properties at most.
 *
 * @example
 * // <div itemscope itemtype="https://schema.org/Product"><span itemprop="sku">A1</span></div>
 * readMicrodata(document).items; // [{ '@type': ['https://schema.org/Product'], sku: 'A1' }]
 */
export function readMicrodata(root: ParentNode): SchemaGraph {
  const nodes = new Map<Element, SchemaNode>();
  const items: SchemaNode[] = [];
  for (const scope of Array.from(root.querySelectorAll('[itemscope]')).slice(0, MAX_SCOPES)) {
    const node: SchemaNode = {};
    const type = scope.getAttribute('itemtype')?.trim();
    if (type) node['@type'] = type.split(/\s+/);
    const id = scope.getAttribute('itemid');
    if (id) node['@id'] = id;
    nodes.set(scope, node);
    if (!scope.hasAttribute('itemprop')) items.push(node);
  }
  for (const element of Array.from(root.querySelectorAll('[itemprop]')).slice(0, MAX_PROPERTIES)) {
    const owner = element.parentElement?.closest('[itemscope]');
    const node = owner ? nodes.get(owner) : undefined;
    if (!node) continue;
    const value = nodes.get(element) ?? propertyValue(element);
    for (const name of (element.getAttribute('itemprop') ?? '').trim().split(/\s+/)) if (name) addValue(node, name, value);
  }
  return { items, byId: new Map() };
}
