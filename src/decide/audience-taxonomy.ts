// IAB Tech Lab Audience Taxonomy 1.1 (what Prebid calls segtax 4 and Google Ad Manager's
// Publisher Provided Signals call IAB_AUDIENCE_1_1), from the taxonomy's TSV:
// https://github.com/InteractiveAdvertisingBureau/Taxonomies/blob/b7acdca/Audience%20Taxonomies/Audience%20Taxonomy%201.1.tsv
// Its 1,558 "Unique ID"s are whole numbers in these ranges (inclusive). A copy of the
// source's id and name columns is test/fixtures/iab-audience-1.1-ids.tsv, and
// test/unit/audience-taxonomy.test.ts checks this table against it.

/**
 * The OpenRTB `segtax` value of IAB Audience Taxonomy 1.1.
 *
 * @example
 * ({ name: 'shop.example', ext: { segtax: AUDIENCE_SEGTAX }, segment: [{ id: '733' }] });
 */
export const AUDIENCE_SEGTAX = 4;

const ID_RANGES: ReadonlyArray<readonly [number, number]> = [
  [1, 197], [206, 348], [350, 350], [352, 356], [359, 383], [385, 395], [397, 401], [404, 404], [406, 551],
  [581, 594], [606, 1449], [1451, 1456], [1458, 1462], [1465, 1467], [1469, 1508], [1538, 1544], [1546, 1555],
  [1585, 1679],
];

/**
 * A few ids a shop's mapping commonly needs, with the taxonomy's names (the whole list is
 * in the TSV linked above).
 *
 * @example
 * AUDIENCE_EXAMPLES['733']; // 'Interest | Video Gaming'
 */
export const AUDIENCE_EXAMPLES: Readonly<Record<string, string>> = {
  '606': 'Interest | Shopping',
  '733': 'Interest | Video Gaming',
  '734': 'Interest | Video Gaming | Console Games',
  '737': 'Interest | Video Gaming | PC Games',
  '739': 'Interest | Video Gaming | Action Video Games',
  '740': 'Interest | Video Gaming | Role-Playing Video Games',
  '741': 'Interest | Video Gaming | Simulation Video Games',
  '742': 'Interest | Video Gaming | Sports Video Games',
  '752': 'Purchase Intent*',
  '942': 'Purchase Intent* | Consumer Electronics',
  '970': 'Purchase Intent* | Consumer Electronics | Video Game Console Accessories',
  '971': 'Purchase Intent* | Consumer Electronics | Video Games and Consoles',
};

/**
 * True for a Unique ID of IAB Audience Taxonomy 1.1, written as the taxonomy writes it
 * (decimal, no leading zeros).
 *
 * @example
 * isAudienceId('733'); // true (Interest | Video Gaming)
 * isAudienceId('200'); // false (no such id)
 */
export function isAudienceId(id: string): boolean {
  if (!/^[1-9]\d{0,3}$/.test(id)) return false;
  const n = Number(id);
  return ID_RANGES.some(([low, high]) => n >= low && n <= high);
}
