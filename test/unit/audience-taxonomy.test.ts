import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIENCE_EXAMPLES, isAudienceId } from '../../src/decide/audience-taxonomy';

// id → name, from the copy of IAB Tech Lab's Audience Taxonomy 1.1 TSV (its source is in the file's header).
const TAXONOMY = new Map(
  readFileSync(new URL('../fixtures/iab-audience-1.1-ids.tsv', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split('\t'))
    .map(([id, , name]) => [id!, name!]),
);

describe('IAB Audience Taxonomy 1.1', () => {
  it('accepts exactly the taxonomy\'s 1,558 unique ids', () => {
    expect(TAXONOMY.size).toBe(1558);
    for (const id of TAXONOMY.keys()) expect(isAudienceId(id)).toBe(true);
    const accepted = Array.from({ length: 2000 }, (_, n) => String(n)).filter(isAudienceId);
    expect(accepted).toEqual([...TAXONOMY.keys()].sort((a, b) => Number(a) - Number(b)));
  });

  it('refuses what is not an id as the taxonomy writes it', () => {
    for (const id of ['0', '0733', '733.0', ' 733', '-1', '200', '1680', 'IAB1', '']) expect(isAudienceId(id)).toBe(false);
  });

  it('names its examples as the taxonomy does', () => {
    for (const [id, name] of Object.entries(AUDIENCE_EXAMPLES)) expect(TAXONOMY.get(id)).toBe(name);
    expect(TAXONOMY.get('733')).toBe('Interest | Video Gaming');
    expect(TAXONOMY.get('971')).toBe('Purchase Intent* | Consumer Electronics | Video Games and Consoles');
  });
});
