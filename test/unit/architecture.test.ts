import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The shape of src/ that README's "Architecture" section describes, checked on every run:
// short functions and files, and imports that point one way (down the rooms' order).

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const MAX_FUNCTION_LINES = 80;
const MAX_FILE_LINES = 300;
/** Declarative tables, allowed to be longer than MAX_FILE_LINES. None today. */
const TABLES: readonly string[] = [];

/**
 * The rooms, lowest first: a module imports only from its own room or from rooms below
 * it. DESIGN.md draws the rooms between the client and consent side by side; here they are
 * ordered as their imports already go (the store keeps what measure/ and render/ read; the
 * first paint in render/ also sends the cached segments to the ad stack in measure/).
 * `index.ts` (the npm entry) and `loader/` (the script tag) sit on top of the client.
 */
const ROOMS = [
  ['core'],
  ['consent'],
  ['capture'],
  ['decide', 'features'],
  ['store'],
  ['measure', 'model'],
  ['render'],
  ['client'],
  ['loader', 'index.ts'],
] as const;
const RANK = new Map<string, number>(ROOMS.flatMap((rooms, rank) => rooms.map((room) => [room, rank] as const)));

/**
 * Imports against that order, each with its reason. Keep this list short: an entry is a
 * place where the rooms do not yet say where a thing lives.
 */
const ALLOWED: ReadonlyArray<{ from: string; to: string; typeOnly: boolean; why: string }> = [
  // An exposure is a record like an event (capture/event.ts): the store keeps it and the
  // decision's statistics read it, but it is defined where it is measured.
  { from: 'decide/visitor-stats.ts', to: 'measure/exposure.ts', typeOnly: true, why: 'the Exposure record' },
  { from: 'store/schema.ts', to: 'measure/exposure.ts', typeOnly: true, why: 'the Exposure record' },
  { from: 'store/gated-store.ts', to: 'measure/exposure.ts', typeOnly: true, why: 'the Exposure record' },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const files = sourceFiles(SRC).map((path) => {
  const text = readFileSync(path, 'utf8');
  return { name: relative(SRC, path), text, ast: ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true) };
});

const roomOf = (name: string): string => (name.includes('/') ? name.slice(0, name.indexOf('/')) : name);

function visit(node: ts.Node, each: (node: ts.Node) => void): void {
  each(node);
  ts.forEachChild(node, (child) => visit(child, each));
}

describe('src/ stays readable', () => {
  it(`no function is longer than ${MAX_FUNCTION_LINES} lines`, () => {
    const long: string[] = [];
    for (const { name, ast } of files) {
      visit(ast, (node) => {
        if (!ts.isFunctionLike(node) || !('body' in node) || !node.body) return;
        const first = ast.getLineAndCharacterOfPosition(node.getStart()).line;
        const last = ast.getLineAndCharacterOfPosition(node.end).line;
        if (last - first + 1 > MAX_FUNCTION_LINES) long.push(`${name}:${first + 1} (${last - first + 1} lines)`);
      });
    }
    expect(long).toEqual([]);
  });

  it(`no file is longer than ${MAX_FILE_LINES} lines, except declarative tables`, () => {
    const long = files
      .filter(({ name, text }) => !TABLES.includes(name) && text.split('\n').length > MAX_FILE_LINES)
      .map(({ name, text }) => `${name} (${text.split('\n').length} lines)`);
    expect(long).toEqual([]);
  });

  it('nothing but index.ts sits loose at the root of src/', () => {
    expect(files.map((file) => file.name).filter((name) => !name.includes('/'))).toEqual(['index.ts']);
  });
});

describe('imports point one way', () => {
  const imports = files.flatMap(({ name, ast }) =>
    ast.statements.filter(ts.isImportDeclaration).flatMap((statement) => {
      const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
      const typeOnly = statement.importClause?.isTypeOnly === true;
      if (!specifier.startsWith('.')) return [{ from: name, to: specifier, typeOnly, external: true }];
      const path = resolve(dirname(join(SRC, name)), specifier);
      const target = relative(SRC, existsSync(path) && statSync(path).isDirectory() ? join(path, 'index.ts') : `${path.replace(/\.(js|ts)$/, '')}.ts`);
      return [{ from: name, to: target, typeOnly, external: false }];
    }));

  it('every room is in the order, and every relative import names a file of src/', () => {
    expect(files.map((file) => roomOf(file.name)).filter((room) => !RANK.has(room))).toEqual([]);
    const names = new Set(files.map((file) => file.name));
    expect(imports.filter((i) => !i.external && !names.has(i.to) && !names.has(i.to.replace(/\.ts$/, '.d.ts'))).map((i) => `${i.from} → ${i.to}`)).toEqual([]);
  });

  it('no module imports from a room above its own or beside it, beyond the allowed few', () => {
    const against = imports
      .filter((i) => !i.external && roomOf(i.from) !== roomOf(i.to))
      .filter((i) => RANK.get(roomOf(i.to))! >= RANK.get(roomOf(i.from))!)
      .filter((i) => !ALLOWED.some((a) => a.from === i.from && a.to.replace(/\.ts$/, '') === i.to.replace(/\.ts$/, '') && (i.typeOnly || !a.typeOnly)));
    expect(against.map((i) => `${i.from} → ${i.to}${i.typeOnly ? ' (types)' : ''}`)).toEqual([]);
  });

  it('the allowlist holds no stale entry', () => {
    const stale = ALLOWED.filter((a) => !imports.some((i) => i.from === a.from && i.to === a.to));
    expect(stale).toEqual([]);
  });

  it('core imports nothing of ours; tfjs only in model/, idb only in store/, prebid.js only in its RTD submodule; no other package', () => {
    const outside = imports.filter((i) => i.external).map((i) => `${i.from} → ${i.to}`);
    expect(outside.filter((line) => line.includes('@tensorflow/') && !line.startsWith('model/'))).toEqual([]);
    expect(outside.filter((line) => line.endsWith(' → idb') && !line.startsWith('store/'))).toEqual([]);
    expect(outside.filter((line) => !line.includes('@tensorflow/') && !line.endsWith(' → idb') && !line.startsWith('measure/prebid-rtd.ts → prebid.js/'))).toEqual([]);
    expect(imports.filter((i) => roomOf(i.from) === 'core' && !i.external && roomOf(i.to) !== 'core')).toEqual([]);
  });

  it('only store/ touches IndexedDB or localStorage', () => {
    const touching: string[] = [];
    for (const { name, ast } of files) {
      if (roomOf(name) === 'store') continue;
      visit(ast, (node) => {
        if (ts.isIdentifier(node) && (node.text === 'indexedDB' || node.text === 'localStorage' || node.text === 'IDBKeyRange')) touching.push(name);
      });
    }
    expect([...new Set(touching)]).toEqual([]);
  });
});
