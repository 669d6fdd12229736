import type { Arm } from '../decide/holdout';

/** What happened to a creative in a slot. */
export type ExposureKind = 'impression' | 'click' | 'dismiss';

/**
 * One viewable impression, click or dismissal of a creative, as kept on the device
 * (the `exposures` log). Frequency caps, the bandit's posteriors and the metrics are all
 * computed from these records; none of them ever leaves the device.
 */
export interface Exposure {
  kind: ExposureKind;
  creative: string;
  slot: string;
  arm: Arm;
  /** The probability with which the decision chose this creative (for off-policy evaluation). */
  probability: number;
  /**
   * The visitor's main interest when the creative was decided ('' for none), fixed then:
   * reports count the exposure under it. Absent on exposures recorded before interests.
   */
  interest?: string;
  time: number;
}

const KINDS: ReadonlySet<string> = new Set(['impression', 'click', 'dismiss']);

/**
 * An exposure read back from somewhere a page could have tampered with (the stash the
 * last page left in localStorage), or undefined when it is not one.
 *
 * @example
 * parseExposure({ kind: 'click', creative: 'a', slot: 'hero', arm: 'control', probability: 1, interest: 'racing', time: 5 });
 */
export function parseExposure(raw: unknown): Exposure | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { kind, creative, slot, arm, probability, interest, time } = raw as Record<string, unknown>;
  const short = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 128;
  if (typeof kind !== 'string' || !KINDS.has(kind) || !short(creative) || !short(slot)) return undefined;
  if (arm !== 'personalized' && arm !== 'control') return undefined;
  if (typeof probability !== 'number' || !(probability > 0 && probability <= 1)) return undefined;
  if (typeof time !== 'number' || !Number.isFinite(time)) return undefined;
  const exposure: Exposure = { kind: kind as ExposureKind, creative, slot, arm, probability, time };
  if (interest === undefined) return exposure;
  return typeof interest === 'string' && interest.length <= 128 ? { ...exposure, interest } : undefined;
}
