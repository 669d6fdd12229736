/**
 * Reading interaction logs into per-visitor item sequences (oldest first).
 *
 * Two formats:
 * - `pairs`: one `user item` pair per line (whitespace separated), rows of a user
 *   already in time order (the SASRec `Video.txt` format).
 * - `jsonl`: one SDK event per line:
 *   `{"visitor": "<id>", "type": "view", "item": "<id>", "time": <ms>, "category"?: "...", "price"?: 1.5}`.
 *   Events are ordered by `time` per visitor (ties keep file order); lines
 *   without an item are dropped.
 *
 * In both formats a visitor's repeated items keep only their FIRST occurrence,
 * so a sequence never contains an item twice (as in the SASRec data) and the
 * leave-one-out target is never part of the input history.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { PrecisError } from './errors';
import { itemSequence } from '../src/features';

/** Supported log formats (see the module comment). */
export type LogFormat = 'pairs' | 'jsonl';

/** Parsed log: visitors in order of first appearance and their item sequences. */
export interface InteractionLog {
  users: string[];
  sequences: string[][];
  /** Lines read, events kept, and lines dropped (no item / duplicate item). */
  stats: { lines: number; events: number; droppedNoItem: number; droppedDuplicate: number };
}

/**
 * Guess the format from the file name (`.jsonl`/`.json` → jsonl) or the first
 * non-blank line (`{` → jsonl), otherwise `pairs`.
 *
 * @example
 * detectLogFormat('events.jsonl', ''); // 'jsonl'
 * detectLogFormat('Video.txt', '1 6393\n'); // 'pairs'
 */
export function detectLogFormat(path: string, text: string): LogFormat {
  if (/\.jsonl?$/i.test(path)) return 'jsonl';
  const first = text.split('\n').find((l) => l.trim() !== '');
  return first !== undefined && first.trim().startsWith('{') ? 'jsonl' : 'pairs';
}

/**
 * Read and parse a log file. Throws PrecisError with codes E_NO_FILE,
 * E_MALFORMED (with the 1-based line number) or E_EMPTY_DATA.
 *
 * @example
 * const log = readInteractionLog('/work/shared/data/games/Video.txt');
 * log.sequences[0]; // ['6393', '13504', ...]
 */
export function readInteractionLog(path: string, format?: LogFormat): InteractionLog {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new PrecisError('E_NO_FILE', `data file not found: ${path}`);
  }
  const text = readFileSync(path, 'utf8');
  return parseInteractionLog(text, format ?? detectLogFormat(path, text), path);
}

/**
 * Parse log text (see {@link readInteractionLog}); `source` names the input in errors.
 *
 * @example
 * parseInteractionLog('a x\na y\nb x\n', 'pairs').sequences; // [['x', 'y'], ['x']]
 */
export function parseInteractionLog(text: string, format: LogFormat, source = '<input>'): InteractionLog {
  const lines = text.split('\n');
  const byUser = new Map<string, { item: string; time: number; order: number }[]>();
  const stats = { lines: 0, events: 0, droppedNoItem: 0, droppedDuplicate: 0 };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    stats.lines++;
    const lineNo = i + 1;
    const fail = (why: string): never => {
      throw new PrecisError('E_MALFORMED', `${source}:${lineNo}: ${why}`);
    };
    let user: string;
    let item: string | undefined;
    let time = i;
    if (format === 'pairs') {
      const parts = raw.trim().split(/\s+/);
      if (parts.length !== 2) fail(`expected "user item", got ${JSON.stringify(raw.slice(0, 80))}`);
      user = parts[0]!;
      item = parts[1]!;
    } else {
      let obj: unknown;
      try {
        obj = JSON.parse(raw);
      } catch {
        return fail('not valid JSON');
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) fail('expected a JSON object');
      const o = obj as Record<string, unknown>;
      if (typeof o.visitor === 'string' && o.visitor !== '') user = o.visitor;
      else if (typeof o.visitor === 'number' && Number.isFinite(o.visitor)) user = String(o.visitor);
      else return fail('missing or invalid "visitor" (non-empty string)');
      if (o.type !== undefined && typeof o.type !== 'string') fail('"type" must be a string');
      if (typeof o.time !== 'number' || !Number.isFinite(o.time)) fail('missing or invalid "time" (ms since epoch)');
      time = o.time as number;
      if (o.category !== undefined && o.category !== null && typeof o.category !== 'string') fail('"category" must be a string');
      if (o.price !== undefined && o.price !== null && (typeof o.price !== 'number' || !Number.isFinite(o.price))) {
        fail('"price" must be a number');
      }
      if (o.item === undefined || o.item === null || o.item === '') {
        stats.droppedNoItem++;
        continue;
      }
      if (typeof o.item === 'string') item = o.item;
      else if (typeof o.item === 'number' && Number.isFinite(o.item)) item = String(o.item);
      else return fail('"item" must be a string');
    }
    let list = byUser.get(user);
    if (!list) byUser.set(user, (list = []));
    list.push({ item: item!, time, order: i });
  }
  const users: string[] = [];
  const sequences: string[][] = [];
  for (const [user, events] of byUser) {
    if (format === 'jsonl') events.sort((a, b) => a.time - b.time || a.order - b.order);
    // The same sequence rule as the browser runtime: first occurrences, in order.
    const seq = itemSequence(events);
    stats.droppedDuplicate += events.length - seq.length;
    users.push(user);
    sequences.push(seq);
    stats.events += seq.length;
  }
  if (stats.events === 0) throw new PrecisError('E_EMPTY_DATA', `no interactions with an item in ${source}`);
  return { users, sequences, stats };
}
