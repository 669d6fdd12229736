import { createHash } from 'node:crypto';
import type { PooledPriors } from './pooled-priors.js';
import type { SiteCatalog } from './site-catalog.js';

/** The catalog as served: its JSON text and the ETag of that text. */
export interface PublishedCatalog {
  body: string;
  etag: string;
}

/**
 * The site's catalog with each creative's pooled prior (priorCtr, priorStrength,
 * priorsByInterest) where there is one, and the `interests` the devices report.
 *
 * @example
 * publishCatalog(catalog, poolPriors(catalog, totals)).etag; // '"3q2-…"'
 */
export function publishCatalog(catalog: SiteCatalog, priors: PooledPriors): PublishedCatalog {
  const round = (x: number): number => Number(x.toPrecision(6));
  const creatives = catalog.raw.creatives.map((creative) => {
    const prior = priors.get(creative.id as string);
    if (!prior) return creative;
    const priorsByInterest = Object.fromEntries(Object.entries(prior.priorsByInterest).map(([interest, p]) =>
      [interest, { priorCtr: round(p.priorCtr), priorStrength: round(p.priorStrength) }]));
    return { ...creative, priorCtr: round(prior.priorCtr), priorStrength: round(prior.priorStrength), priorsByInterest };
  });
  const body = JSON.stringify({ ...catalog.raw, interests: catalog.interests, creatives });
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}
