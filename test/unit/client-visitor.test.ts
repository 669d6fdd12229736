import { describe, expect, it } from 'vitest';
import { createVisitor } from '../../src/client/visitor';

describe('the visitor', () => {
  it('keeps the first paint’s id and arm, and notes what was decided ahead and reported', () => {
    const visitor = createVisitor({ visitor: 'v1', arm: 'control', reportedUntil: 5 }, 0.05);
    expect(visitor.arm()).toBe('control');
    visitor.update({ reportedUntil: 9 });
    visitor.update({ ahead: {} });
    expect(visitor.state()).toEqual({ visitor: 'v1', decisions: {}, reportedUntil: 9 });
  });

  it('renew() makes a new anonymous visitor and a new generation', () => {
    const visitor = createVisitor({ visitor: 'v1', arm: 'control', reportedUntil: 5 }, 0);
    visitor.renew();
    expect(visitor.generation()).toBe(1);
    expect(visitor.arm()).toBe('personalized'); // holdout 0: nobody in control
    expect(visitor.state().visitor).not.toBe('v1');
    expect(visitor.reportedUntil()).toBe(0);
  });
});
