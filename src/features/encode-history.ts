/**
 * Pure feature code shared by training (Node) and the browser runtime.
 * No DOM, no tfjs, no storage: only typed arrays and maps.
 */

/** Index of the padding slot in the vocabulary (`items.json[0]`). */
export const PAD_INDEX = 0;

/**
 * Map a visitor's item history (oldest first) to the model input row.
 *
 * Unknown items (not in `index`, or mapped to the padding index) are skipped,
 * the most recent `maxLength` known items are kept, and the row is left-padded
 * with 0 so that the most recent item is always in the last slot.
 *
 * @example
 * const index = buildItemIndex(['', 'a', 'b', 'c']);
 * encodeHistory(['a', 'zzz', 'c', 'b'], index, 5); // Int32Array [0, 0, 1, 3, 2]
 * encodeHistory(['a', 'b', 'c'], index, 2);        // Int32Array [2, 3]
 */
export function encodeHistory(
  itemIds: readonly string[],
  index: ReadonlyMap<string, number>,
  maxLength: number,
): Int32Array {
  if (!Number.isInteger(maxLength) || maxLength <= 0) {
    throw new RangeError(`maxLength must be a positive integer, got ${maxLength}`);
  }
  const out = new Int32Array(maxLength);
  let slot = maxLength - 1;
  for (let i = itemIds.length - 1; i >= 0 && slot >= 0; i--) {
    const idx = index.get(itemIds[i]!);
    if (idx === undefined || idx === PAD_INDEX) continue;
    out[slot--] = idx;
  }
  return out;
}

/**
 * Build the id → model-index map from the `items.json` array
 * (position = model index, value = external item id, position 0 = padding).
 * The padding entry is not put in the map, so it can never be encoded.
 *
 * @example
 * const index = buildItemIndex(['', 'sku-1', 'sku-2']);
 * index.get('sku-2'); // 2
 * index.has('');      // false
 */
export function buildItemIndex(items: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  for (let i = 1; i < items.length; i++) {
    const id = items[i];
    if (typeof id !== 'string') throw new TypeError(`items[${i}] is not a string`);
    if (index.has(id)) throw new Error(`duplicate item id in vocabulary: ${JSON.stringify(id)}`);
    index.set(id, i);
  }
  return index;
}
