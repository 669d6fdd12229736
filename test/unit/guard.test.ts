import { describe, expect, it } from 'vitest';
import { createEmitter } from '../../src/core/emitter';
import { PrecisError } from '../../src/core/errors';
import { guardAsync, guardSync } from '../../src/core/guard';
import { resolveOptions } from '../../src/client/options';
import { DAY_MS } from '../../src/core/clock';

describe('guards', () => {
  it('turn a throw into the fallback and a coded error', () => {
    const errors: PrecisError[] = [];
    const safe = guardSync((x: number) => {
      if (x < 0) throw new RangeError('negative');
      return x * 2;
    }, -1, (e) => errors.push(e), 'invalid-event');
    expect(safe(2)).toBe(4);
    expect(safe(-2)).toBe(-1);
    expect(errors.map((e) => [e.code, e.details.reason])).toEqual([['invalid-event', 'RangeError: negative']]);
  });

  it('keep a PrecisError’s own code', () => {
    const errors: PrecisError[] = [];
    guardSync(() => { throw new PrecisError('render'); }, undefined, (e) => errors.push(e))();
    expect(errors[0]!.code).toBe('render');
  });

  it('never let an async function reject, whether it throws before or after awaiting', async () => {
    const errors: PrecisError[] = [];
    const report = (e: PrecisError) => errors.push(e);
    const late = guardAsync(async () => { await null; throw new Error('late'); }, 'fallback', report);
    const early = guardAsync((() => { throw new Error('early'); }) as () => Promise<string>, 'fallback', report);
    await expect(late()).resolves.toBe('fallback');
    await expect(early()).resolves.toBe('fallback');
    expect(errors).toHaveLength(2);
  });

  it('survive a reporter that throws', () => {
    const safe = guardSync(() => { throw new Error('x'); }, 0, () => { throw new Error('reporter'); });
    expect(safe()).toBe(0);
  });
});

describe('emitter', () => {
  it('isolates a throwing listener and unsubscribes', () => {
    const failures: unknown[] = [];
    const emitter = createEmitter<{ ping: number }>((cause) => failures.push(cause));
    const seen: number[] = [];
    emitter.on('ping', () => { throw new Error('bad listener'); });
    const off = emitter.on('ping', (n) => seen.push(n));
    emitter.emit('ping', 1);
    off();
    emitter.emit('ping', 2);
    expect(seen).toEqual([1]);
    expect(failures).toHaveLength(2);
  });
});

describe('resolveOptions', () => {
  it('fills defaults', () => {
    const options = resolveOptions(undefined, () => { throw new Error('no error expected'); });
    expect(options).toMatchObject({ maxEvents: 1000, retentionMs: 30 * DAY_MS, halfLifeMs: 7 * DAY_MS, autoCapture: true, dbName: 'precis' });
  });

  it('reports each bad value and uses its default', () => {
    const errors: PrecisError[] = [];
    const options = resolveOptions({ maxEvents: -5, retentionDays: Number.NaN, catalog: 42 } as never, (e) => errors.push(e));
    expect(options.maxEvents).toBe(1000);
    expect(options.retentionMs).toBe(30 * DAY_MS);
    expect(options.catalog).toBeUndefined();
    expect(errors.map((e) => [e.code, e.details.option])).toEqual([
      ['invalid-options', 'maxEvents'], ['invalid-options', 'retentionDays'], ['invalid-options', 'catalog'],
    ]);
  });

  it('rejects a non-object', () => {
    const errors: PrecisError[] = [];
    resolveOptions('catalog.json', (e) => errors.push(e));
    expect(errors.map((e) => e.code)).toEqual(['invalid-options']);
  });
});
