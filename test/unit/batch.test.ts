import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchCalls } from '../../src/core/batch';

describe('batchCalls', () => {
  afterEach(() => vi.useRealTimers());

  it('runs once for a burst, after the delay, and again for a later burst', () => {
    vi.useFakeTimers();
    const run = vi.fn();
    const batch = batchCalls(run, 50);
    batch.schedule();
    batch.schedule();
    vi.advanceTimersByTime(49);
    expect(run).not.toHaveBeenCalled();
    batch.schedule();
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(1);
    batch.schedule();
    vi.advanceTimersByTime(50);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('stop() cancels what is scheduled and ignores later calls', () => {
    vi.useFakeTimers();
    const run = vi.fn();
    const batch = batchCalls(run, 50);
    batch.schedule();
    batch.stop();
    batch.schedule();
    vi.advanceTimersByTime(500);
    expect(run).not.toHaveBeenCalled();
  });
});
