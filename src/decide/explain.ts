import type { PrecisEvent } from '../capture/event';
import { EVENT_WEIGHTS } from './profile';
import type { Contribution, Decision } from './rank';
import type { RuleName, RuleOutcome } from './rules';
import type { Arm } from './holdout';
import type { ModelRef } from './model-view';
import type { PriorUsed } from './prior';

/** One of the visitor's events that made a creative relevant. */
export interface EventReason {
  type: string;
  item?: string;
  category?: string;
  time: number;
  /** Its weight in the profile after the recency decay. */
  weight: number;
}

/** The answer to "why this ad?" for one slot, as `why(slot)` returns it. */
export interface Explanation {
  slot: string;
  /** The creative shown, or null when the slot kept its default content. */
  creative: string | null;
  title: string | null;
  arm: Arm;
  /** The probability with which the creative was chosen. */
  probability: number;
  score: number;
  ctr: number;
  /** Where the CTR started: a creative-scores model, the prior pooled over visitors of `interest`, the creative's own, or the default. */
  prior: PriorUsed | null;
  /** The visitor's main interest when decided ('' for none); its exposures are reported under it. */
  interest: string;
  /** The targets that matched: items, categories, segments and the model's pick. */
  reasons: Contribution[];
  /** The visitor's events that contributed most, strongest first. */
  events: EventReason[];
  /** Every rule the creative passed, with its detail. */
  rules: RuleOutcome[];
  /** Creatives that a rule kept out of this slot. */
  excluded: Array<{ creative: string; rule: RuleName }>;
  /** The on-device models that contributed (name, version, job); absent when none did. */
  models?: ModelRef[];
  decidedAt: number;
  /** `cache`: decided on an earlier page and shown from the first frame; `live`: decided on this page. */
  source: 'cache' | 'live';
}

const MAX_EVENTS = 5;

/**
 * Explains a decision: its reasons, rules and probability, plus the visitor's events on
 * the items and categories that contributed, strongest (type weight × recency) first.
 *
 * @example
 * explain(decision, events, Date.now(), 7 * DAY_MS, 'live').events[0]; // { type: 'add_to_cart', item: '8596', … }
 */
export function explain(
  decision: Decision,
  events: readonly PrecisEvent[],
  now: number,
  halfLifeMs: number,
  source: Explanation['source'],
): Explanation {
  const items = new Set(decision.contributions.filter((c) => c.kind === 'item' || c.kind === 'model').map((c) => c.id));
  const categories = new Set(decision.contributions.filter((c) => c.kind === 'category').map((c) => c.id));
  const reasons = events
    .filter((e) => (e.item !== undefined && items.has(e.item)) || (e.category !== undefined && categories.has(e.category)))
    .map((e) => ({ event: e, weight: (EVENT_WEIGHTS.get(e.type) ?? 1) * Math.pow(0.5, Math.max(0, now - e.time) / halfLifeMs) }))
    .filter((entry) => entry.weight > 0)
    .sort((a, b) => b.weight - a.weight)
    .slice(0, MAX_EVENTS)
    .map(({ event, weight }) => {
      const reason: EventReason = { type: event.type, time: event.time, weight };
      if (event.item !== undefined) reason.item = event.item;
      if (event.category !== undefined) reason.category = event.category;
      return reason;
    });
  return {
    slot: decision.slot,
    creative: decision.creative?.id ?? null,
    title: decision.creative?.title ?? null,
    arm: decision.arm,
    probability: decision.probability,
    score: decision.score,
    ctr: decision.ctr,
    prior: decision.prior,
    interest: decision.interest,
    reasons: decision.contributions,
    events: reasons,
    rules: decision.rules,
    excluded: decision.excluded,
    ...(decision.models.length > 0 ? { models: decision.models } : {}),
    decidedAt: now,
    source,
  };
}
