// The package as users get it: the `npm pack` tarball, installed into a fresh Vite +
// TypeScript app (types resolve, it builds, it runs in Chromium, built and under the dev
// server) and into a plain HTML page that uses the script tag; plus what package.json
// promises (`exports`, `types`, `sideEffects`, dependencies) and the source maps next to
// every shipped script.
//
// Nothing here uses the network but the npm registry, and that only when npm's cache lacks
// `idb` (after `npm ci` it has it): the app reuses this repo's own TypeScript and Vite.
// `npm test` builds dist/ before Playwright runs; the files share one packed and installed
// package (beforeAll), so they run in order in one worker.
import { expect, test, type Page } from '@playwright/test';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(REPO, 'node_modules/typescript/bin/tsc');
const VITE = join(REPO, 'node_modules/vite/bin/vite.js');
const MODEL_DIR = join(REPO, 'demo/models/games');

test.describe.configure({ mode: 'default', timeout: 90_000 });

/** What the app's page leaves on `window.app` (see its src/main.ts below). */
interface AppResult {
  decisions: Array<{ slot: string; creative: { id: string } | null }>;
  backend: string | null;
  errors: string[];
  model: unknown;
}
/** The script tag's personalizer, typed as a site sees it (not from src/). */
interface ScriptApi {
  ready: Promise<void>;
  decide(): Promise<AppResult['decisions']>;
  recommend(options: { k: number }): Promise<{ backend: string | null }>;
  status(): Promise<{ model: unknown }>;
  on(type: 'error', listener: (e: { code: string; details: unknown }) => void): () => void;
}
interface PageWindow {
  app?: AppResult;
  queued?: { decide: string; errors: string[] };
  precis: { push(fn: (api: ScriptApi) => void): void; loaded?: boolean };
}

// Without the variables `npm test` set for its own package, a nested npm sees only its cwd.
const ENV = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_(package_|lifecycle_|config_local_prefix$)/.test(k) && k !== 'INIT_CWD'),
);

interface Run {
  code: number;
  /** The command, then what it printed. */
  output: string;
  /** What it printed. */
  printed: string;
}

/** Runs a command to its end; never throws, so a failing step shows its output in the assertion. */
function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<Run> {
  return new Promise((done) => {
    execFile(command, args, { cwd, env: ENV, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      const printed = `${stdout}${stderr}${error && !stdout && !stderr ? String(error) : ''}`;
      done({ code, printed, output: `$ ${command} ${args.join(' ')} (in ${cwd})\n${printed}` });
    });
  });
}

async function mustRun(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.output}`);
  return result.printed;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.map': 'application/json', '.wasm': 'application/wasm', '.bin': 'application/octet-stream', '.css': 'text/css',
};

/** What is still to stop when the file ends (should a test time out in the middle). */
const running = new Set<() => Promise<void>>();

interface Served {
  url: string;
  /** Every request that was not answered 200, as "404 /path". */
  failed: string[];
  close(): Promise<void>;
}

/** A static file server for `root` on a free port of 127.0.0.1, as a site's host would serve it. */
async function serve(root: string): Promise<Served> {
  const failed: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    try {
      if (!file.startsWith(root + sep) || !(await stat(file)).isFile()) throw new Error('not found');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      failed.push(`404 ${path}`);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    }
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const close = () =>
    new Promise<void>((closed) => {
      running.delete(close);
      server.close(() => closed());
      server.closeAllConnections();
    });
  running.add(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, failed, close };
}

/** `vite` (the dev server) in the app, on a free port; resolves once it listens. */
async function viteDev(cwd: string): Promise<{ url: string; close(): Promise<void> }> {
  const probe = createServer();
  await new Promise<void>((ready) => probe.listen(0, '127.0.0.1', ready));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((closed) => probe.close(closed));
  const child = spawn('node', [VITE, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let printed = '';
  const plain = () => printed.replace(/\x1b\[[0-9;]*m/g, ''); // without its colours
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    running.delete(stop);
  };
  running.add(stop);
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`vite did not start in 30 s:\n${plain()}`)), 30_000);
    const onData = (chunk: Buffer) => {
      printed += chunk.toString();
      if (plain().includes(`http://127.0.0.1:${port}/`)) {
        clearTimeout(timer);
        ready();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`vite exited with ${code}:\n${plain()}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url: `http://127.0.0.1:${port}`, close: stop };
}

/** Uncaught errors and console errors of a page. */
function watch(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** Waits for the Vite app's `window.app`, set once `ready` resolved and the model settled. */
async function appResult(page: Page): Promise<AppResult> {
  await page.waitForFunction(() => (window as unknown as PageWindow).app !== undefined, undefined, { timeout: 30_000 });
  return page.evaluate(() => (window as unknown as PageWindow).app!);
}

/** Every string target of an `exports` entry, through its conditions. */
function targets(entry: unknown): string[] {
  if (typeof entry === 'string') return [entry];
  if (entry && typeof entry === 'object') return Object.values(entry).flatMap(targets);
  return [];
}

interface Pkg {
  type?: string;
  main?: string;
  module?: string;
  types?: string;
  exports: Record<string, unknown>;
  sideEffects?: boolean | string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

let work: string; // the temp dir: the tarball and app/
let app: string; // the fresh app, with the tarball installed
let installed: string; // app/node_modules/precis
let tarFiles: string[]; // the tarball's files, relative to the package's root
let pkg: Pkg; // package.json as installed

test.beforeAll(async () => {
  test.setTimeout(120_000);
  for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/precis.js']) {
    if (!existsSync(join(REPO, file))) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does)`);
  }
  work = await mkdtemp(join(tmpdir(), 'precis-package-'));
  await mustRun('npm', ['pack', '--pack-destination', work, '--loglevel=error'], REPO);
  const tarball = join(work, (await readdir(work)).find((f) => f.endsWith('.tgz'))!);
  tarFiles = (await mustRun('tar', ['-tzf', tarball], work))
    .split('\n')
    .filter((line) => line.startsWith('package/') && !line.endsWith('/'))
    .map((line) => line.slice('package/'.length))
    .sort();

  app = join(work, 'app');
  await mkdir(join(app, 'src'), { recursive: true });
  await writeApp(app);
  // What a user types (`npm install precis`), from npm's cache when it can.
  await mustRun('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], app);
  installed = join(app, 'node_modules/precis');
  pkg = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as Pkg;
});

test.afterAll(async () => {
  await Promise.all([...running].map((stop) => stop()));
  if (work) await rm(work, { recursive: true, force: true });
});

/**
 * A fresh Vite + TypeScript app, as `npm create vite -- --template vanilla-ts` makes it (but
 * without `vite/client` types, and checking the libraries' .d.ts files too), and two plain
 * pages that use the script tag from node_modules.
 */
async function writeApp(dir: string): Promise<void> {
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'precis-app', private: true, version: '0.0.0', type: 'module' }, null, 2));
  const compilerOptions = {
    target: 'ES2022', module: 'ESNext', lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [],
    moduleResolution: 'bundler', allowImportingTsExtensions: true, verbatimModuleSyntax: true, moduleDetection: 'force',
    noEmit: true, strict: true, noUnusedLocals: true, noUnusedParameters: true, noFallthroughCasesInSwitch: true,
    skipLibCheck: false,
  };
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }, null, 2));
  await writeFile(
    join(dir, 'index.html'),
    `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>A Vite app</title></head>
<body>
<div data-precis-slot="hero" style="height: 120px">Default</div>
<script type="module" src="/src/main.ts"></script>
</body>
</html>
`,
  );
  await writeFile(
    join(dir, 'src/main.ts'),
    `import { createPersonalizer, type Decision, type Personalizer, type PersonalizerOptions } from 'precis';

declare global {
  interface Window {
    app?: { decisions: Decision[]; backend: string | null; errors: string[]; model: unknown };
  }
}

// ?backend=wasm adds the model (served from public/models) on that backend.
const backend = new URLSearchParams(location.search).get('backend') as PersonalizerOptions['backend'] | null;
const errors: string[] = [];
const personalizer: Personalizer = createPersonalizer({
  catalog: { creatives: [{ id: 'vite-hero', slots: ['hero'], title: 'Hello from Vite', url: '/' }] },
  ...(backend ? { model: '/models/games/manifest.json', backend } : {}),
  explore: false,
  holdout: 0,
  // A busy CI machine must not let the first visit's 300 ms hiding timeout keep the default.
  hideTimeoutMs: 30000,
});
personalizer.on('error', (e) => errors.push(\`\${e.code} \${JSON.stringify(e.details)}\`));

async function main(): Promise<void> {
  await personalizer.ready;
  const decisions: Decision[] = await personalizer.decide();
  const recommended = await personalizer.recommend({ k: 3 });
  const { model } = await personalizer.status();
  window.app = { decisions, backend: recommended.backend, errors, model };
}
void main();
`,
  );
  // Wrong uses that must not compile: the types are real, not \`any\`.
  await writeFile(
    join(dir, 'src/misuse.ts'),
    `import { createPersonalizer, type Decision } from 'precis';

export async function misuse(): Promise<void> {
  // @ts-expect-error: not a backend
  createPersonalizer({ backend: 'tpu' });
  const p = createPersonalizer();
  // @ts-expect-error: decide() resolves to decisions, not a string
  const s: string = await p.decide();
  // @ts-expect-error: track() takes an event object
  p.track('view');
  const first: Decision | undefined = (await p.decide())[0];
  // @ts-expect-error: a decision's creative may be null
  void first?.creative.id;
  void s;
}
`,
  );
  // The model, as a site serves it (Vite copies public/ into the build).
  await cp(MODEL_DIR, join(dir, 'public/models/games'), { recursive: true });

  const plainPage = (model: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><link rel="icon" href="data:,"><title>A plain page</title>
<script>
  window.queued = { decide: '', errors: [] };
  window.precis = window.precis || [];
  precis.push(function (api) {
    queued.decide = typeof api.decide;
    api.on('error', function (e) { queued.errors.push(e.code + ' ' + JSON.stringify(e.details)); });
  });
</script>
<script src="node_modules/precis/dist/precis.js" data-catalog="plain-catalog.json"
        data-model="${model}" data-backend="wasm" data-explore="false" data-holdout="0"
        data-hide-timeout-ms="30000"></script>
</head>
<body>
<div data-precis-slot="hero" style="height: 120px">Default</div>
</body>
</html>
`;
  await writeFile(join(dir, 'plain.html'), plainPage('/public/models/games/manifest.json'));
  // The same with a page-relative model URL, as data-catalog is.
  await writeFile(join(dir, 'plain-relative.html'), plainPage('public/models/games/manifest.json'));
  await writeFile(
    join(dir, 'plain-catalog.json'),
    JSON.stringify({ creatives: [{ id: 'plain-hero', slots: ['hero'], title: 'Hello from a script tag', url: '/' }] }),
  );
}

test.describe('the tarball', () => {
  test('holds the builds, their types, maps and WASM binaries and README, and nothing else', () => {
    for (const file of [
      'package.json', 'README.md',
      'dist/index.js', 'dist/index.d.ts', 'dist/layers.js', 'dist/layers.d.ts', 'dist/precis.js', 'dist/precis-ml.js',
      'dist/tfjs-backend-wasm.wasm', 'dist/tfjs-backend-wasm-simd.wasm', 'dist/tfjs-backend-wasm-threaded-simd.wasm',
    ]) {
      expect(tarFiles, file).toContain(file);
    }
    // Whatever the build makes (the script tag's chunks too) ships, except the benchmark's bundle.
    const built = readdirSync(join(REPO, 'dist'), { withFileTypes: true }).filter((e) => e.isFile()).map((e) => `dist/${e.name}`);
    expect(built.filter((f) => !tarFiles.includes(f))).toEqual([]);
    const unwanted = tarFiles.filter(
      (f) => /^(src|test|train|demo|docs|node_modules|dist\/bench)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')) || /(^|\/)\./.test(f),
    );
    expect(unwanted).toEqual([]);
  });

  test('package.json: ESM; main, types and every exports target exist and resolve for TypeScript', () => {
    expect(pkg.type).toBe('module');
    for (const field of ['main', 'module', 'types'] as const) {
      expect(tarFiles, `${field}: ${pkg[field]}`).toContain(pkg[field]?.replace(/^\.\//, ''));
    }
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './layers', './precis.js', './package.json']));
    for (const [subpath, entry] of Object.entries(pkg.exports)) {
      for (const target of targets(entry)) {
        expect(target, `exports["${subpath}"]`).toMatch(/^\.\//);
        expect(tarFiles, `exports["${subpath}"] → ${target}`).toContain(target.slice(2));
      }
      if (entry && typeof entry === 'object') {
        // TypeScript takes the first matching condition: `types` must come first.
        expect(Object.keys(entry)[0], `exports["${subpath}"]`).toBe('types');
        expect(Object.keys(entry), `exports["${subpath}"]`).toContain('import');
      }
    }
    const typesOf = (specifier: string, moduleResolution: ts.ModuleResolutionKind) =>
      ts.resolveModuleName(specifier, join(app, 'src/main.ts'), { moduleResolution, module: ts.ModuleKind.ESNext, types: [] }, ts.sys)
        .resolvedModule?.resolvedFileName;
    for (const kind of [ts.ModuleResolutionKind.Bundler, ts.ModuleResolutionKind.Node16, ts.ModuleResolutionKind.NodeNext]) {
      expect(typesOf('precis', kind), ts.ModuleResolutionKind[kind]).toBe(join(installed, 'dist/index.d.ts'));
      expect(typesOf('precis/layers', kind), ts.ModuleResolutionKind[kind]).toBe(join(installed, 'dist/layers.d.ts'));
    }
  });

  test('sideEffects lists only shipped files, and importing `precis` has none', () => {
    expect(Array.isArray(pkg.sideEffects)).toBe(true);
    const listed = (pkg.sideEffects as string[]).map((f) => f.replace(/^\.\//, ''));
    for (const file of listed) expect(tarFiles, `sideEffects: ${file}`).toContain(file);
    expect(listed).not.toContain('dist/index.js');
    expect(listed).toContain('dist/precis.js');
  });

  test('every bare import of the npm entries is a declared dependency; every relative one is shipped', () => {
    const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
    const problems: string[] = [];
    for (const file of tarFiles.filter((f) => /\.(js|d\.ts)$/.test(f))) {
      const code = readFileSync(join(installed, file), 'utf8');
      const specifiers = [
        // import/export … from and import(), as TypeScript reads them (comments skipped; not
        // require(), which only tfjs's Node code, never run in a browser, calls).
        ...ts.preProcessFile(code, true, false).importedFiles.map((f) => f.fileName),
        // Files a bundler copies next to the code: new URL('./x', import.meta.url).
        ...[...code.matchAll(/new URL\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g)].map((m) => m[1]!),
      ];
      for (const spec of specifiers) {
        if (spec.startsWith('.')) {
          const target = relative(installed, resolve(installed, file, '..', spec)).split(sep).join('/');
          if (!tarFiles.includes(target)) problems.push(`${file}: ${spec} is not in the tarball`);
        } else {
          const name = spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
          if (!declared.has(name)) problems.push(`${file}: imports ${name}, which is not in dependencies or peerDependencies`);
        }
      }
    }
    expect(problems).toEqual([]);
    // Only `precis/layers` needs TensorFlow.js (the ML chunk bundles it): no app must install it for the rest.
    for (const name of ['@tensorflow/tfjs', '@tensorflow/tfjs-core']) {
      expect(Object.keys(pkg.dependencies ?? {})).not.toContain(name);
      expect(pkg.peerDependenciesMeta?.[name]?.optional, name).toBe(true);
    }
  });

  test('every shipped script has a source map next to it, with its sources inside', () => {
    const problems: string[] = [];
    for (const file of tarFiles.filter((f) => f.endsWith('.js'))) {
      const base = file.split('/').pop()!;
      if (!tarFiles.includes(`${file}.map`)) {
        problems.push(`${file}: no ${base}.map`);
        continue;
      }
      const code = readFileSync(join(installed, file), 'utf8');
      if (!code.trimEnd().endsWith(`//# sourceMappingURL=${base}.map`)) problems.push(`${file}: no sourceMappingURL comment for ${base}.map`);
      const map = JSON.parse(readFileSync(join(installed, `${file}.map`), 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> };
      // src/ is not in the tarball, so the map must carry the sources.
      const missing = map.sources.filter((_, i) => typeof map.sourcesContent?.[i] !== 'string');
      if (missing.length) problems.push(`${file}.map: ${missing.length}/${map.sources.length} sources without sourcesContent, e.g. ${missing.slice(0, 2).join(', ')}`);
    }
    expect(problems).toEqual([]);
  });
});

test.describe('a fresh Vite + TypeScript app', () => {
  // (How Node16/NodeNext resolve the types is checked above, without a second full check.)
  test('type-checks against the installed package: types resolve, wrong uses fail', async () => {
    const tsc = await run('node', [TSC, '-p', 'tsconfig.json'], app);
    expect(tsc.code, tsc.output).toBe(0);
  });

  /** `vite build`, once per worker; the tests after it serve app/dist. */
  let built: Promise<Run> | undefined;
  const build = () => (built ??= run('node', [VITE, 'build'], app));

  test('builds with Vite, and the built app runs in Chromium: the slot fills, ready resolves', async ({ page }) => {
    const result = await build();
    expect(result.code, result.output).toBe(0);
    expect(result.printed, result.output).not.toMatch(/warn|error/i);
    const server = await serve(join(app, 'dist'));
    try {
      const errors = watch(page);
      await page.goto(`${server.url}/`);
      await expect(page.locator('[data-precis-slot="hero"]')).toHaveAttribute('data-precis-creative', 'vite-hero');
      await expect(page.locator('[data-precis-slot="hero"] .precis-creative__title')).toHaveText('Hello from Vite');
      const shown = await appResult(page);
      expect(shown.decisions.map((d) => [d.slot, d.creative?.id])).toEqual([['hero', 'vite-hero']]);
      expect(shown.errors).toEqual([]);
      expect(server.failed).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await server.close();
    }
  });

  test('the built app runs the model on WASM: the bundler emitted the ML chunk and its .wasm', async ({ page }) => {
    expect((await build()).code).toBe(0);
    const server = await serve(join(app, 'dist'));
    try {
      const errors = watch(page);
      await page.goto(`${server.url}/?backend=wasm`);
      const shown = await appResult(page);
      expect({ failed: server.failed, backend: shown.backend, errors: shown.errors }).toEqual({ failed: [], backend: 'wasm', errors: [] });
      expect(shown.model).toMatchObject({ backend: 'wasm', thread: 'worker' });
      expect(errors).toEqual([]);
    } finally {
      await server.close();
    }
  });

  test('runs under the Vite dev server too, the model on WASM included', async ({ page }) => {
    const server = await viteDev(app);
    try {
      const errors = watch(page);
      await page.goto(`${server.url}/?backend=wasm`);
      await expect(page.locator('[data-precis-slot="hero"]')).toHaveAttribute('data-precis-creative', 'vite-hero');
      const shown = await appResult(page);
      expect({ backend: shown.backend, errors: shown.errors }).toEqual({ backend: 'wasm', errors: [] });
      expect(shown.model).toMatchObject({ backend: 'wasm', thread: 'worker' });
      expect(errors).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

test.describe('a plain HTML page with the script tag from node_modules', () => {
  /** Loads a page, waits for the slot, and reads the personalizer through `precis.push` after load. */
  async function openPlain(page: Page, url: string) {
    await page.goto(url);
    await expect(page.locator('[data-precis-slot="hero"]')).toHaveAttribute('data-precis-creative', 'plain-hero');
    await expect(page.locator('[data-precis-slot="hero"] .precis-creative__title')).toHaveText('Hello from a script tag');
    return page.evaluate(
      () =>
        new Promise<{ decisions: Array<[string, string | null]>; backend: string | null; model: unknown; loaded: boolean; queued: PageWindow['queued'] }>((done) => {
          const w = window as unknown as PageWindow;
          w.precis.push(async (api) => {
            await api.ready;
            const decisions = (await api.decide()).map((d) => [d.slot, d.creative?.id ?? null] as [string, string | null]);
            const { backend } = await api.recommend({ k: 3 });
            const { model } = await api.status();
            done({ decisions, backend, model, loaded: w.precis.loaded === true, queued: w.queued });
          });
        }),
    );
  }

  test('dist/precis.js fills the slot, precis.push works before and after load, the model runs on WASM', async ({ page }) => {
    const server = await serve(app);
    try {
      const errors = watch(page);
      const result = await openPlain(page, `${server.url}/plain.html`);
      expect(result.decisions).toEqual([['hero', 'plain-hero']]);
      expect(result.loaded).toBe(true);
      expect(result.queued).toEqual({ decide: 'function', errors: [] });
      expect(result.backend).toBe('wasm');
      expect(result.model).toMatchObject({ backend: 'wasm', thread: 'worker' });
      expect(server.failed).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await server.close();
    }
  });

  test('a page-relative data-model resolves against the page, as data-catalog does', async ({ page }) => {
    const server = await serve(app);
    try {
      const result = await openPlain(page, `${server.url}/plain-relative.html`);
      expect({ failed: server.failed, errors: result.queued?.errors, backend: result.backend }).toEqual({ failed: [], errors: [], backend: 'wasm' });
    } finally {
      await server.close();
    }
  });
});
