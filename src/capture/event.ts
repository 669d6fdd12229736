import { PrecisError } from '../core/errors';

/** The event types Precis understands; any other lower_snake_case name is a custom event. */
export type StandardEventType = 'page_view' | 'view' | 'click' | 'add_to_cart' | 'purchase';

/** A standard type, or a custom one such as `'wishlist'` (lower_snake_case, ≤ 32 chars). */
export type EventType = StandardEventType | (string & {});

/**
 * What a site passes to `track()`.
 *
 * @example
 * precis.track({ type: 'add_to_cart', item: 'sku-42', category: 'consoles', price: 299 });
 */
export interface TrackInput {
  type: EventType;
  /** The item's id on the site (a product SKU). Required for view, click, add_to_cart and purchase. */
  item?: string | number;
  category?: string;
  price?: number;
  /** Milliseconds since the epoch; defaults to now. */
  time?: number;
  /** The page path, for page views. */
  url?: string;
}

/** An event as validated and stored. Only these fields are ever kept; `url` is a path. */
export interface PrecisEvent {
  type: EventType;
  item?: string;
  category?: string;
  price?: number;
  time: number;
  url?: string;
}

const TYPE_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
const NEEDS_ITEM: ReadonlySet<string> = new Set(['view', 'click', 'add_to_cart', 'purchase']);
const MAX_ID_LENGTH = 128;
const MAX_URL_LENGTH = 2048;

const EMAIL = /[^\s@]+@[^\s@]+\.[^\s@]+/;
/** A phone number as people write one: a leading + or separators between 7+ digits. Bare digit runs are SKUs. */
const PHONE = /^(?=(?:\D*\d){7})\+?[\d\s().-]*[\s().+-][\d\s().-]*$/;

/**
 * True for values that look like an email address or a phone number: personal data that
 * must never be stored, whatever field a site put it in.
 *
 * @example
 * looksPersonal('jane@example.com'); // true
 * looksPersonal('+1 555 123 4567');  // true
 * looksPersonal('4006381333931');    // false (a barcode)
 */
export function looksPersonal(value: string): boolean {
  return EMAIL.test(value) || PHONE.test(value.trim());
}

/**
 * A URL reduced to its path: query strings and fragments often carry personal data
 * (emails, tokens, search terms), so they are never kept.
 *
 * @example
 * pathOnly('/search?q=jane%40example.com#top'); // '/search'
 */
export function pathOnly(url: string): string {
  try {
    return new URL(url, 'https://path.invalid/').pathname;
  } catch {
    return url.split(/[?#]/)[0] ?? '';
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function invalid(reason: string): PrecisError {
  return new PrecisError('invalid-event', { reason });
}

function readId(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') throw invalid(`${field} must be a string`);
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.length > MAX_ID_LENGTH) {
    throw invalid(`${field} must be 1-${MAX_ID_LENGTH} characters`);
  }
  if (looksPersonal(trimmed)) throw invalid(`${field} looks like an email address or a phone number`);
  return trimmed;
}

/**
 * Checks a `track()` input and returns the event to store, keeping only known fields.
 * Throws a PrecisError with code `invalid-event` and a reason when the input is bad.
 *
 * @example
 * validateEvent({ type: 'view', item: 7 }, Date.now()); // { type: 'view', item: '7', time: … }
 */
export function validateEvent(input: unknown, now: number): PrecisEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid('event must be an object');
  }
  const raw = input as Record<string, unknown>;
  if (typeof raw.type !== 'string' || !TYPE_PATTERN.test(raw.type)) {
    throw invalid('type must be lower_snake_case, at most 32 characters');
  }
  const event: PrecisEvent = { type: raw.type, time: now };
  const item = readId(raw.item, 'item');
  if (item !== undefined) event.item = item;
  else if (NEEDS_ITEM.has(raw.type)) throw invalid(`${raw.type} needs an item`);
  const category = readId(raw.category, 'category');
  if (category !== undefined) event.category = category;
  if (raw.price !== undefined) {
    if (typeof raw.price !== 'number' || !Number.isFinite(raw.price) || raw.price < 0) {
      throw invalid('price must be a non-negative number');
    }
    event.price = raw.price;
  }
  if (raw.time !== undefined) {
    if (typeof raw.time !== 'number' || !Number.isFinite(raw.time) || raw.time <= 0) {
      throw invalid('time must be milliseconds since the epoch');
    }
    event.time = raw.time;
  }
  if (raw.url !== undefined) {
    if (typeof raw.url !== 'string' || raw.url.length > MAX_URL_LENGTH) {
      throw invalid(`url must be a string of at most ${MAX_URL_LENGTH} characters`);
    }
    const path = pathOnly(raw.url);
    if (looksPersonal(safeDecode(path))) throw invalid('url looks like it carries an email address or a phone number');
    event.url = path;
  }
  return event;
}
