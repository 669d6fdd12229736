import { meanOf, posterior, sampleBeta, type BetaPosterior, type Random } from './bandit';
import type { Creative, FrequencyCaps } from './catalog';
import type { Arm } from './holdout';
import type { ModelRef, ModelView } from './model-view';
import { choosePrior, type CreativeScores, type PriorUsed } from './prior';
import type { Profile } from './profile';
import { checkRules, NO_STATS, type RuleName, type RuleOutcome } from './rules';
import type { CreativeStats } from './visitor-stats';

/** How much the model's opinion counts against the visitor's recorded affinity. */
export const MODEL_WEIGHT = 3;
/** What one matching segment adds to a creative's relevance. */
export const SEGMENT_WEIGHT = 1;
/** Thompson draws used to estimate the probability of each choice. */
const PROBABILITY_DRAWS = 200;

/** Why a creative scored as it did: its targets that the visitor showed interest in. */
export interface Contribution {
  /** `model`: the model's affinity for a targeted item (`id`), weighted by MODEL_WEIGHT. */
  kind: 'item' | 'category' | 'model' | 'segment';
  id: string;
  affinity: number;
}

/** The creative chosen for one slot, or `null` when none fits (the default content stays). */
export interface Decision {
  slot: string;
  creative: Creative | null;
  arm: Arm;
  /** weight × value × CTR × relevance, with the CTR the decision used (a Thompson draw when exploring). */
  score: number;
  /** The CTR the decision expected: the posterior mean (or the catalog's prior, in the control arm). */
  ctr: number;
  /** The probability with which this creative was chosen for this slot (1 when nothing is random). */
  probability: number;
  /** The visitor's main interest when decided ('' for none): its exposures are reported under it. */
  interest: string;
  /** The prior the CTR started from (null when the slot keeps its default). */
  prior: PriorUsed | null;
  /** What made the creative relevant to this visitor, largest first. */
  contributions: Contribution[];
  /** The rules the chosen creative passed. */
  rules: RuleOutcome[];
  /** Creatives for this slot that a rule kept out, with the rule. */
  excluded: Array<{ creative: string; rule: RuleName }>;
  /** The models that contributed to the choice: its item scores, its prior, the propensity segment it targets. */
  models: ModelRef[];
}

/** How decisions are made, from the options. */
export interface DecisionPolicy {
  /** Thompson sampling on (true), or always the posterior mean. */
  explore: boolean;
  /** How many impressions a prior CTR counts as, when the catalog gives no `priorStrength`. */
  priorStrength: number;
  /** Caps for creatives whose catalog entry names none. */
  caps: FrequencyCaps;
  /** Most creatives of one category on one page. */
  maxPerCategory: number;
}

/** Everything one page's decision depends on. */
export interface DecisionInput {
  now: number;
  arm: Arm;
  profile: Profile;
  segments: ReadonlySet<string>;
  /** The visitor's main interest (see `mainInterest`); '' or absent for none. */
  interest?: string;
  /** The item-scores model's view of the targeted items (personalised arm). */
  model?: ModelView;
  /** The creative-scores model's P(click) for this visitor: the prior of the creatives it scores (personalised arm). */
  creativeScores?: CreativeScores;
  /** The model that estimated the visitor's propensity (and so their `propensity:` segment), if one did. */
  propensityModel?: ModelRef;
  /** Items the visitor bought. */
  purchased: ReadonlySet<string>;
  /** This device's impressions, clicks and dismissals per creative. */
  stats: ReadonlyMap<string, CreativeStats>;
  policy: DecisionPolicy;
  random: Random;
  /** Creatives already shown on this page. */
  taken?: ReadonlySet<string>;
}

/**
 * How relevant a creative is to this visitor: `1 + Σ affinity of its targeted items and
 * categories + SEGMENT_WEIGHT × its segments the visitor is in + MODEL_WEIGHT × the
 * model's best affinity among its targeted items and the items of its targeted categories`.
 *
 * @example
 * relevanceOf(creative, profile, new Set(['interest:racing']), modelView).relevance; // e.g. 4.2
 */
export function relevanceOf(
  creative: Creative,
  profile: Profile,
  segments: ReadonlySet<string>,
  model?: ModelView,
): { relevance: number; contributions: Contribution[] } {
  const contributions: Contribution[] = [];
  for (const id of creative.targets.items) {
    const affinity = profile.items.get(id);
    if (affinity) contributions.push({ kind: 'item', id, affinity });
  }
  for (const id of creative.targets.categories) {
    const affinity = profile.categories.get(id);
    if (affinity) contributions.push({ kind: 'category', id, affinity });
  }
  for (const id of creative.targets.segments) {
    if (segments.has(id)) contributions.push({ kind: 'segment', id, affinity: SEGMENT_WEIGHT });
  }
  let best: Contribution | undefined;
  const modelItems = model ? [...creative.targets.items, ...creative.targets.categories.flatMap((c) => model.itemsIn(c))] : [];
  for (const id of modelItems) {
    const affinity = model?.affinity(id);
    if (affinity !== undefined && (!best || affinity * MODEL_WEIGHT > best.affinity)) {
      best = { kind: 'model', id, affinity: affinity * MODEL_WEIGHT };
    }
  }
  if (best && best.affinity > 0) contributions.push(best);
  contributions.sort((a, b) => b.affinity - a.affinity);
  return { relevance: 1 + contributions.reduce((sum, c) => sum + c.affinity, 0), contributions };
}

interface Candidate {
  creative: Creative;
  contributions: Contribution[];
  prior: PriorUsed;
  /** This device's posterior over its CTR, from the prior. */
  belief: BetaPosterior;
  ctr: number;
  rules: RuleOutcome[];
  /** Before the CTR: weight × value × relevance. */
  base: number;
}

/**
 * Decides a creative for each slot, in page order.
 *
 * Every creative that names the slot and passes the rules (`checkRules`, then no
 * creative twice on a page and at most `maxPerCategory` per category) is a candidate.
 * Its score is `weight × value × CTR × relevance` (see `relevanceOf`). In the
 * personalised arm the CTR is a Thompson draw from its Beta posterior (the prior of
 * `choosePrior`: the creative-scores model's P(click) for this visitor when it scores the
 * creative, else pooled over visitors of the visitor's main interest when the catalog has
 * it, else the creative's `priorCtr`; plus this device's impressions and clicks), or the
 * posterior mean when `explore` is off; the highest score wins. Each decision records the
 * probability of its choice, estimated from 200 further draws. The control arm ignores
 * the visitor entirely: relevance 1 and the creative's prior CTR (never the interest's),
 * so its choice is the non-personalised one, with probability 1. Ties go to the smaller id.
 *
 * @example
 * decideSlots(['hero', 'sidebar'], catalog.creatives, input);
 */
export function decideSlots(slots: readonly string[], creatives: readonly Creative[], input: DecisionInput): Decision[] {
  const personal = input.arm === 'personalized';
  const interest = input.interest ?? '';
  const excluded = new Map<string, RuleName>();
  const candidates: Candidate[] = [];
  for (const creative of creatives) {
    const rules = checkRules(creative, input);
    const failed = rules.find((outcome) => !outcome.passed);
    if (failed) {
      excluded.set(creative.id, failed.rule);
      continue;
    }
    const { relevance, contributions } = personal
      ? relevanceOf(creative, input.profile, input.segments, input.model)
      : { relevance: 1, contributions: [] };
    const modelCtr = personal ? input.creativeScores?.ctr.get(creative.id) : undefined;
    const prior = choosePrior(creative, personal ? interest : null, input.policy.priorStrength, modelCtr);
    const belief = posterior(prior.ctr, prior.strength, input.stats.get(creative.id) ?? NO_STATS);
    const ctr = personal ? meanOf(belief) : prior.ctr;
    candidates.push({ creative, contributions, prior, belief, ctr, rules, base: creative.weight * (creative.value ?? 1) * relevance });
  }
  const draw = (): Map<string, number> =>
    new Map(candidates.map((candidate) => [candidate.creative.id, sampleBeta(candidate.belief, input.random)]));
  const random = personal && input.policy.explore;
  const ctrs = random ? draw() : new Map(candidates.map((c) => [c.creative.id, c.ctr]));
  const chosen = assign(slots, candidates, ctrs, input);

  const wins = chosen.map(() => 0);
  if (random) {
    for (let run = 0; run < PROBABILITY_DRAWS; run += 1) {
      assign(slots, candidates, draw(), input).forEach((pick, index) => {
        if (pick.choice?.candidate.creative.id === chosen[index]!.choice?.candidate.creative.id) wins[index]! += 1;
      });
    }
  }
  return slots.map((slot, index) => {
    const { choice: pick, pageExcluded } = chosen[index]!;
    const out = [...excluded]
      .filter(([id]) => creatives.some((c) => c.id === id && c.slots.includes(slot)))
      .map(([creative, rule]) => ({ creative, rule }));
    if (!pick) {
      // The page rules' exclusions are kept: they say why the default content stayed.
      return {
        slot, creative: null, arm: input.arm, score: 0, ctr: 0, probability: 1, interest, prior: null, contributions: [], rules: [],
        excluded: [...out, ...pageExcluded], models: [],
      };
    }
    const { candidate, score, pageRules } = pick;
    return {
      slot,
      creative: candidate.creative,
      arm: input.arm,
      score,
      ctr: candidate.ctr,
      // The draw that decided counts as one of the draws.
      probability: random ? (wins[index]! + 1) / (PROBABILITY_DRAWS + 1) : 1,
      interest,
      prior: candidate.prior,
      contributions: candidate.contributions,
      rules: [...candidate.rules, { rule: 'slot', passed: true, detail: `it may fill ${slot}` }, ...pageRules],
      excluded: [...out, ...pageExcluded],
      models: modelsBehind(candidate, input),
    };
  });
}

/** The models a candidate's score owes something to. */
function modelsBehind({ contributions, prior }: Candidate, input: DecisionInput): ModelRef[] {
  const models: ModelRef[] = [];
  if (input.model && contributions.some((c) => c.kind === 'model')) models.push(input.model.model);
  if (input.creativeScores && prior.source === 'model') models.push(input.creativeScores.model);
  if (input.propensityModel && contributions.some((c) => c.kind === 'segment' && c.id.startsWith('propensity:'))) {
    models.push(input.propensityModel);
  }
  return models;
}

interface Choice {
  candidate: Candidate;
  score: number;
  pageRules: RuleOutcome[];
}

/** One slot's pick (none when nothing fits), and the candidates the page rules kept out of it. */
interface Assignment {
  choice: Choice | undefined;
  pageExcluded: Array<{ creative: string; rule: RuleName }>;
}

/** Greedy, in slot order: the best-scoring candidate that names the slot and keeps the page diverse. */
function assign(
  slots: readonly string[],
  candidates: readonly Candidate[],
  ctrs: ReadonlyMap<string, number>,
  input: DecisionInput,
): Assignment[] {
  const ranked = candidates
    .map((candidate) => ({ candidate, score: candidate.base * ctrs.get(candidate.creative.id)! }))
    .sort((a, b) => b.score - a.score || compareIds(a.candidate.creative.id, b.candidate.creative.id));
  const used = new Set(input.taken);
  // Creatives already on the page (decided in an earlier batch) count toward the limit too.
  const perCategory = new Map<string, number>();
  for (const { creative } of candidates) {
    if (used.has(creative.id) && creative.category !== undefined) {
      perCategory.set(creative.category, (perCategory.get(creative.category) ?? 0) + 1);
    }
  }
  const limit = input.policy.maxPerCategory;
  return slots.map((slot) => {
    const pageExcluded: Assignment['pageExcluded'] = [];
    for (const entry of ranked) {
      const { creative } = entry.candidate;
      if (!creative.slots.includes(slot)) continue;
      if (used.has(creative.id)) {
        pageExcluded.push({ creative: creative.id, rule: 'duplicate' });
        continue;
      }
      const category = creative.category;
      const count = category === undefined ? 0 : perCategory.get(category) ?? 0;
      if (category !== undefined && count >= limit) {
        pageExcluded.push({ creative: creative.id, rule: 'category-limit' });
        continue;
      }
      used.add(creative.id);
      if (category !== undefined) perCategory.set(category, count + 1);
      const pageRules: RuleOutcome[] = [
        { rule: 'duplicate', passed: true, detail: 'not yet on this page' },
        {
          rule: 'category-limit',
          passed: true,
          detail: category === undefined ? 'no category' : `${count + 1} of ${limit} from ${category} on this page`,
        },
      ];
      return { choice: { candidate: entry.candidate, score: entry.score, pageRules }, pageExcluded };
    }
    return { choice: undefined, pageExcluded };
  });
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
