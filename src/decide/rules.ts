import type { Creative } from './catalog';
import type { DecisionInput } from './rank';
import type { CreativeStats } from './visitor-stats';

// The rules a creative passes on its own (dates, purchases, dismissals, segments, caps);
// the page-level ones (no duplicate, category limit) are applied where slots are assigned.

/** The business rules every choice passes. */
export type RuleName =
  | 'schedule'
  | 'slot'
  | 'purchased'
  | 'dismissed'
  | 'segment'
  | 'cap-day'
  | 'cap-session'
  | 'duplicate'
  | 'category-limit';

/** One rule's verdict on a creative. */
export interface RuleOutcome {
  rule: RuleName;
  passed: boolean;
  detail: string;
}

/** A creative this visitor has not seen. */
export const NO_STATS: CreativeStats = { impressions: 0, clicks: 0, today: 0, session: 0, dismissed: false };

/**
 * True while a creative's campaign runs: `start <= now < end`.
 *
 * @example
 * isActive({ ...creative, end: Date.parse('2030-01-01') }, Date.now());
 */
export function isActive(creative: Creative, now: number): boolean {
  return (creative.start === undefined || creative.start <= now) && (creative.end === undefined || now < creative.end);
}

/**
 * The rules that depend on the creative and the visitor alone (not on the rest of the
 * page): campaign dates, items already bought, dismissals, segment targeting (a creative
 * that targets segments is for visitors in one of them, and never for the control arm,
 * which is not personalised), and the frequency caps (viewable impressions in the last
 * 24 hours and in this session).
 *
 * @example
 * checkRules(creative, input).every((outcome) => outcome.passed);
 */
export function checkRules(
  creative: Creative,
  input: Pick<DecisionInput, 'now' | 'purchased' | 'stats' | 'policy' | 'arm' | 'segments'>,
): RuleOutcome[] {
  const stats = input.stats.get(creative.id) ?? NO_STATS;
  const caps = { ...input.policy.caps, ...creative.caps };
  const items = creative.targets.items;
  const bought = items.length > 0 && items.every((item) => input.purchased.has(item));
  return [
    { rule: 'schedule', passed: isActive(creative, input.now), detail: 'the campaign runs now' },
    { rule: 'purchased', passed: !bought, detail: bought ? 'the visitor bought what it promotes' : 'not bought yet' },
    { rule: 'dismissed', passed: !stats.dismissed, detail: stats.dismissed ? 'the visitor dismissed it' : 'not dismissed' },
    segmentOutcome(creative.targets.segments, input),
    capOutcome('cap-day', stats.today, caps.perDay, 'in the last 24 hours'),
    capOutcome('cap-session', stats.session, caps.perSession, 'this session'),
  ];
}

function segmentOutcome(targets: readonly string[], input: Pick<DecisionInput, 'arm' | 'segments'>): RuleOutcome {
  if (targets.length === 0) return { rule: 'segment', passed: true, detail: 'for every visitor' };
  const match = input.arm === 'personalized' ? targets.find((segment) => input.segments.has(segment)) : undefined;
  return match
    ? { rule: 'segment', passed: true, detail: `the visitor is in ${match}` }
    : { rule: 'segment', passed: false, detail: `only for ${targets.join(', ')}` };
}

function capOutcome(rule: RuleName, seen: number, cap: number | undefined, when: string): RuleOutcome {
  if (cap === undefined) return { rule, passed: true, detail: `no cap; ${seen} ${when}` };
  return { rule, passed: seen < cap, detail: `${seen} of ${cap} ${when}` };
}
