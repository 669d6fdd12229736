import {
  hasType, isNode, readId, readText, readUrlId, resolveNode, valuesOf, type PageContext, type SchemaGraph, type SchemaNode,
} from './schema-node';

const BREADCRUMB_TYPES: ReadonlySet<string> = new Set(['BreadcrumbList']);
const PATH_SEPARATOR = /\s*(?:>|\/|»|›)\s*/;
const MAX_LISTS = 10;
const MAX_CRUMBS = 50;

/** A category as text: a string, or an object's `name`; a path ("Games > Racing", "Games/Racing") gives its most specific part. */
function readCategory(value: unknown): string | undefined {
  const text = readText(isNode(value) ? valuesOf(value, 'name')[0] : value);
  const parts = text?.split(PATH_SEPARATOR).filter((part) => part !== '');
  return readId(parts?.[parts.length - 1]);
}

interface Crumb {
  url: string | undefined;
  name: string | undefined;
  position: number;
  home: boolean;
}

function readCrumb(graph: SchemaGraph, element: SchemaNode, page: PageContext): Crumb {
  const target = resolveNode(graph, valuesOf(element, 'item')[0] ?? valuesOf(element, 'url')[0]);
  const url = isNode(target) ? target['@id'] ?? valuesOf(target, 'url')[0] : target;
  const name = valuesOf(element, 'name')[0] ?? (isNode(target) ? valuesOf(target, 'name')[0] : undefined);
  const position = Number(readText(valuesOf(element, 'position')[0]));
  const id = readUrlId(url, page.url);
  return { url: id, name: readText(name), position: Number.isFinite(position) ? position : Infinity, home: id !== undefined && /^(?:https?:\/\/[^/]+)?\/$/.test(id) };
}

function breadcrumbLists(graph: SchemaGraph): SchemaNode[] {
  const lists = graph.items.flatMap((item) =>
    hasType(item, BREADCRUMB_TYPES) ? [item] : valuesOf(item, 'breadcrumb').map((list) => resolveNode(graph, list)));
  return lists.filter((list): list is SchemaNode => isNode(list) && hasType(list, BREADCRUMB_TYPES)).slice(0, MAX_LISTS);
}

/**
 * The category a page's `BreadcrumbList` gives the product: the last crumb before the
 * product itself (the crumb without a link, or linking to the product or this page, or
 * named like it), skipping the home page. Home › Games › Racing › Turbo Kart gives Racing.
 */
function breadcrumbCategory(graph: SchemaGraph, product: SchemaNode, page: PageContext): string | undefined {
  const here = new Set([product['@id'], ...valuesOf(product, 'url'), page.url, page.canonical].map((url) => readUrlId(url, page.url)));
  const name = readText(valuesOf(product, 'name')[0]);
  for (const list of breadcrumbLists(graph)) {
    const crumbs = valuesOf(list, 'itemListElement').slice(0, MAX_CRUMBS)
      .map((element) => resolveNode(graph, element))
      .filter(isNode)
      .map((element) => readCrumb(graph, element, page))
      .sort((a, b) => a.position - b.position);
    const last = crumbs[crumbs.length - 1];
    if (last && (last.url === undefined || here.has(last.url) || last.name === name)) crumbs.pop();
    const category = readCategory(crumbs.filter((crumb) => !crumb.home).pop()?.name);
    if (category !== undefined) return category;
  }
  return undefined;
}

/**
 * The product's category: the first `category` of the nodes (the shown variant, the
 * product, its group), else the page's breadcrumbs. A path keeps its most specific part.
 *
 * @example
 * productCategory(graph, [{ '@type': 'Product', category: { name: 'Games > Racing' } }], product, page); // 'Racing'
 */
export function productCategory(graph: SchemaGraph, nodes: SchemaNode[], product: SchemaNode, page: PageContext): string | undefined {
  for (const node of nodes) {
    for (const value of valuesOf(node, 'category')) {
      const category = readCategory(resolveNode(graph, value));
      if (category !== undefined) return category;
    }
  }
  return breadcrumbCategory(graph, product, page);
}
