import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type Collector, type CollectorOptions } from '../src/collector.js';
import { postReport, reportBody, TEST_CATALOG, TEST_DATABASES, type TestDatabase } from './databases.js';

const clicksOn = (creative: string, clicks: number) => (c: string, interest: string) =>
  ({ impressions: interest === 'racing' ? 10 : 0, clicks: c === creative && interest === 'racing' ? clicks : 0, conversions: 0 });

/** Every text value the database holds, table by table (to look for what must not be kept). */
async function dumpDatabase(db: string): Promise<string> {
  if (!db.startsWith('postgres')) {
    const sqlite = new Database(db, { readonly: true });
    const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
    const text = tables.map(({ name }) => JSON.stringify(sqlite.prepare(`SELECT * FROM ${name}`).all())).join('\n');
    sqlite.close();
    return text;
  }
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  const tables = (await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).rows;
  const dumps = await Promise.all(tables.map(async ({ tablename }) => JSON.stringify((await client.query(`SELECT * FROM ${tablename}`)).rows)));
  await client.end();
  return dumps.join('\n');
}

describe.each(TEST_DATABASES)('collector on $kind', ({ create }) => {
  let database: TestDatabase;
  let collector: Collector | undefined;
  const start = async (options: Partial<CollectorOptions> = {}): Promise<Collector> => {
    database ??= await create();
    collector = await startCollector({ db: database.db, catalog: TEST_CATALOG, port: 0, token: 'sesame', rateLimit: false, minImpressions: 1, ...options });
    return collector;
  };
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
    await database?.drop();
    database = undefined as unknown as TestDatabase;
  });

  it('stores a beacon durably in hour buckets, keeps it across a restart, and migrates once', async () => {
    const c = await start();
    const response = await postReport(c.url, reportBody(clicksOn('racing-week', 2)));
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await c.countReports()).toBe(1);
    await c.close();
    const again = await start();
    expect(await again.countReports()).toBe(1);
    const racing = (await again.estimates()).creatives.find((e) => e.creative === 'racing-week')!;
    expect(racing.arms.personalized).toMatchObject({ reports: 1, impressions: { value: 10 }, clicks: { value: 2 }, ctr: { value: 0.2 } });
    const dump = await dumpDatabase(database.db);
    expect(dump).toContain('"version":1');
    expect(dump.match(/"version":/g)).toHaveLength(1);
  });

  it('keeps no address, user agent, cookie or time finer than an hour', async () => {
    const c = await start();
    await fetch(`${c.url}/reports`, {
      method: 'POST', body: reportBody(clicksOn('hero-sale', 1)),
      headers: { 'content-type': 'text/plain', 'user-agent': 'Canary-Agent/1.0', cookie: 'visitor=canary-cookie' },
    });
    await c.close();
    const dump = await dumpDatabase(database.db);
    for (const secret of ['127.0.0.1', '::1', 'Canary-Agent', 'canary-cookie']) expect(dump).not.toContain(secret);
    const hours = [...dump.matchAll(/"hour":"?(\d+)/g)].map((m) => Number(m[1]));
    expect(hours.length).toBeGreaterThan(0);
    for (const hour of hours) expect(Math.abs(hour - Date.now() / 3_600_000)).toBeLessThan(2);
  });

  it('answers the beacon’s preflight and refuses other content types', async () => {
    const c = await start();
    const preflight = await fetch(`${c.url}/reports`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect((await postReport(c.url, reportBody(clicksOn('hero-sale', 1)), 'application/json')).status).toBe(204);
    const form = await postReport(c.url, reportBody(clicksOn('hero-sale', 1)), 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
    expect(await form.json()).toEqual({ error: 'bad-content-type' });
    expect(await c.countReports()).toBe(1);
  });

  it('serves the catalog with pooled priors per creative and interest, with ETag, max-age and 304', async () => {
    const c = await start({ republishEvery: 0 });
    const before = await fetch(`${c.url}/catalog.json`);
    expect(before.headers.get('cache-control')).toBe('public, max-age=300');
    const site = await before.json();
    expect(site.interests).toEqual(['racing', 'rpg']);
    expect(site.creatives[1]).toEqual(TEST_CATALOG.creatives[1]);
    for (let i = 0; i < 20; i += 1) expect((await postReport(c.url, reportBody(clicksOn('racing-week', 5)))).status).toBe(204);
    const etag = before.headers.get('etag')!;
    expect((await fetch(`${c.url}/catalog.json`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    await c.republish();
    const after = await fetch(`${c.url}/catalog.json`, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    const racing = (await after.json()).creatives.find((x: { id: string }) => x.id === 'racing-week');
    // 200 impressions at 50% against the site's 3% worth 100.
    expect(racing.priorCtr).toBeCloseTo((0.03 * 100 + 100) / 300, 4);
    expect(racing.priorStrength).toBe(300);
    expect(racing.priorsByInterest.racing.priorCtr).toBeGreaterThan(racing.priorCtr);
    expect(racing.priorsByInterest.rpg).toBeUndefined();
  });

  it('republishes by itself every N reports', async () => {
    const c = await start({ republishEvery: 3 });
    const etag = (await fetch(`${c.url}/catalog.json`)).headers.get('etag');
    for (let i = 0; i < 3; i += 1) await postReport(c.url, reportBody(clicksOn('hero-sale', 1)));
    await expect.poll(async () => (await fetch(`${c.url}/catalog.json`)).headers.get('etag')).not.toBe(etag);
  });

  it('keeps the dashboard behind its token', async () => {
    const c = await start();
    expect((await fetch(`${c.url}/dashboard`)).status).toBe(401);
    expect((await fetch(`${c.url}/dashboard?token=wrong`)).status).toBe(401);
    expect((await fetch(`${c.url}/dashboard.json`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const page = await fetch(`${c.url}/dashboard`, { headers: { authorization: 'Bearer sesame' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${c.url}/dashboard.json?token=sesame`)).status).toBe(200);
  });

  it('limits the rate per source, storing nothing past the limit', async () => {
    const c = await start({ rateLimit: { perMinute: 1, burst: 3 } });
    const statuses = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await postReport(c.url, reportBody(clicksOn('hero-sale', 1)))).status);
    expect(statuses).toEqual([204, 204, 204, 429, 429]);
    expect(await c.countReports()).toBe(3);
  });
});
