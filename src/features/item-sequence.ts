/**
 * A visitor's item sequence as the model sees it: the items of their events, oldest
 * first, each at its first occurrence (the Amazon Games data has no repeats, and
 * `npm run train` drops them from logs the same way). Events without an item are skipped.
 *
 * @example
 * itemSequence([{ item: 'a' }, { item: 'b' }, {}, { item: 'a' }]); // ['a', 'b']
 */
export function itemSequence(events: ReadonlyArray<{ item?: string }>): string[] {
  const seen = new Set<string>();
  const sequence: string[] = [];
  for (const { item } of events) {
    if (item === undefined || seen.has(item)) continue;
    seen.add(item);
    sequence.push(item);
  }
  return sequence;
}
