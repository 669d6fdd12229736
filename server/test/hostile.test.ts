import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../src/collector.js';
import { createRandom } from '../../src/decide/bandit.js';
import { postReport, reportBody, TEST_CATALOG, TEST_DATABASES, type TestDatabase } from './databases.js';

const zeros = () => ({ impressions: 1, clicks: 0, conversions: 0 });
const VALID = reportBody(zeros);
const HOSTILE_IDS = [
  "'; DROP TABLE report_cells; --", "x' OR '1'='1", '<script>alert(1)</script>', '<img src=x onerror=alert(1)>',
  '"><svg/onload=alert(1)>', '*', '', '\u0000', '../../etc/passwd', 'a'.repeat(10_000), '${7*7}', '__proto__',
];

/** 1,000 bodies that must each be refused: broken JSON, wrong shapes, huge or non-numbers, hostile ids, 1 MB. */
function hostileBodies(): string[] {
  const random = createRandom(14);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const mutations: Array<() => string> = [
    () => VALID.slice(0, Math.floor(random() * (VALID.length - 1))),
    () => VALID.replace('"impressions":1', pick(['"impressions":NaN', '"impressions":Infinity', '"impressions":1e999', '"impressions":-1e999',
      '"impressions":"1"', '"impressions":null', '"impressions":[1]', '"impressions":1e300', '"impressions":-1'])),
    () => VALID.replace('precis-report@2', pick(['precis-report@3', 'precis-report', '', 'PRECIS-REPORT@2'])),
    () => VALID.replace('hero-sale', pick(HOSTILE_IDS)),
    () => VALID.replace('"racing"', JSON.stringify(pick(HOSTILE_IDS))),
    () => VALID.replace('"epsilon":null', pick(['"epsilon":0', '"epsilon":-1', '"epsilon":"NaN"', '"epsilon":1e999', '"epsilon":0.1'])),
    () => VALID.replace('"periodHours":0', pick(['"periodHours":-5', '"periodHours":"24"', '"periodHours":1e999'])),
    () => pick(['', 'null', '[]', '{}', '"precis"', '42', 'true', '{"format":"precis-report@2"}', '[' .repeat(100_000),
      '{"__proto__":{"polluted":1},"format":"precis-report@2","epsilon":null,"periodHours":0,"rows":[]}', '\u0000\u0001\u0002']),
    () => VALID.replace('"arm":"personalized"', pick(['"arm":"control","arm":"x"', '"arm":"treatment"', '"arm":1'])),
    () => VALID.replace('[{', '[{"creative":"hero-sale","arm":"personalized","interest":"","impressions":1,"clicks":0,"conversions":0},{'),
  ];
  const bodies = Array.from({ length: 980 }, () => pick(mutations)());
  for (let i = 0; i < 20; i += 1) bodies.push(VALID.replace('"rows":', `"pad":"${'x'.repeat(1 << 20)}","rows":`));
  return bodies;
}

describe.each(TEST_DATABASES)('1,000 hostile bodies on $kind', ({ create }) => {
  let database: TestDatabase;
  let collector: Collector;
  beforeAll(async () => {
    database = await create();
    collector = await startCollector({ db: database.db, catalog: TEST_CATALOG, port: 0, token: 't', rateLimit: false });
  });
  afterAll(async () => {
    await collector?.close();
    await database?.drop();
  });

  // 1,000 requests (twenty of 1 MB): minutes on a loaded machine, not the default minute.
  it('answers each with a 4xx and an error code, stores nothing, and keeps serving', { timeout: 240_000 }, async () => {
    const bodies = hostileBodies();
    expect(new Set(bodies).size).toBeGreaterThan(100);
    const codes = new Map<string, number>();
    for (let start = 0; start < bodies.length; start += 20) {
      const answers = await Promise.all(bodies.slice(start, start + 20).map(async (body) => {
        const response = await postReport(collector.url, body);
        return { status: response.status, body: await response.json() as { error: string } };
      }));
      for (const answer of answers) {
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
        expect(typeof answer.body.error).toBe('string');
        codes.set(answer.body.error, (codes.get(answer.body.error) ?? 0) + 1);
      }
    }
    expect([...codes.keys()].sort()).toEqual(expect.arrayContaining(['bad-count', 'bad-format', 'bad-json', 'body-too-large', 'unknown-creative']));
    expect(await collector.countReports()).toBe(0);
    expect((await collector.estimates()).creatives).toEqual([]);
    expect((await postReport(collector.url, VALID)).status).toBe(204);
    expect(await collector.countReports()).toBe(1);
  });
});
