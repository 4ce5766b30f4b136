import { z } from 'zod';
import { ConfigError, envVar, readEnv } from './env';

describe('readEnv', () => {
  it('never echoes a secret value in its error', () => {
    const vars = { token: envVar('API_TOKEN', z.string().min(32, { message: 'is too short' }), 'at least 32 characters', true) };
    try {
      readEnv(vars, { API_TOKEN: 'hunter2' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toBe('API_TOKEN=(value hidden) is too short; expected at least 32 characters');
      expect((e as Error).message).not.toContain('hunter2');
    }
  });

  it('leaves a variable with no default undefined', () => {
    expect(readEnv({ x: envVar('X', z.string(), 'text') }, {})).toEqual({ x: undefined });
  });
});
