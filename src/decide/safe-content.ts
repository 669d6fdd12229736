// What a creative may put into a page: URLs that stay http(s) (and on the allowed hosts),
// titles that stay one line of plain text. The catalog, the cached decisions and the
// renderer all check with these.

/**
 * The longest title a catalog may carry, in UTF-16 code units.
 *
 * @example
 * title.slice(0, MAX_TITLE_LENGTH);
 */
export const MAX_TITLE_LENGTH = 300;
const MAX_URL = 2048;

// A relative URL takes its host from the base, so a URL is checked against two bases
// that differ in scheme and host: relative only when it follows the base under both.
// `//host/x` and `/\\host/x` keep their own host, and `https:host` (relative on an
// https page, absolute on an http one) fails under the http base, so all of them meet
// the allowlist.
// (Plain strings, not URL objects, so importing this module does no work.)
const BASES = [
  { href: 'https://a.precis.invalid/', host: 'a.precis.invalid' },
  { href: 'http://b.precis.invalid/', host: 'b.precis.invalid' },
] as const;

function parseUrl(value: string, base: string): URL | undefined {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}

/**
 * Lower-cases and punycodes an allowlist entry the way the URL parser does, so entries
 * compare equal to parsed hosts. An entry that is more than a host (a path, user info,
 * a query) is not one, and matches nothing.
 */
function normalizeHost(entry: string): string | undefined {
  const url = parseUrl(`https://${entry}/`, BASES[0].href);
  const plain = url !== undefined && url.pathname === '/' && url.username === '' && url.password === '' &&
    url.search === '' && url.hash === '';
  return plain ? url.host : undefined;
}

/**
 * True for URLs Precis will put in a page: http(s) or relative. Parsed the way a browser
 * parses them, so `java\tscript:`, ` javascript:` and `\u0001javascript:` are caught
 * too. URLs carrying credentials (`https://shop.example@evil.example/`) are refused:
 * they exist to make a link look like it goes somewhere else. With `allowedHosts`, an
 * absolute URL (including `//host/x`) must name one of those hosts exactly (`host` or
 * `host:port`, case-insensitive, no wildcards); relative URLs stay allowed since they
 * point at the page's own site.
 *
 * @example
 * isSafeUrl('/p/7'); // true
 * isSafeUrl('javascript:alert(1)'); // false
 * isSafeUrl('https://cdn.example/a.png', ['cdn.example']); // true
 * isSafeUrl('https://evil.example/a.png', ['cdn.example']); // false
 */
export function isSafeUrl(value: string, allowedHosts?: readonly string[]): boolean {
  if (typeof value !== 'string' || value.length > MAX_URL) return false;
  return BASES.every((base) => {
    const url = parseUrl(value, base.href);
    if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) return false;
    if (url.username !== '' || url.password !== '') return false;
    return allowedHosts === undefined || url.host === base.host || isAllowedHost(url, allowedHosts);
  });
}

function isAllowedHost(url: URL, allowedHosts: readonly string[]): boolean {
  return allowedHosts.some((entry) => {
    if (typeof entry !== 'string' || entry === '') return false;
    const host = normalizeHost(entry);
    return host !== undefined && (host === url.host || host === url.hostname);
  });
}

// Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069) can reorder the
// rest of a title ("Trojan Source" spoofing) and leak into the text around the slot, so
// they are removed; the marks (LRM, RLM, ALM) only nudge neutral characters and stay.
// Other control characters (NUL, C0, DEL, C1) have no business in a one-line title.
const STRIPPED_FROM_TITLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const TITLE_LINE_BREAKS = /[\t\n\r\u2028\u2029]/g;

/**
 * Makes a title safe to show as one line of text: bidi embedding, override and isolate
 * controls and other control characters are removed, tabs and line breaks become
 * spaces. Everything else, `<script>` included, is kept: titles are only ever set
 * through `textContent`, where markup is inert text.
 *
 * @example
 * cleanTitle('Sale\u202Egnp.exe'); // 'Salegnp.exe'
 * cleanTitle('<b>50%</b> off'); // '<b>50%</b> off' (shown as text)
 */
export function cleanTitle(title: string): string {
  return title.replace(STRIPPED_FROM_TITLE, '').replace(TITLE_LINE_BREAKS, ' ');
}
