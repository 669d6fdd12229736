import { describe, expect, it } from 'vitest';
import { countLimits, MAX_PER_DAY, MAX_PER_PAGE, parseReport } from '../src/parse-report.js';
import { loadSiteCatalog } from '../src/site-catalog.js';
import { reportBody, TEST_CATALOG } from './databases.js';

const catalog = loadSiteCatalog(TEST_CATALOG);
const zeros = () => ({ impressions: 0, clicks: 0, conversions: 0 });

describe('loadSiteCatalog', () => {
  it('reads the priors, defaulting to 0.02, and the interests from the targeted categories', () => {
    expect(catalog.priors).toEqual(new Map([['hero-sale', 0.02], ['racing-week', 0.03], ['rpg-pick', 0.02]]));
    expect(catalog.interests).toEqual(['racing', 'rpg']);
    expect(loadSiteCatalog({ ...TEST_CATALOG, interests: ['a', 'b'] }).interests).toEqual(['a', 'b']);
  });

  it('refuses a catalog without unique creative ids', () => {
    expect(() => loadSiteCatalog({ creatives: [{ id: 'a' }, { id: 'a' }] })).toThrow(/unique/);
    expect(() => loadSiteCatalog({ items: [] })).toThrow(/creatives/);
    // A lone surrogate would be stored as U+FFFD: another id than the catalog's.
    expect(() => loadSiteCatalog({ creatives: [{ id: 'broken \ud800 pair' }] })).toThrow(/well-formed/);
    // The SDK reads at most 32 interests: the collector publishes priors for no more.
    expect(() => loadSiteCatalog({ ...TEST_CATALOG, interests: Array.from({ length: 33 }, (_, i) => `i${i}`) })).toThrow(/32 interests/);
  });
});

describe('parseReport', () => {
  it('accepts a precis-report@2 with every row, and a precis-report@1 as interest "" over no window', () => {
    const v2 = parseReport(reportBody(zeros), catalog);
    expect('report' in v2 && v2.report.rows).toHaveLength(9);
    const v1 = parseReport(JSON.stringify({
      format: 'precis-report@1', epsilon: null, rows: [{ creative: 'hero-sale', arm: 'control', impressions: 3, clicks: 1, conversions: 0 }],
    }), catalog);
    expect(v1).toEqual({ report: { epsilon: null, periodHours: 0, rows: [
      { creative: 'hero-sale', arm: 'control', interest: '', impressions: 3, clicks: 1, conversions: 0 }] } });
  });

  it('clips each count to what one visitor can produce in the window, with room for the noise', () => {
    const huge = () => ({ impressions: 1e6, clicks: 1e6, conversions: -1e6 });
    const exact = parseReport(reportBody(() => ({ impressions: 1e6, clicks: 1e6, conversions: 7 }), { periodHours: 24 }), catalog);
    if (!('report' in exact)) throw new Error(exact.error);
    expect(exact.report.rows[0]).toMatchObject({ impressions: 100, clicks: 10, conversions: 1 });
    expect(MAX_PER_DAY).toEqual({ impressions: 100, clicks: 10, conversions: 1 });
    const noisy = parseReport(reportBody(huge, { epsilon: 1, periodHours: 0 }), catalog);
    if (!('report' in noisy)) throw new Error(noisy.error);
    expect(noisy.report.rows[0]).toMatchObject({ impressions: 30 + 30, clicks: 5 + 30, conversions: -30 });
    expect(MAX_PER_PAGE).toEqual({ impressions: 30, clicks: 5, conversions: 1 });
    // A page's worth per hour of the window, up to a day's worth; a longer cadence counts as a day.
    expect(countLimits(null, 2)).toEqual({ low: 0, high: { impressions: 60, clicks: 10, conversions: 1 } });
    expect(countLimits(1, 1000)).toEqual(countLimits(1, 24));
  });

  const bad: Array<[string, string, string]> = [
    ['not JSON', '{"format":', 'bad-json'],
    ['an array', '[]', 'bad-report'],
    ['an unknown format', JSON.stringify({ format: 'precis-report@9', epsilon: null, rows: [] }), 'bad-format'],
    ['no rows', JSON.stringify({ format: 'precis-report@2', epsilon: null, periodHours: 0, rows: [] }), 'bad-report'],
    ['a tiny ε', reportBody(zeros, { epsilon: 0.01 }), 'bad-epsilon'],
    ['a string ε', reportBody(zeros).replace('"epsilon":null', '"epsilon":"1"'), 'bad-epsilon'],
    ['a negative window', reportBody(zeros, { periodHours: -1 }), 'bad-period'],
    ['an unknown creative', reportBody(zeros).replace('hero-sale', "x'; DROP TABLE report_cells; --"), 'unknown-creative'],
    ['a script as creative', reportBody(zeros).replace('hero-sale', '<script>alert(1)</script>'), 'unknown-creative'],
    ['an unknown interest', reportBody(zeros).replace('"racing"', '"poker"'), 'unknown-interest'],
    ['an unknown arm', reportBody(zeros).replace('"personalized"', '"treatment"'), 'bad-row'],
    ['an extra field', reportBody(zeros).replace('"arm"', '"visitor":"v1","arm"'), 'bad-row'],
    ['an infinite count', reportBody(zeros).replace('"impressions":0', '"impressions":1e999'), 'bad-count'],
    ['a huge count', reportBody(zeros).replace('"clicks":0', '"clicks":1000001'), 'bad-count'],
    ['a string count', reportBody(zeros).replace('"impressions":0', '"impressions":"5"'), 'bad-count'],
    ['a negative exact count', reportBody(zeros).replace('"clicks":0', '"clicks":-1'), 'bad-count'],
    ['a fractional exact count', reportBody(zeros).replace('"clicks":0', '"clicks":0.5'), 'bad-count'],
    ['a duplicate row', JSON.stringify({ format: 'precis-report@1', epsilon: null, rows: [
      { creative: 'hero-sale', arm: 'control', impressions: 1, clicks: 0, conversions: 0 },
      { creative: 'hero-sale', arm: 'control', impressions: 1, clicks: 0, conversions: 0 }] }), 'duplicate-row'],
    ['too large', JSON.stringify({ pad: 'x'.repeat(70_000) }), 'bad-report'],
  ];
  it.each(bad)('refuses %s', (_name, body, code) => {
    expect(parseReport(body, catalog)).toEqual({ error: code });
  });

  it('refuses more rows than the catalog has cells', () => {
    const rows = Array.from({ length: 19 }, (_, i) => ({ creative: 'hero-sale', arm: 'control', interest: `i${i}`, impressions: 0, clicks: 0, conversions: 0 }));
    expect(parseReport(JSON.stringify({ format: 'precis-report@2', epsilon: null, periodHours: 0, rows }), catalog)).toEqual({ error: 'too-many-rows' });
  });
});
