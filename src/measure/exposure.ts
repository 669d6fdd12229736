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
  time: number;
}
