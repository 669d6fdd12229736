import { DEFAULTS } from '../core/defaults';

/** Which arm of the experiment a visitor is in: personalised decisions, or the control group. */
export type Arm = 'personalized' | 'control';

/** The share of visitors kept in the control group unless the site says otherwise. */
export const DEFAULT_HOLDOUT = DEFAULTS.holdout;

/**
 * A visitor's arm, from a stable hash of their anonymous id: the same id always lands in
 * the same arm, and about `share` of all ids land in `control`. `salt` lets a site start
 * a new experiment with a fresh split.
 *
 * @example
 * assignArm('k3j9x…', 0.05); // 'personalized' for ~95% of ids
 */
export function assignArm(visitorId: string, share: number, salt = 'precis'): Arm {
  return hashToUnit(`${salt}:${visitorId}`) < share ? 'control' : 'personalized';
}

/**
 * FNV-1a over UTF-16 code units, mapped to [0, 1). Not cryptographic: it only needs to
 * spread ids evenly.
 *
 * @example
 * hashToUnit('abc'); // 0.1026…, the same on every device
 */
export function hashToUnit(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 0x1_0000_0000;
}
