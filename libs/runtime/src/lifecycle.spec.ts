import { runUntilSignalled } from './lifecycle';

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
