// The demo shop, "Pixel Market", served the way a real site would serve it: pages with
// schema.org JSON-LD, ad slots, and the built Precis script tag. It also serves /dist and
// /test so the browser tests can load their own pages from the same origin.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const shop = JSON.parse(await readFile(join(root, 'demo/products.json'), 'utf8'));
const categories = new Map(shop.categories.map((c) => [c.id, c]));
const byId = new Map(shop.products.map((p) => [p.id, p]));

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.css': 'text/css', '.svg': 'image/svg+xml', '.map': 'application/json',
  '.wasm': 'application/wasm', '.bin': 'application/octet-stream', '.png': 'image/png', '.txt': 'text/plain',
};
const STATIC_PREFIXES = ['/dist/', '/demo/', '/test/'];

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

// Where the shop's pages send the SDK: the static catalog, or (with the collector, `npm run
// demo`) the collector's catalog with pooled priors and its report endpoint.
let sdkConfig = { catalog: '/demo/catalog.json', report: null, dashboard: null };

function precisTag() {
  const report = sdkConfig.report ? ` data-report="${escapeHtml(sdkConfig.report)}"` : '';
  return `<script src="/dist/precis.js" data-catalog="${escapeHtml(sdkConfig.catalog)}"${report} data-model="/demo/models/games/manifest.json" data-why-link></script>`;
}

function page(title, body, head = '') {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Pixel Market</title>
<link rel="stylesheet" href="/demo/styles.css">${head}
<script src="/demo/shop.js"></script>
<!-- Not async: Precis runs before the slots are parsed, so a decision cached on the last page is in the first frame. -->
${precisTag()}
</head><body>
<header class="site-header"><a class="logo" href="/">Pixel Market</a>
<nav>${shop.categories.map((c) => `<a href="/category/${c.id}">${escapeHtml(c.name)}</a>`).join('')}</nav></header>
<main>${body}</main>
<footer class="site-footer">A demo shop for Precis. Everything you do here stays in this browser. <a href="/your-data">Your data</a>${
  sdkConfig.dashboard ? ` · <a class="dashboard-link" href="${escapeHtml(sdkConfig.dashboard)}">Dashboard (the shop owner's view)</a>` : ''}</footer>
</body></html>`;
}

const card = (p) => `<li class="card"><a href="/product/${p.id}" data-precis-item="${p.id}" data-precis-category="${p.category}">
<img src="/img/product/${p.id}.svg" alt="" width="160" height="120" loading="lazy"><span class="name">${escapeHtml(p.name)}</span>
<span class="price">$${p.price}</span></a></li>`;

const slot = (name, text) =>
  `<div class="slot slot-${name}" data-precis-slot="${name}"><div class="slot-default">${escapeHtml(text)}</div></div>`;

function homePage() {
  const sections = shop.categories.map((c) => `<section><h2>${escapeHtml(c.name)}</h2><ul class="grid">
${shop.products.filter((p) => p.category === c.id).map(card).join('\n')}</ul></section>`);
  return page('Home', `${slot('hero', 'Welcome to Pixel Market: games, consoles and gear.')}
<section class="for-you" aria-label="Recommended for you"><h2>Recommended for you</h2>
<ul class="grid" id="for-you" data-shop-recommend="6"></ul></section>
<div class="layout"><div class="catalog">${sections.join('\n')}</div>
<aside>${slot('sidebar', 'Deals of the day')}</aside></div>`);
}

function categoryPage(id) {
  const category = categories.get(id);
  if (!category) return null;
  return page(category.name, `<h1>${escapeHtml(category.name)}</h1><div class="layout"><div class="catalog"><ul class="grid">
${shop.products.filter((p) => p.category === id).map(card).join('\n')}</ul></div><aside>${slot('sidebar', 'Deals of the day')}</aside></div>`);
}

function productPage(id) {
  const p = byId.get(id);
  if (!p) return null;
  const jsonLd = JSON.stringify({
    '@context': 'https://schema.org', '@type': 'Product', name: p.name, sku: p.id, category: p.category,
    image: `/img/product/${p.id}.svg`, offers: { '@type': 'Offer', price: String(p.price), priceCurrency: 'USD' },
  }).replace(/</g, '\\u003c');
  const related = shop.products.filter((q) => q.category === p.category && q.id !== p.id).slice(0, 4);
  return page(p.name, `<div class="layout"><article class="product">
<img src="/img/product/${p.id}.svg" alt="" width="320" height="240">
<div><h1>${escapeHtml(p.name)}</h1><p class="category">${escapeHtml(categories.get(p.category).name)}</p>
<p class="price">$${p.price}</p>
<button type="button" data-shop-action="add_to_cart" data-item="${p.id}" data-category="${p.category}" data-price="${p.price}">Add to cart</button>
<button type="button" data-shop-action="purchase" data-item="${p.id}" data-category="${p.category}" data-price="${p.price}">Buy now</button>
<p class="shop-status" role="status"></p></div></article>
<aside>${slot('sidebar', 'Deals of the day')}</aside></div>
<section><h2>More ${escapeHtml(categories.get(p.category).name)}</h2><ul class="grid">${related.map(card).join('\n')}</ul></section>`,
  `\n<script type="application/ld+json">${jsonLd}</script>`);
}

/**
 * A test page under a strict CSP: scripts from 'self' only, no eval, no inline script;
 * WebAssembly only when `wasm` is in the query. Options come from data-* attributes.
 */
function strictCspPage(url) {
  const backend = url.searchParams.get('backend') ?? 'auto';
  const model = url.searchParams.get('model') ?? '/demo/models/games/manifest.json';
  const wasm = url.searchParams.has('wasm') ? " 'wasm-unsafe-eval'" : '';
  const worker = url.searchParams.get('worker') === 'false' ? 'false' : 'true';
  const csp = `default-src 'self'; script-src 'self'${wasm}; worker-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Strict CSP</title>
<script src="/dist/precis.js" data-catalog="/test/browser/pages/catalog.json" data-model="${escapeHtml(model)}"
 data-backend="${escapeHtml(backend)}" data-worker="${worker}" data-auto-capture="false" data-hide-timeout-ms="30000" async></script></head>
<body><div data-precis-slot="hero">Default hero</div></body></html>`;
  return { csp, html };
}

/**
 * The strict-CSP page with Trusted Types enforced on top: every DOM XSS sink (innerHTML,
 * script URLs, `new Worker(url)`…) refuses plain strings, and only a policy named
 * `precis` may be created. No model unless `model` is in the query; `catalog` (a
 * same-origin path) and `slots` (how many extra slots, named slot-0, slot-1, …) let
 * the XSS tests fill many slots from their own catalog, which runs to megabytes (hence
 * the long catalog timeout).
 */
function trustedTypesPage(url) {
  const backend = url.searchParams.get('backend') ?? 'auto';
  const model = url.searchParams.get('model');
  const askedCatalog = url.searchParams.get('catalog') ?? '';
  const catalog = /^\/(?![/\\])/.test(askedCatalog) ? askedCatalog : '/test/browser/pages/catalog.json';
  const count = Math.min(Math.max(Number.parseInt(url.searchParams.get('slots') ?? '0', 10) || 0, 0), 2000);
  const worker = url.searchParams.get('worker') === 'false' ? 'false' : 'true';
  const csp = "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "require-trusted-types-for 'script'; trusted-types precis";
  const modelAttribute = model ? ` data-model="${escapeHtml(model)}" data-hide-timeout-ms="30000"` : '';
  const slots = Array.from({ length: count }, (_, i) => `<div data-precis-slot="slot-${i}">Default ${i}</div>`).join('\n');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Trusted Types</title>
<script src="/dist/precis.js" data-catalog="${escapeHtml(catalog)}"${modelAttribute}
 data-backend="${escapeHtml(backend)}" data-worker="${worker}" data-auto-capture="false" data-catalog-timeout-ms="60000" async></script></head>
<body><div data-precis-slot="hero">Default hero</div>
${slots}</body></html>`;
  return { csp, html };
}

function yourDataPage() {
  return page('Your data', `<h1>Your data</h1>
<p>Precis keeps what you do in this shop in your own browser, to choose what you see. Nothing is sent anywhere.</p>
<fieldset class="consent"><legend>What you allow</legend>
<label><input type="checkbox" data-consent="store"> Keep my activity on this device</label>
<label><input type="checkbox" data-consent="personalize"> Use it to personalise what I see</label>
<label><input type="checkbox" data-consent="send"> Send anonymous counts to the shop</label></fieldset>
<p><button type="button" data-data-action="download">Download my data (JSON)</button>
<button type="button" data-data-action="delete">Delete my data</button></p>
<p class="data-summary" role="status"></p>
<table class="data-table"><thead><tr><th>When</th><th>What</th><th>Item</th><th>Category</th></tr></thead><tbody></tbody></table>`);
}

/**
 * With `?precis-debug` in the URL, a page also loads the debug panel (demo/debug-panel.js):
 * the visitor's profile, the model, each slot's decision and the metrics of both arms.
 */
const withDebugPanel = (html) => html.replace('</head>', '<script src="/demo/debug-panel.js" defer></script>\n</head>');

function svgImage(label, color) {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 240" width="320" height="240">
<rect width="320" height="240" fill="${color}"/><text x="160" y="130" font-family="sans-serif" font-size="22" fill="#fff" text-anchor="middle">${escapeHtml(label)}</text></svg>`;
}

function image(kind, id) {
  if (kind === 'product' && byId.has(id)) {
    const p = byId.get(id);
    return svgImage(p.name, categories.get(p.category).color);
  }
  if (kind === 'creative' && /^[a-z0-9-]+$/.test(id)) {
    const category = categories.get(id.split('-')[0]);
    return svgImage(id.replace(/-/g, ' '), category ? category.color : '#334155');
  }
  return null;
}

async function serveStatic(pathname, res) {
  if (!STATIC_PREFIXES.some((prefix) => pathname.startsWith(prefix))) return false;
  const file = normalize(join(root, decodeURIComponent(pathname)));
  if (!file.startsWith(root + '/')) return false;
  try {
    if (!(await stat(file)).isFile()) return false;
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(await readFile(file));
    return true;
  } catch {
    return false;
  }
}

// What the demo's report endpoint received, per key (kept only in this process's memory).
const reports = new Map();

/**
 * Starts the demo server; resolves with its URL. With `collector` (a running collector:
 * `{url, token}`), the pages load their catalog from it, report to it, and link to its
 * dashboard.
 */
export async function startDemoServer(port, { collector } = {}) {
  if (collector) {
    sdkConfig = {
      catalog: `${collector.url}/catalog.json`, report: `${collector.url}/reports`,
      dashboard: `${collector.url}/dashboard?token=${encodeURIComponent(collector.token)}`,
    };
  }
  const server = createServer(async (req, res) => {
    const { pathname, searchParams } = new URL(req.url ?? '/', 'http://localhost');
    const send = (status, type, body) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache' });
      res.end(body);
    };
    let match;
    let html = null;
    if (pathname === '/test/strict-csp') {
      const { csp, html: body } = strictCspPage(new URL(req.url ?? '/', 'http://localhost'));
      res.writeHead(200, { 'content-type': TYPES['.html'], 'content-security-policy': csp, 'cache-control': 'no-cache' });
      return res.end(body);
    }
    if (pathname === '/test/trusted-types') {
      const { csp, html: body } = trustedTypesPage(new URL(req.url ?? '/', 'http://localhost'));
      res.writeHead(200, { 'content-type': TYPES['.html'], 'content-security-policy': csp, 'cache-control': 'no-cache' });
      return res.end(body);
    }
    if ((match = pathname.match(/^\/report\/([\w-]{1,64})$/))) {
      // A report endpoint, as a site would run one: it keeps what it received, per key,
      // and shows it on GET (the tests read it back).
      const received = reports.get(match[1]) ?? [];
      if (req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body += chunk;
        if (body.length > 100_000) return send(413, 'text/plain', 'Too large');
        received.push(body);
        reports.set(match[1], received.slice(-100));
        return send(204, 'text/plain', '');
      }
      return send(200, TYPES['.json'], JSON.stringify(received.map((body) => JSON.parse(body))));
    }
    if (pathname === '/') html = homePage();
    else if ((match = pathname.match(/^\/product\/([\w-]+)$/))) html = productPage(match[1]);
    else if ((match = pathname.match(/^\/category\/([\w-]+)$/))) html = categoryPage(match[1]);
    else if (pathname === '/your-data') html = yourDataPage();
    else if ((match = pathname.match(/^\/img\/(product|creative)\/([\w-]+)\.svg$/))) {
      const svg = image(match[1], match[2]);
      if (svg) return send(200, TYPES['.svg'], svg);
    } else if (await serveStatic(pathname, res)) return;
    if (html) return send(200, TYPES['.html'], searchParams.has('precis-debug') ? withDebugPanel(html) : html);
    send(404, 'text/plain', 'Not found');
  });
  await new Promise((resolvePromise) => server.listen(port, '127.0.0.1', resolvePromise));
  return { server, url: `http://localhost:${server.address().port}/` };
}

/**
 * Starts the collector for `npm run demo`: SQLite in a temporary file (deleted on exit), the
 * demo catalog, priors republished every 5 reports, a fixed token, and every arm shown
 * (one demo visitor never reaches the usual minimum count).
 */
async function startDemoCollector() {
  const { startCollector } = await import('precis-collector');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'precis-demo-'));
  const collector = await startCollector({
    db: join(dir, 'precis.sqlite'), catalog: join(root, 'demo/catalog.json'), port: Number(process.env.COLLECTOR_PORT ?? 8787),
    token: 'demo', republishEvery: 5, minImpressions: 1,
  });
  const stop = () => void collector.close().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return collector;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `npm run demo` passes --collector; the browser tests serve the shop alone.
  const collector = process.argv.includes('--collector') ? await startDemoCollector() : undefined;
  const { url } = await startDemoServer(Number(process.env.PORT ?? 8080), { collector });
  console.log(`Pixel Market (the Precis demo) is running at ${url}`);
  if (collector) console.log(`Its collector: ${collector.url} (dashboard: ${collector.url}/dashboard?token=${collector.token})`);
}
