import { guardAsync } from '../core/guard';
import { explain, type Explanation } from '../decide/explain';
import type { Creative } from '../decide/catalog';
import { decideSlots, type Decision, type DecisionInput } from '../decide/rank';
import type { ShownDecision, SlotController } from '../render/slot-controller';
import { findSlots, SLOT_ATTRIBUTE } from '../render/slots';
import type { ModelHost } from './model-host';
import type { ClientContext } from './lifecycle';
import type { Session, VisitorSnapshot } from './session';

/** A decision with the explanation shown by "Why this ad?". */
export interface ExplainedDecision {
  decision: Decision;
  explanation: Explanation;
}

/** When and for which slots decisions are made; one batch at a time. */
export interface DecisionScheduler {
  /** Decides a creative for each named slot (page order), not touching the page. */
  decideFor(names: readonly string[], taken: ReadonlySet<string>): Promise<ExplainedDecision[]>;
  /** The first decisions: waits for the model while slots are hidden (until their deadline), then fills them. */
  decideFirst(): Promise<void>;
  /**
   * Decides slots that wait (hidden; with `approaching`, also far ones coming near) and
   * shows the results. Never rejects: a failure is reported (`render`).
   */
  decideWaiting(candidates: readonly HTMLElement[], approaching?: boolean): Promise<void>;
  /** Decides for every slot on the page, without showing anything. */
  decidePage(): Promise<Decision[]>;
  /** Decides every slot on the page again and swaps the results in. */
  refresh(): Promise<Decision[]>;
  /** How long the last decision took (model included), or null before the first. */
  lastDecisionMs(): number | null;
  /** No more decisions are shown. */
  stop(): void;
}

/** The parts the scheduler uses, besides the client's context. */
export interface SchedulerParts {
  opened: Promise<Session>;
  model: ModelHost;
  slots: SlotController | undefined;
  /** When the client started: slots hidden for a decision wait until `startedAt + hideTimeoutMs`. */
  startedAt: number;
}

/** The models' say in a decision: none in the control arm, whose choice is the non-personalised one. */
async function modelsSay(
  model: ModelHost,
  { events, source, input }: VisitorSnapshot,
  creatives: readonly Creative[],
): Promise<Pick<DecisionInput, 'model' | 'creativeScores'>> {
  if (input.arm !== 'personalized') return {};
  const [view, creativeScores] = await Promise.all([model.view(source, events, creatives), model.creativeScores(source)]);
  return { model: view, creativeScores };
}

const slotName = (slot: HTMLElement): string => slot.getAttribute(SLOT_ATTRIBUTE) ?? '';
const toShown = ({ decision, explanation }: ExplainedDecision): ShownDecision | null =>
  decision.creative ? { creative: decision.creative, explanation } : null;

/**
 * The decision scheduler: decides now (slots hidden for a decision), on approach (slots
 * coming near the viewport), and on request (`decide()`, `refresh()`), one batch at a time
 * so each sees the creatives the one before put on the page.
 *
 * @example
 * const scheduler = createDecisionScheduler(context, { opened, model, slots, startedAt });
 * await scheduler.decideFirst();
 */
export function createDecisionScheduler(
  context: Pick<ClientContext, 'options' | 'consent' | 'doc' | 'report' | 'emit'>,
  { opened, model, slots, startedAt }: SchedulerParts,
): DecisionScheduler {
  const { options, doc } = context;
  let stopped = false;
  let lastDecisionMs: number | null = null;
  let queue: Promise<void> = Promise.resolve();

  async function decideFor(names: readonly string[], taken: ReadonlySet<string>): Promise<ExplainedDecision[]> {
    const session = await opened;
    if (stopped) return [];
    const began = options.clock();
    const snapshot = await session.read();
    const { events, now, input } = snapshot;
    const models = await modelsSay(model, snapshot, session.catalog.creatives);
    const decisions = decideSlots(names, session.catalog.creatives, { ...input, ...models, taken });
    lastDecisionMs = options.clock() - began;
    return decisions.map((decision) => ({ decision, explanation: explain(decision, events, now, options.halfLifeMs, 'live') }));
  }

  async function decideNow(candidates: readonly HTMLElement[], approaching: boolean): Promise<void> {
    await opened;
    const waits = (slot: HTMLElement): boolean => {
      const state = slots?.stateOf(slot);
      return state === 'hidden' || (approaching && state === 'far');
    };
    const todo = candidates.filter((slot) => slot.isConnected && waits(slot));
    if (!slots || todo.length === 0) return;
    const onPage = slots.onPage();
    const results = await decideFor(todo.map(slotName), onPage);
    if (stopped) return;
    results.forEach((result, index) => slots.show(todo[index]!, toShown(result)));
    context.emit('render', results.map((result) => result.decision));
  }

  // One batch at a time (and no slot is decided twice: the second batch finds it decided).
  const decideWaiting = guardAsync((candidates: readonly HTMLElement[], approaching?: boolean): Promise<void> => {
    const turn = queue.then(() => decideNow(candidates, approaching === true));
    queue = turn.catch(() => {}); // a failed batch does not stop the ones after it
    return turn;
  }, undefined, context.report, 'render');

  /** The first decision waits for the model while the slots may stay hidden, and only when it would matter. */
  async function modelOrDeadline(): Promise<void> {
    const session = await opened;
    if ((slots?.waiting() ?? []).length === 0) return; // every slot shows a decision made ahead
    const history = context.consent.allows('personalize') ? await session.history() : [];
    if (history.length === 0) return;
    const left = Math.max(0, startedAt + options.hideTimeoutMs - options.clock());
    await Promise.race([model.settled, new Promise<void>((resolve) => setTimeout(resolve, left))]);
  }

  return {
    decideFor,
    decideWaiting,
    async decideFirst() {
      await modelOrDeadline();
      await decideWaiting(slots?.waiting() ?? []);
    },
    async decidePage() {
      await opened;
      if (!doc) return [];
      return (await decideFor(findSlots(doc).map(slotName), new Set())).map((result) => result.decision);
    },
    async refresh() {
      await opened;
      if (!doc || !slots) return [];
      const found = findSlots(doc);
      const results = await decideFor(found.map(slotName), new Set());
      if (stopped) return [];
      results.forEach((result, index) => slots.replace(found[index]!, toShown(result)));
      const decisions = results.map((result) => result.decision);
      context.emit('render', decisions);
      return decisions;
    },
    lastDecisionMs: () => lastDecisionMs,
    stop: () => void (stopped = true),
  };
}
