import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a beacon or a cross-origin fetch needs to reach a public endpoint. */
export const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type, if-none-match',
  'access-control-max-age': '86400',
};

/** Bodies past this are not even read to the end: the connection is closed. */
const DISCARD_LIMIT = 4 * 1024 * 1024;

/**
 * Answers with JSON (an error is `{error: code}`).
 *
 * @example
 * sendJson(res, 400, { error: 'bad-json' }, CORS_HEADERS);
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/**
 * Reads a request body up to `limit` bytes: the text, or null when it is longer (the rest
 * is read and dropped, so the client still gets the answer; a flood past 4 MB is cut).
 *
 * @example
 * const body = await readBody(req, 64 * 1024);
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > DISCARD_LIMIT) {
    req.destroy();
    return null;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > DISCARD_LIMIT) {
      req.destroy();
      return null;
    }
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? null : Buffer.concat(chunks).toString('utf8');
}

/**
 * True when the request carries the token, as `Authorization: Bearer <token>` or
 * `?token=<token>` (a link the site owner can click). Compared in constant time.
 *
 * @example
 * if (!hasToken(req, url, token)) return sendJson(res, 401, { error: 'unauthorized' });
 */
export function hasToken(req: IncomingMessage, url: URL, token: string): boolean {
  const header = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const given = header ?? url.searchParams.get('token') ?? '';
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return given !== '' && timingSafeEqual(digest(given), digest(token));
}
