import type { Explanation } from '../decide/explain';

const BUTTON_CLASS = 'precis-why';
const PANEL_CLASS = 'precis-why-panel';

/**
 * Adds a small "Why this ad?" button to a filled slot. It opens a panel inside the slot
 * (over the creative, so nothing around it moves) that lists the reasons in plain words,
 * with "Don't show this again" (`onDismiss`) and "Close". Built with DOM APIs and
 * `textContent` only. Style it with `.precis-why` and `.precis-why-panel`.
 *
 * @example
 * addWhyButton(slot, explanation, () => dismiss(slot));
 */
export function addWhyButton(slot: HTMLElement, explanation: Explanation, onDismiss: () => void): void {
  const doc = slot.ownerDocument;
  slot.querySelectorAll(`.${BUTTON_CLASS}, .${PANEL_CLASS}`).forEach((el) => el.remove());
  if (doc.defaultView?.getComputedStyle(slot).position === 'static') slot.style.position = 'relative';
  const button = doc.createElement('button');
  button.type = 'button';
  button.className = BUTTON_CLASS;
  button.textContent = 'Why this ad?';
  Object.assign(button.style, { position: 'absolute', top: '6px', right: '6px', zIndex: '1' });
  button.addEventListener('click', (event) => {
    event.preventDefault();
    event.stopPropagation();
    slot.querySelector(`.${PANEL_CLASS}`)?.remove();
    slot.append(createPanel(doc, explanation, onDismiss));
  });
  slot.append(button);
}

function createPanel(doc: Document, explanation: Explanation, onDismiss: () => void): HTMLElement {
  const panel = doc.createElement('div');
  panel.className = PANEL_CLASS;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', 'Why this ad?');
  Object.assign(panel.style, { position: 'absolute', inset: '0', overflow: 'auto', zIndex: '2' });
  const heading = doc.createElement('strong');
  heading.textContent = 'Why this ad?';
  const list = doc.createElement('ul');
  for (const line of describe(explanation)) {
    const item = doc.createElement('li');
    item.textContent = line;
    list.append(item);
  }
  const actions = doc.createElement('div');
  const hide = doc.createElement('button');
  hide.type = 'button';
  hide.textContent = "Don't show this again";
  hide.addEventListener('click', (event) => {
    event.stopPropagation();
    onDismiss();
  });
  const close = doc.createElement('button');
  close.type = 'button';
  close.textContent = 'Close';
  close.addEventListener('click', (event) => {
    event.stopPropagation();
    panel.remove();
  });
  actions.append(hide, close);
  panel.append(heading, list, actions);
  return panel;
}

const VERBS: Record<string, string> = {
  view: 'viewed', click: 'clicked', add_to_cart: 'added to your cart', purchase: 'bought',
};
const JOBS: Record<string, string> = {
  'item-scores': 'items for you', 'creative-scores': 'click rates for you', propensity: 'likelihood to buy',
};

/**
 * The explanation in plain words, one line per reason.
 *
 * @example
 * describe(explanation); // ['You viewed item 8596 (racing).', 'It is in season: racing.', …]
 */
export function describe(explanation: Explanation): string[] {
  if (explanation.arm === 'control') {
    return ['This ad was not personalised: you are in the group that sees the standard choice, so we can measure what personalisation adds.'];
  }
  const lines: string[] = [];
  for (const event of explanation.events.slice(0, 3)) {
    const what = event.item !== undefined ? `item ${event.item}` : `the ${event.category ?? ''} section`;
    const where = event.item !== undefined && event.category !== undefined ? ` (${event.category})` : '';
    lines.push(`You ${VERBS[event.type] ?? event.type.replace(/_/g, ' ')} ${what}${where} on this device.`);
  }
  for (const reason of explanation.reasons) {
    if (reason.kind === 'category') lines.push(`It is about ${reason.id}, which you showed interest in.`);
    if (reason.kind === 'segment') lines.push(`It is for visitors like you (${reason.id}).`);
    if (reason.kind === 'model') lines.push(`Our on-device model ranks item ${reason.id} high for what you looked at.`);
  }
  if (lines.length === 0) lines.push('Nothing about you: it is the campaign most visitors see first.');
  const interest = explanation.prior?.source === 'interest' ? explanation.prior.interest : undefined;
  if (interest !== undefined) {
    const who = interest === '' ? 'visitors without a clear interest, like you' : `visitors also interested in ${interest}`;
    lines.push(`Its expected click rate comes from ${who}, counted anonymously.`);
  }
  if (explanation.prior?.source === 'model') lines.push('Its expected click rate for you comes from an on-device model.');
  const models = explanation.models ?? [];
  if (models.length > 0) lines.push(`Models used: ${models.map((m) => `${m.name} ${m.version} (${JOBS[m.job] ?? m.job})`).join(', ')}.`);
  if (explanation.probability < 1) {
    lines.push(`Picked with probability ${Math.round(explanation.probability * 100)}% (we try other ads now and then).`);
  }
  lines.push('Worked out in your browser: your activity never left this device.');
  return lines;
}
