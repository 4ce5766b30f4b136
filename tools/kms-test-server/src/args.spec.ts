import { DEFAULT_ALIAS, DEFAULT_PORT, parseServerArgs } from './args';

describe('parseServerArgs', () => {
  it('defaults to port 4599 on loopback with the keyledger master alias and no faults', () => {
    expect(parseServerArgs([])).toEqual({
      port: DEFAULT_PORT,
      host: '127.0.0.1',
      region: 'us-east-1',
      aliases: [DEFAULT_ALIAS],
      faults: { mode: 'none', latencyMs: 0, jitterMs: 0, failNext: null, operations: [] },
    });
    expect(DEFAULT_PORT).toBe(4599);
  });

  it('reads every fault flag and repeated aliases', () => {
    const options = parseServerArgs(['--port', '0', '--alias', 'alias/a', '--alias', 'alias/b', '--fault', 'black-hole', '--latency-ms', '20', '--jitter-ms', '5', '--fail-next', '3', '--fault-operations', 'Sign,Decrypt']);
    expect(options).toMatchObject({
      port: 0,
      aliases: ['alias/a', 'alias/b'],
      faults: { mode: 'black-hole', latencyMs: 20, jitterMs: 5, failNext: 3, operations: ['Sign', 'Decrypt'] },
    });
  });

  it('answers --help and rejects bad values and unknown flags', () => {
    expect(parseServerArgs(['--help'])).toBe('help');
    expect(() => parseServerArgs(['--port', 'abc'])).toThrow('--port');
    expect(() => parseServerArgs(['--fault', 'meteor'])).toThrow('mode must be one of');
    expect(() => parseServerArgs(['--latency-ms', '-5'])).toThrow();
    expect(() => parseServerArgs(['--bogus'])).toThrow();
  });
});
