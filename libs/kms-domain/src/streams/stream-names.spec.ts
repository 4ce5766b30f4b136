import fc from 'fast-check';
import {
  breakerStream,
  breakGlassStream,
  GLOBAL_SCOPE,
  keyMaterialStream,
  keyStream,
  parseStreamName,
  rotationJobsCurrentStream,
  rotationJobStream,
  SAFE_ID_PATTERN,
  signerRegistryStream,
  signingFreezeStream,
  tenantScope,
} from '../index';

describe('stream names', () => {
  it('builds category-prefixed names', () => {
    expect(keyStream('acme', 'payments-signing')).toBe('key-acme:payments-signing');
    expect(keyMaterialStream('acme', 'k1')).toBe('keymaterial-acme:k1');
    expect(breakGlassStream('bg-1')).toBe('breakglass-bg-1');
    expect(signingFreezeStream(GLOBAL_SCOPE)).toBe('signingfreeze-global');
    expect(signingFreezeStream(tenantScope('acme'))).toBe('signingfreeze-tenant:acme');
    expect(signerRegistryStream()).toBe('signerregistry-global');
    expect(breakerStream('kms-signing-key')).toBe('breaker-kms-signing-key');
    expect(rotationJobStream('rotation-job-1')).toBe('rotationjob-rotation-job-1');
    expect(rotationJobsCurrentStream()).toBe('rotationjobs-current');
  });

  it.each(['', 'a:b', 'a/b', 'a b', 'tab\t', 'nul\u0000', '-leading', '.hidden', 'é', 'x'.repeat(129)])(
    'refuses the id %j',
    (id) => {
      expect(() => keyStream('acme', id)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'keyId' }));
      expect(() => keyStream(id, 'k1')).toThrow(expect.objectContaining({ field: 'tenantId' }));
    },
  );

  it('refuses bad ids in every helper', () => {
    expect(() => keyMaterialStream('a:b', 'k')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => breakGlassStream('../x')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => signingFreezeStream(tenantScope('a b'))).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => breakerStream('')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => rotationJobStream('a:b')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'jobId' }));
  });

  it('parses names back', () => {
    expect(parseStreamName('key-acme:k-1')).toEqual({ category: 'key', ids: ['acme', 'k-1'] });
    expect(parseStreamName('breaker-kms-signing-key')).toEqual({ category: 'breaker', ids: ['kms-signing-key'] });
    expect(() => parseStreamName(42 as never)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    for (const bad of ['nope-x', 'key', '-x', 'key-a::b', 'key-a b']) {
      expect(() => parseStreamName(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    }
  });

  it('property: any two valid ids round-trip through keyStream', () => {
    const id = fc.stringMatching(SAFE_ID_PATTERN);
    fc.assert(
      fc.property(id, id, (tenantId, keyId) => {
        expect(parseStreamName(keyStream(tenantId, keyId))).toEqual({ category: 'key', ids: [tenantId, keyId] });
      }),
    );
  });
});
