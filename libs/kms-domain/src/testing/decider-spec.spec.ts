import { deciderSpec, FixedClock, SpecificationError, ValidationError, type Decider, deepEqual } from '../index';

type Counter = { n: number };
const counter: Decider<{ by: number }, { added: number }, Counter> = {
  decide: ({ by }) => {
    if (by <= 0) throw new ValidationError('by', 'must be positive');
    return [{ added: by }];
  },
  evolve: (s, e) => ({ n: s.n + e.added }),
  initialState: () => ({ n: 0 }),
};
const spec = deciderSpec(counter);

describe('deciderSpec', () => {
  it('passes when the events match and fails with both sides when they do not', () => {
    spec.given([{ added: 1 }]).when({ by: 2 }).then([{ added: 2 }]);
    expect(() => spec.given([]).when({ by: 2 }).then([{ added: 3 }])).toThrow(SpecificationError);
    expect(() => spec.given([]).when({ by: 2 }).then([{ added: 3 }])).toThrow(/"added": 3[\s\S]*"added": 2/);
  });

  it('thenThrows matches by class or code and returns the error', () => {
    expect(spec.given([]).when({ by: 0 }).thenThrows(ValidationError).field).toBe('by');
    expect(spec.given([]).when({ by: 0 }).thenThrows('VALIDATION_FAILED')).toBeInstanceOf(ValidationError);
  });

  it('thenThrows fails on the wrong error or on success', () => {
    expect(() => spec.given([]).when({ by: 0 }).thenThrows('KEY_DISABLED')).toThrow(/Expected code KEY_DISABLED but got/);
    expect(() => spec.given([]).when({ by: 1 }).thenThrows(ValidationError)).toThrow(/Expected ValidationError but got events/);
  });

  it('run hands back events and the state after them', () => {
    expect(spec.given([{ added: 1 }]).when({ by: 2 }).run()).toEqual({ events: [{ added: 2 }], state: { n: 3 } });
  });
});

describe('deepEqual', () => {
  it('compares structurally, ignoring undefined properties', () => {
    expect(deepEqual({ a: [1, { b: 'x' }], c: undefined }, { a: [1, { b: 'x' }] })).toBe(true);
    expect(deepEqual(new Date(1), new Date(1))).toBe(true);
    expect(deepEqual(new Date(1), new Date(2))).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
    expect(deepEqual(1n, 1n)).toBe(true);
  });

  it('renders bigints in failure messages', () => {
    const big = deciderSpec<null, { at: bigint }, null>({ decide: () => [{ at: 2n }], evolve: (s) => s, initialState: () => null });
    expect(() => big.given([]).when(null).then([{ at: 3n }])).toThrow(/"3n"[\s\S]*"2n"/);
  });
});

describe('FixedClock', () => {
  it('returns copies of a fixed moment and moves only when told', () => {
    const clock = new FixedClock(new Date('2025-01-01T00:00:00Z'));
    const first = clock.now();
    first.setFullYear(1999);
    expect(clock.now().toISOString()).toBe('2025-01-01T00:00:00.000Z');
    clock.advance(1000);
    expect(clock.now().toISOString()).toBe('2025-01-01T00:00:01.000Z');
  });
});
