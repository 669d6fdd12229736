import { defineConfig } from '@playwright/test';
import chromiumArgs from './test/chromium-args.json' with { type: 'json' };

const port = Number(process.env.PRECIS_TEST_PORT ?? 4173);

// Playwright cannot download browsers here: every test runs in Debian's Chromium, with
// the flags in test/chromium-args.json (shared with the benchmark and the screenshot).
export const CHROMIUM_ARGS: string[] = chromiumArgs;

export default defineConfig({
  testDir: 'test',
  testMatch: ['browser/**/*.spec.ts', 'e2e/**/*.spec.ts', 'package/**/*.spec.ts'],
  fullyParallel: true,
  workers: 2,
  // On CI one retry: on 2 cores with software GPUs a timing check now and then misses by a
  // few hundred ms (consent-cmp's cached decision, the hiding timeout); Playwright still
  // reports such a test as flaky, so it is seen, but one slow run does not stop a landing.
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    launchOptions: {
      executablePath: process.env.PRECIS_CHROMIUM ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
  },
  webServer: {
    command: 'node demo/server.mjs',
    env: { PORT: String(port) },
    url: `http://localhost:${port}/`,
    reuseExistingServer: !process.env.CI,
    stdout: 'ignore',
  },
});
