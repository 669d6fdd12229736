import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveAsset } from './assets.js';
import { DASHBOARD_CSP, renderDashboard } from './dashboard-page.js';
import { estimateAll, type Estimates } from './estimates.js';
import { createGroupCommit } from './group-commit.js';
import { CORS_HEADERS, hasToken, readBody, sendJson } from './http-util.js';
import { openStore } from './open-store.js';
import { MAX_REPORT_BYTES, parseReport } from './parse-report.js';
import { DEFAULT_MAX_PRIOR_STRENGTH, poolPriors } from './pooled-priors.js';
import { publishCatalog, type PublishedCatalog } from './publish-catalog.js';
import { createRateLimit, DEFAULT_RATE_LIMIT, type RateLimitOptions } from './rate-limit.js';
import { loadSiteCatalog } from './site-catalog.js';
import type { Store } from './store.js';

/** How to start a collector; only `db` and `catalog` are required. */
export interface CollectorOptions {
  /** A SQLite file path, or a `postgres://` URL. */
  db: string;
  /** The site's catalog: a JSON file path, or the object. */
  catalog: string | object;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (put a TLS proxy in front for the public). */
  host?: string;
  /** The dashboard's token; a random one when absent (read it from `collector.token`). */
  token?: string;
  /** Republish the pooled priors after this many reports (default 1000), besides `republish()`. */
  republishEvery?: number;
  /** The most impressions a pooled prior counts as (default 1000). */
  maxPriorStrength?: number;
  /** Arms with fewer impressions are hidden on the dashboard (default 100). */
  minImpressions?: number;
  /** Cache-Control max-age of /catalog.json, in seconds (default 300). */
  catalogMaxAge?: number;
  /** Per-source rate limit of POST /reports, or false for none (e.g. behind a proxy that limits). */
  rateLimit?: RateLimitOptions | false;
  /** Take the source address from X-Forwarded-For's first entry (only behind your own proxy). */
  trustProxy?: boolean;
  /** The clock that puts reports in hour buckets (a simulation or a screenshot replays days); default Date.now. */
  now?: () => number;
}

/** A running collector. */
export interface Collector {
  /** Its base URL, e.g. http://127.0.0.1:8787 */
  url: string;
  token: string;
  /** Recomputes the pooled priors now and serves the new catalog. */
  republish(): Promise<void>;
  /** What the dashboard shows, as data. */
  estimates(): Promise<Estimates>;
  /** How many reports are stored. */
  countReports(): Promise<number>;
  /** Stops accepting, writes what is queued, closes the database. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a collector: POST /reports (public), GET /catalog.json (public, pooled priors),
 * GET /dashboard and /dashboard.json (token). Resolves once it listens.
 *
 * @example
 * const collector = await startCollector({ db: './precis.sqlite', catalog: './catalog.json', port: 0 });
 * console.log(`${collector.url}/dashboard?token=${collector.token}`);
 * await collector.close();
 */
export async function startCollector(options: CollectorOptions): Promise<Collector> {
  const catalog = loadSiteCatalog(options.catalog);
  const store = await openStore(options.db);
  const token = options.token || randomBytes(18).toString('base64url');
  const commit = createGroupCommit(store, { now: options.now ?? Date.now });
  const limit = options.rateLimit === false ? undefined : createRateLimit(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const republishEvery = options.republishEvery ?? 1000;
  const minImpressions = options.minImpressions ?? 100;
  let published: PublishedCatalog = publishCatalog(catalog, new Map());
  let republishing: Promise<void> = Promise.resolve();
  let sinceRepublish = 0;
  const republish = (): Promise<void> => {
    republishing = republishing.then(async () => {
      published = publishCatalog(catalog, poolPriors(catalog, await store.readTotals(), options.maxPriorStrength ?? DEFAULT_MAX_PRIOR_STRENGTH));
    });
    return republishing;
  };
  const estimates = async (): Promise<Estimates> =>
    estimateAll(await store.readTotals(), await store.readDaily(), await store.countReports(), minImpressions);
  await republish();

  const receive = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const address = options.trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]!.trim() : req.socket.remoteAddress ?? '';
    if (limit && !limit.allow(address)) return void req.resume().on('end', () => sendJson(res, 429, { error: 'rate-limited' }, CORS_HEADERS));
    const type = String(req.headers['content-type'] ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
    if (type !== 'text/plain' && type !== 'application/json') return void req.resume().on('end', () => sendJson(res, 415, { error: 'bad-content-type' }, CORS_HEADERS));
    const body = await readBody(req, MAX_REPORT_BYTES);
    if (body === null) return sendJson(res, 413, { error: 'body-too-large' }, { ...CORS_HEADERS, connection: 'close' });
    const result = parseReport(body, catalog);
    if ('error' in result) return sendJson(res, 400, { error: result.error }, CORS_HEADERS);
    try {
      await commit.add(result.report);
    } catch {
      return sendJson(res, 503, { error: 'store-unavailable' }, CORS_HEADERS);
    }
    res.writeHead(204, CORS_HEADERS).end();
    sinceRepublish += 1;
    if (republishEvery > 0 && sinceRepublish >= republishEvery) {
      sinceRepublish = 0;
      republish().catch(() => {});
    }
  };

  const serveCatalog = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = { ...CORS_HEADERS, etag: published.etag, 'cache-control': `public, max-age=${options.catalogMaxAge ?? 300}` };
    if (req.headers['if-none-match'] === published.etag) return void res.writeHead(304, headers).end();
    res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8' }).end(published.body);
  };

  const serveDashboard = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (!hasToken(req, url, token)) return sendJson(res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
    if (url.pathname === '/dashboard.json') return sendJson(res, 200, await estimates());
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8', 'content-security-policy': DASHBOARD_CSP, 'cache-control': 'no-store',
      'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY',
    }).end(renderDashboard(await estimates()));
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://collector.invalid');
    const { pathname } = url;
    if (req.method === 'OPTIONS') return void res.writeHead(204, CORS_HEADERS).end();
    if (pathname === '/reports' && req.method === 'POST') return receive(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method-not-allowed' });
    if (pathname === '/catalog.json') return serveCatalog(req, res);
    if (pathname === '/dashboard' || pathname === '/dashboard.json') return serveDashboard(req, res, url);
    if (pathname === '/healthz') return sendJson(res, 200, { ok: true });
    if (await serveAsset(pathname, res)) return;
    sendJson(res, 404, { error: 'not-found' });
  };

  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal' });
      else res.destroy();
    });
  });
  server.requestTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, options.host ?? '127.0.0.1', resolve);
  });
  return handle(server, { store, commit, limit, republish, estimates, token });
}

function handle(
  server: ReturnType<typeof createServer>,
  parts: { store: Store; commit: ReturnType<typeof createGroupCommit>; limit?: ReturnType<typeof createRateLimit>; token: string;
    republish: () => Promise<void>; estimates: () => Promise<Estimates> },
): Collector {
  const { address, port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    token: parts.token,
    republish: parts.republish,
    estimates: parts.estimates,
    countReports: () => parts.store.countReports(),
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await parts.commit.drain();
        parts.limit?.dispose();
        await parts.store.close();
      })();
      return closing;
    },
  };
}
