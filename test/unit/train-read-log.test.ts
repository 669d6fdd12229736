import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectLogFormat, parseInteractionLog, readInteractionLog } from '../../train/read-log';
import { buildVocabulary } from '../../train/vocabulary';
import { parseArgs } from '../../train/parse-args';
import { PrecisError } from '../../train/errors';
import { main } from '../../train/cli';

const errorOf = (f: () => unknown): PrecisError => {
  try {
    f();
  } catch (e) {
    return e as PrecisError;
  }
  throw new Error('expected an error');
};

describe('pairs format', () => {
  it('groups by user in file order and keeps the first occurrence of repeats', () => {
    const log = parseInteractionLog('1 10\n2 20\n1 11\n1 10\n\n2 21\n', 'pairs');
    expect(log.users).toEqual(['1', '2']);
    expect(log.sequences).toEqual([['10', '11'], ['20', '21']]);
    expect(log.stats.droppedDuplicate).toBe(1);
  });
  it('reports malformed lines with their line number', () => {
    const e = errorOf(() => parseInteractionLog('1 10\n1 11\n1 2 3\n', 'pairs', 'x.txt'));
    expect(e.code).toBe('E_MALFORMED');
    expect(e.message).toMatch(/^x\.txt:3: /);
  });
  it('rejects empty data', () => {
    expect(errorOf(() => parseInteractionLog('\n\n', 'pairs')).code).toBe('E_EMPTY_DATA');
  });
});

describe('jsonl format', () => {
  const line = (o: object): string => JSON.stringify(o);
  it('orders by time per visitor, drops lines without an item, keeps first occurrences', () => {
    const text = [
      line({ visitor: 'v1', type: 'view', item: 'b', time: 2000 }),
      line({ visitor: 'v1', type: 'view', item: 'a', time: 1000 }),
      line({ visitor: 'v2', type: 'purchase', item: 'a', time: 5, price: 9.5, category: 'x' }),
      line({ visitor: 'v1', type: 'search', time: 1500 }),
      line({ visitor: 'v1', type: 'click', item: 'a', time: 3000 }),
      line({ visitor: 'v1', type: 'add_to_cart', item: 'c', time: 2500 }),
    ].join('\n');
    const log = parseInteractionLog(text, 'jsonl');
    expect(log.users).toEqual(['v1', 'v2']);
    expect(log.sequences).toEqual([['a', 'b', 'c'], ['a']]);
    expect(log.stats.droppedNoItem).toBe(1);
    expect(log.stats.droppedDuplicate).toBe(1);
  });
  it.each([
    ['{"visitor": "v", "item": "a", "time": 1', /not valid JSON/],
    ['[1, 2]', /JSON object/],
    ['{"item": "a", "time": 1}', /visitor/],
    ['{"visitor": "v", "item": "a"}', /time/],
    ['{"visitor": "v", "item": "a", "time": "yesterday"}', /time/],
    ['{"visitor": "v", "item": {"id": 1}, "time": 1}', /item/],
    ['{"visitor": "v", "item": "a", "time": 1, "price": "cheap"}', /price/],
  ])('reports %s as malformed on its line', (bad, why) => {
    const text = `${line({ visitor: 'v', item: 'z', time: 1 })}\n${bad}\n`;
    const e = errorOf(() => parseInteractionLog(text, 'jsonl', 'ev.jsonl'));
    expect(e.code).toBe('E_MALFORMED');
    expect(e.message).toMatch(/^ev\.jsonl:2: /);
    expect(e.message).toMatch(why);
  });
  it('rejects a log whose lines all lack items', () => {
    expect(errorOf(() => parseInteractionLog(line({ visitor: 'v', type: 'search', time: 1 }), 'jsonl')).code).toBe('E_EMPTY_DATA');
  });
  it('detects the format', () => {
    expect(detectLogFormat('a.jsonl', '')).toBe('jsonl');
    expect(detectLogFormat('a.txt', '\n{"visitor":1}')).toBe('jsonl');
    expect(detectLogFormat('Video.txt', '1 2\n')).toBe('pairs');
  });
  it('reports a missing file', () => {
    expect(errorOf(() => readInteractionLog('/nonexistent/file.txt')).code).toBe('E_NO_FILE');
  });
});

describe('vocabulary', () => {
  it('sorts numeric ids numerically so item k gets index k', () => {
    expect(buildVocabulary([['10', '2'], ['1', '3']]).items).toEqual(['', '1', '2', '3', '10']);
    expect(buildVocabulary([['b', 'a']]).items).toEqual(['', 'a', 'b']);
  });
});

describe('flags', () => {
  it('parses values, = syntax and booleans', () => {
    expect(parseArgs(['--data', 'x', '--epochs=3', '--no-baselines', '--quiet'], { data: 'string', epochs: 'number', baselines: 'boolean', quiet: 'boolean' })).toEqual({
      data: 'x',
      epochs: 3,
      baselines: false,
      quiet: true,
    });
  });
  it('rejects unknown flags and bad numbers', () => {
    expect(errorOf(() => parseArgs(['--bogus', '1'], { data: 'string' })).code).toBe('E_UNKNOWN_FLAG');
    expect(errorOf(() => parseArgs(['--epochs', 'many'], { epochs: 'number' })).code).toBe('E_BAD_FLAG');
    expect(errorOf(() => parseArgs(['--epochs'], { epochs: 'number' })).code).toBe('E_BAD_FLAG');
  });
});

describe('CLI errors', () => {
  afterEach(() => vi.restoreAllMocks());
  const run = async (args: string[]): Promise<{ code: number; stderr: string }> => {
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    const code = await main(args);
    return { code, stderr };
  };
  it('unknown flag → exit 2 and a one-line coded message', async () => {
    const r = await run(['train', '--data', 'x', '--out', 'y', '--epoch', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^precis: E_UNKNOWN_FLAG: unknown flag --epoch/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('unknown command and missing flags', async () => {
    expect((await run(['fit'])).stderr).toMatch(/E_UNKNOWN_COMMAND/);
    expect((await run(['evaluate', '--data', 'x'])).stderr).toMatch(/E_MISSING_FLAG: --model is required/);
  });
  it('malformed and empty data → exit 1 with line number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'precis-cli-'));
    writeFileSync(join(dir, 'bad.txt'), '1 2\n1 3\noops\n');
    writeFileSync(join(dir, 'empty.jsonl'), '\n');
    const bad = await run(['train', '--data', join(dir, 'bad.txt'), '--out', join(dir, 'm'), '--quiet']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/precis: E_MALFORMED: .*bad\.txt:3: /);
    const empty = await run(['train', '--data', join(dir, 'empty.jsonl'), '--out', join(dir, 'm'), '--quiet']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/precis: E_EMPTY_DATA/);
  });
});
