// The databases every collector test runs on: a SQLite file, and PostgreSQL when
// PRECIS_TEST_PG names a server (.ci/run starts one). In CI (CI or PRECIS_REQUIRE_PG set)
// a missing PostgreSQL is a failure, not a skip.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database for one test: its `--db` value and how to throw it away. */
export interface TestDatabase {
  db: string;
  drop(): Promise<void>;
}

/** The kinds of database the collector tests run on, each with a factory of fresh databases. */
export const DATABASES: Array<{ kind: 'sqlite' | 'postgres'; create(): Promise<TestDatabase> }> = [
  { kind: 'sqlite', create: async () => createSqlite() },
  { kind: 'postgres', create: createPostgres },
];

function createSqlite(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'precis-collector-'));
  return { db: join(dir, 'precis.sqlite'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function createPostgres(): Promise<TestDatabase> {
  const base = process.env.PRECIS_TEST_PG;
  if (!base) {
    throw new Error('PRECIS_TEST_PG is not set: the collector tests need a PostgreSQL server (see .ci/run)');
  }
  const name = `precis_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    db: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Whether the PostgreSQL half runs: always in CI, else only with PRECIS_TEST_PG. */
export const POSTGRES_REQUIRED = Boolean(process.env.CI || process.env.PRECIS_REQUIRE_PG);
/** The databases to run on here. */
export const TEST_DATABASES = DATABASES.filter((d) => d.kind === 'sqlite' || POSTGRES_REQUIRED || process.env.PRECIS_TEST_PG);

/** A small catalog: three creatives, two interests. */
export const TEST_CATALOG = {
  creatives: [
    { id: 'hero-sale', slots: ['hero'], title: 'Sale', priorCtr: 0.02 },
    { id: 'racing-week', slots: ['hero'], title: 'Racing week', priorCtr: 0.03, targets: { categories: ['racing'] } },
    { id: 'rpg-pick', slots: ['hero'], title: 'RPG pick', targets: { categories: ['rpg'] } },
  ],
};

/** A valid precis-report@2 body with one row per creative × arm × interest ("" included). */
export function reportBody(
  counts: (creative: string, interest: string) => { impressions: number; clicks: number; conversions: number },
  { arm = 'personalized', epsilon = null as number | null, periodHours = 0 } = {},
): string {
  const rows = TEST_CATALOG.creatives.flatMap((c) => ['racing', 'rpg', ''].map((interest) => ({
    creative: c.id, arm, interest, ...counts(c.id, interest),
  })));
  return JSON.stringify({ format: 'precis-report@2', epsilon, periodHours, rows });
}

/** POSTs a report as sendBeacon does (text/plain). */
export async function postReport(url: string, body: string, type = 'text/plain;charset=UTF-8'): Promise<Response> {
  return fetch(`${url}/reports`, { method: 'POST', body, headers: { 'content-type': type } });
}
