// The collector's load benchmark: `npm run bench:collector` (after `npm run build`).
// Starts the built precis-collect in its own process (SQLite in a temporary file by default;
// PRECIS_BENCH_DB=postgres starts a throwaway PostgreSQL cluster on loopback, or give a
// postgres://… URL; rate limit off), posts a full precis-report@2 of the demo catalog (every
// creative × interest, ε = 1) from autocannon on loopback for PRECIS_BENCH_SECONDS (default
// 60) over PRECIS_BENCH_CONNECTIONS (default 50) — as fast as it answers, or at
// PRECIS_BENCH_RATE reports/s in all — then counts the reports in the database: every
// acknowledged (204) report must be there. Prints JSON.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startCollector } from '../dist/index.js';
import { startThrowawayPostgres } from './throwaway-postgres.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const seconds = Number(process.env.PRECIS_BENCH_SECONDS ?? 60);
const connections = Number(process.env.PRECIS_BENCH_CONNECTIONS ?? 50);
const rate = process.env.PRECIS_BENCH_RATE ? Number(process.env.PRECIS_BENCH_RATE) : undefined;
const catalogFile = join(root, 'demo/catalog.json');
const dir = mkdtempSync(join(tmpdir(), 'precis-load-'));
const postgres = process.env.PRECIS_BENCH_DB === 'postgres' ? await startThrowawayPostgres() : undefined;
const db = postgres?.url ?? process.env.PRECIS_BENCH_DB ?? join(dir, 'precis.sqlite');

/** One visitor's day: every catalog creative × every interest (and ""), in the personalised arm, with Laplace(3) noise. */
function reportBody() {
  const catalog = JSON.parse(readFileSync(catalogFile, 'utf8'));
  const interests = [...new Set(catalog.creatives.flatMap((c) => c.targets?.categories ?? []))];
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const noise = () => -3 * Math.sign(random() - 0.5) * Math.log(1 - 2 * Math.abs(random() - 0.5));
  const rows = catalog.creatives.flatMap((c) => ['', ...interests].map((interest) => ({
    creative: c.id, arm: 'personalized', interest,
    impressions: Number((2 + noise()).toFixed(3)), clicks: Number(noise().toFixed(3)), conversions: Number(noise().toFixed(3)),
  })));
  return JSON.stringify({ format: 'precis-report@2', epsilon: 1, periodHours: 24, rows });
}

async function spawnCollector() {
  const child = spawn(process.execPath, [join(root, 'server/bin/precis-collect.mjs'), '--catalog', catalogFile, '--db', db,
    '--port', '0', '--rate-limit', '0', '--republish-every', '10000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`precis-collect exited with ${code}`)));
  });
  return { child, url: JSON.parse(line).url };
}

const body = reportBody();
// The machine's load before the run: the other work the benchmark competes with.
const loadBefore = loadavg()[0];
let result;
let stored;
try {
  const { child, url } = await spawnCollector();
  result = await autocannon({
    url: `${url}/reports`, method: 'POST', body, headers: { 'content-type': 'text/plain;charset=UTF-8' },
    connections, duration: seconds, ...(rate ? { overallRate: rate } : {}),
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  const counter = await startCollector({ db, catalog: catalogFile, port: 0 });
  stored = await counter.countReports();
  await counter.close();
} finally {
  postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({
  database: db.startsWith('postgres') ? 'postgres' : 'sqlite',
  seconds, connections, fixedRate: rate ?? null, bodyBytes: Buffer.byteLength(body), rowsPerReport: JSON.parse(body).rows.length,
  reportsPerSecond: Math.round(result['2xx'] / seconds),
  latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  acknowledged: result['2xx'], non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts,
  storedAfterRestart: stored, acknowledgedButMissing: Math.max(0, result['2xx'] - stored),
  machine: { cpus: cpus().length, loadAverage1mBefore: Number(loadBefore.toFixed(2)), loadAverage1mAfter: Number(loadavg()[0].toFixed(2)) },
}, null, 2));
