import { decodeStreamId, toStreamName } from '@keyledger/kms-domain';
import { canonicalJson } from '../../src/event-store/canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no insignificant whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('gives the same bytes whatever the key insertion order, and leaves out undefined properties', () => {
    expect(canonicalJson({ x: 1, y: 2, u: undefined })).toBe(canonicalJson({ y: 2, x: 1 }));
  });

  it('escapes strings as JSON does and keeps numbers in their shortest form', () => {
    expect(canonicalJson({ s: 'line\n"q"\u0001', n: 1e21, f: 0.1 })).toBe('{"f":0.1,"n":1e+21,"s":"line\\n\\"q\\"\\u0001"}');
  });

  it('refuses values that are not plain JSON, and cycles', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const bad of [{ n: Number.NaN }, { d: new Date(0) }, { m: new Map() }, { s: Symbol('x') }, cyclic]) {
      expect(() => canonicalJson(bad)).toThrow(expect.objectContaining({ code: 'EVENT_INVALID' }));
    }
  });
});

describe('toStreamName', () => {
  it.each(['tenant/key', 'a b', 'x\ny', 'ünïcode', 'has-dash:colon', '$all', '..'])('escapes the user id %j into a valid name that decodes back', (id) => {
    const name = toStreamName('key', id);
    expect(name).toMatch(/^key-[A-Za-z0-9._~%]+$/);
    expect(decodeStreamId(name)).toBe(id);
  });

  it('refuses a bad category, an empty id and malformed Unicode', () => {
    expect(() => toStreamName('Key-x', 'k1')).toThrow(expect.objectContaining({ code: 'STREAM_NAME_INVALID' }));
    expect(() => toStreamName('key', '')).toThrow(expect.objectContaining({ code: 'STREAM_NAME_INVALID' }));
    expect(() => toStreamName('key', '\ud800')).toThrow(expect.objectContaining({ code: 'STREAM_NAME_INVALID' }));
  });
});
