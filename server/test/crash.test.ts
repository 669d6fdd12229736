import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector } from '../src/collector.js';
import { postReport, reportBody, TEST_CATALOG, TEST_DATABASES, type TestDatabase } from './databases.js';

const BIN = fileURLToPath(new URL('../bin/precis-collect.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Starts `precis-collect` in its own process; resolves with the process and its URL. */
async function spawnCollector(db: string): Promise<{ child: ChildProcess; url: string }> {
  const catalog = join(mkdtempSync(join(tmpdir(), 'precis-catalog-')), 'catalog.json');
  writeFileSync(catalog, JSON.stringify(TEST_CATALOG));
  const child = spawn(process.execPath, [BIN, '--catalog', catalog, '--db', db, '--port', '0', '--rate-limit', '0', '--token', 't'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`precis-collect exited with ${code}`)));
  });
  return { child, url: JSON.parse(firstLine).url };
}

describe.each(TEST_DATABASES)('kill -9 during a load on $kind', ({ create }) => {
  let database: TestDatabase | undefined;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    await database?.drop();
  });

  it('loses no acknowledged report', { timeout: 180_000 }, async () => {
    expect(existsSync(BUILT), 'run `npm run build` first: the test runs the built precis-collect').toBe(true);
    database = await create();
    const started = await spawnCollector(database.db);
    child = started.child;
    const body = reportBody(() => ({ impressions: 3, clicks: 1, conversions: 0 }));
    let acknowledged = 0;
    let sent = 0;
    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop) {
        sent += 1;
        try {
          const response = await postReport(started.url, body);
          if (response.status === 204) acknowledged += 1;
        } catch {
          return; // the collector is gone
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    await expect.poll(() => acknowledged, { timeout: 120_000, interval: 5 }).toBeGreaterThan(300);
    child.kill('SIGKILL');
    await Promise.all(workers);
    stop = true;
    const restarted = await startCollector({ db: database.db, catalog: TEST_CATALOG, port: 0 });
    const stored = await restarted.countReports();
    const racing = (await restarted.estimates()).overall.arms.personalized!;
    await restarted.close();
    expect(stored).toBeGreaterThanOrEqual(acknowledged);
    expect(stored).toBeLessThanOrEqual(sent);
    // Each report's cells were written in the same transaction as its count.
    expect(racing.reports).toBe(stored);
    expect(racing.impressions.value).toBe(stored * 27);
  });
});
