import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const uplot = dirname(require.resolve('uplot/package.json'));
const own = join(dirname(fileURLToPath(import.meta.url)), '../assets');

/** The dashboard's static files: uPlot from node_modules (no CDN) and the page's own script and style. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/assets/uPlot.iife.min.js': { file: join(uplot, 'dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/uPlot.min.css': { file: join(uplot, 'dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
  '/assets/dashboard.js': { file: join(own, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/dashboard.css': { file: join(own, 'dashboard.css'), type: 'text/css; charset=utf-8' },
};

/**
 * Serves one of the dashboard's static files; false when `pathname` is none of them.
 *
 * @example
 * if (await serveAsset(url.pathname, res)) return;
 */
export async function serveAsset(pathname: string, res: ServerResponse): Promise<boolean> {
  const asset = ASSETS[pathname];
  if (!asset) return false;
  const body = await readFile(asset.file);
  res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }).end(body);
  return true;
}
