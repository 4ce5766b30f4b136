import { FaultController, parseFaultSettings } from './faults';

describe('FaultController', () => {
  it('adds fixed latency plus jitter drawn from 0..jitterMs', () => {
    const draws = [0, 0.5, 0.999];
    const faults = new FaultController({ latencyMs: 100, jitterMs: 40 }, () => draws.shift() ?? 0);
    expect([1, 2, 3].map(() => faults.decide('Sign').delayMs)).toEqual([100, 120, 140]);
  });

  it('spends a fail-next budget only on matching operations, then answers normally', () => {
    const faults = new FaultController({ mode: 'throttle', failNext: 2, operations: ['Decrypt'] });
    expect(faults.decide('Encrypt').action.kind).toBe('answer');
    expect(faults.decide('Decrypt').action).toMatchObject({ kind: 'error', type: 'ThrottlingException', status: 400 });
    expect(faults.decide('Decrypt').action.kind).toBe('error');
    expect(faults.decide('Decrypt').action.kind).toBe('answer');
    expect(faults.stats()).toEqual({ requests: 4, faultsInjected: 2, byOperation: { Encrypt: 1, Decrypt: 3 } });
  });

  it.each([
    ['internal-error', { kind: 'error', type: 'KMSInternalException', status: 500 }],
    ['unavailable', { kind: 'error', type: 'ServiceUnavailableException', status: 503 }],
    ['access-denied', { kind: 'error', type: 'AccessDeniedException', status: 400 }],
    ['disabled-key', { kind: 'error', type: 'DisabledException', status: 400 }],
    ['connection-reset', { kind: 'reset' }],
    ['black-hole', { kind: 'black-hole' }],
  ] as const)('mode %s injects %o until cleared', (mode, action) => {
    const faults = new FaultController({ mode });
    expect(faults.decide('GenerateDataKey').action).toMatchObject(action);
    expect(faults.decide('GenerateDataKey').action).toMatchObject(action);
    faults.clear();
    expect(faults.decide('GenerateDataKey')).toEqual({ delayMs: 0, action: { kind: 'answer' } });
  });

  it.each([
    [{ mode: 'meteor' }, /mode must be one of/],
    [{ latencyMs: -1 }, /latencyMs/],
    [{ jitterMs: 1.5 }, /jitterMs/],
    [{ failNext: 'two' }, /failNext/],
    [{ operations: 'Sign' }, /operations/],
    [[], /must be an object/],
  ])('rejects %o', (input, message) => {
    expect(() => parseFaultSettings(input)).toThrow(message);
  });
});
