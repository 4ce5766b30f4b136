import { ConfigError } from './env';
import { exitOnStartupFailure, runUntilSignalled } from './lifecycle';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

describe('runUntilSignalled', () => {
  let before: Map<string, NodeJS.SignalsListener[]>;
  beforeEach(() => {
    before = new Map(SIGNALS.map((s) => [s, process.listeners(s)]));
  });
  afterEach(() => {
    for (const s of SIGNALS) for (const l of process.listeners(s)) if (!before.get(s)?.includes(l)) process.off(s, l as () => void);
  });

  it.each(SIGNALS)('closes the app once on %s, ignoring the duplicate a terminal sends', async (signal) => {
    const close = jest.fn().mockResolvedValue(undefined);
    const lines: string[] = [];
    const done = runUntilSignalled('test-app', { close }, (l) => lines.push(l));
    expect(close).not.toHaveBeenCalled();

    process.emit(signal, signal);
    process.emit(signal, signal);
    await expect(done).resolves.toBe(signal);
    process.emit(signal, signal);

    expect(close).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([`test-app: ${signal} received, shutting down`, 'test-app: stopped']);
  });

  it('rejects when closing fails so main() can exit non-zero', async () => {
    const done = runUntilSignalled('test-app', { close: () => Promise.reject(new Error('disk gone')) }, () => undefined);
    process.emit('SIGTERM', 'SIGTERM');
    await expect(done).rejects.toThrow('disk gone');
  });
});

describe('exitOnStartupFailure', () => {
  function capture(error: unknown): { lines: string; code: unknown } {
    let lines = '';
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((lines += String(chunk)), true));
    const exit = jest.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      throw Object.assign(new Error('exit'), { exitCode: code });
    }) as never);
    try {
      exitOnStartupFailure('keyledger-api')(error);
    } catch (e) {
      return { lines, code: (e as { exitCode?: unknown }).exitCode };
    } finally {
      exit.mockRestore();
    }
    return { lines, code: undefined };
  }

  it('prints one line per configuration problem and exits 2', () => {
    const { lines, code } = capture(new ConfigError(['PORT="x" is not a number', 'HOST is empty']));
    expect(code).toBe(2);
    expect(lines).toBe('keyledger-api: invalid configuration: PORT="x" is not a number\nkeyledger-api: invalid configuration: HOST is empty\n');
  });

  it.each(['KMS_MISCONFIGURED', 'RESILIENCE_CONFIG_INVALID'])('exits 2 for a %s raised past the config loaders', (errorCode) => {
    const { lines, code } = capture(Object.assign(new Error('master key file must have mode 0600'), { code: errorCode }));
    expect(code).toBe(2);
    expect(lines).toBe(`keyledger-api failed: ${errorCode}: master key file must have mode 0600\n`);
  });

  it('prints any other failure with its stable code and exits 1', () => {
    const { lines, code } = capture(Object.assign(new Error('provider refused'), { code: 'KMS_LOCAL_PROVIDER_REFUSED' }));
    expect(code).toBe(1);
    expect(lines).toBe('keyledger-api failed: KMS_LOCAL_PROVIDER_REFUSED: provider refused\n');
  });
});
