import { createHmac, randomBytes } from 'node:crypto';

/** How many reports one source may send: a burst, then a steady rate. */
export interface RateLimitOptions {
  /** Reports per minute, refilled continuously. */
  perMinute: number;
  /** Reports one source may send at once. */
  burst: number;
}

/** The default: a visitor reports at most once per page hide; 60 at once and one a second is far above it. */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perMinute: 60, burst: 60 };
/** Sources tracked at once; beyond it the oldest are forgotten (memory stays bounded under a flood). */
const MAX_SOURCES = 100_000;

/** Decides whether a source may send now; see `createRateLimit`. */
export interface RateLimit {
  /** Takes one token from the source's bucket: false when it is empty. */
  allow(address: string): boolean;
  dispose(): void;
}

/**
 * A token bucket per source, held in memory only and keyed by an HMAC of the address
 * under a key made at start and never written anywhere: the address itself is not kept,
 * and the key dies with the process.
 *
 * @example
 * const limit = createRateLimit({ perMinute: 60, burst: 60 });
 * if (!limit.allow(req.socket.remoteAddress ?? '')) reply(429);
 */
export function createRateLimit({ perMinute, burst }: RateLimitOptions, now: () => number = Date.now): RateLimit {
  const key = randomBytes(32);
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = perMinute / 60_000;
  // Full buckets say nothing: drop them every minute.
  const sweep = setInterval(() => {
    const t = now();
    for (const [source, bucket] of buckets) if (bucket.tokens + (t - bucket.at) * perMs >= burst) buckets.delete(source);
  }, 60_000);
  sweep.unref();
  return {
    allow(address) {
      const source = createHmac('sha256', key).update(address).digest('base64');
      const t = now();
      const bucket = buckets.get(source) ?? { tokens: burst, at: t };
      bucket.tokens = Math.min(burst, bucket.tokens + (t - bucket.at) * perMs);
      bucket.at = t;
      const allowed = bucket.tokens >= 1;
      if (allowed) bucket.tokens -= 1;
      buckets.delete(source);
      buckets.set(source, bucket);
      if (buckets.size > MAX_SOURCES) buckets.delete(buckets.keys().next().value!);
      return allowed;
    },
    dispose() {
      clearInterval(sweep);
      buckets.clear();
    },
  };
}
