import { assertNever, EVENT_SCHEMA_VERSIONS, isKeyledgerEventType, KEY_EVENT_TYPES } from '../index';

describe('event catalogue', () => {
  it('knows every key event type; only SignerRetired has moved past schema version 1', () => {
    for (const type of KEY_EVENT_TYPES) expect(EVENT_SCHEMA_VERSIONS[type]).toBe(1);
    const later = Object.entries(EVENT_SCHEMA_VERSIONS).filter(([, v]) => v !== 1);
    expect(later).toEqual([['SignerRetired', 2]]);
  });

  it('recognises event types, and only own entries', () => {
    expect(isKeyledgerEventType('BreakGlassSignatureIssued')).toBe(true);
    expect(isKeyledgerEventType('toString')).toBe(false);
    expect(isKeyledgerEventType(7)).toBe(false);
  });

  it('event names are past tense and aggregate-qualified', () => {
    const prefixes = ['Key', 'BreakGlass', 'Signing', 'Signer', 'Breaker', 'RotationJob'];
    for (const type of Object.keys(EVENT_SCHEMA_VERSIONS)) {
      expect(prefixes.some((p) => type.startsWith(p))).toBe(true);
      expect(type).toMatch(/(ed|Frozen|Lost|Set)$/);
    }
  });
});

describe('assertNever', () => {
  it('names only the type of what it did not expect, or its JS type', () => {
    expect(() => assertNever({ type: 'X', secret: 's3cr3t' } as never)).toThrow(/^Unhandled value: X$/);
    expect(() => assertNever(5 as never, 'count')).toThrow('Unhandled count: number');
  });
});
