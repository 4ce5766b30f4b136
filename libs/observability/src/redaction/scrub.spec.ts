import { describeError, scrubText } from './scrub';

describe('scrubText', () => {
  it('removes PEM blocks, JWTs, bearer tokens, assignments and long opaque runs', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----';
    const text = `bad key ${pem} jwt eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.abc auth Bearer s3cr3t password=hunter2 blob ${'A'.repeat(40)}`;
    const out = scrubText(text);
    expect(out).not.toContain('MIGHAgEA');
    expect(out).not.toContain('eyJ');
    expect(out).not.toContain('s3cr3t');
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('A'.repeat(40));
    expect(out).toContain('bad key [REDACTED]');
  });

  it('keeps ordinary words, UUIDs and short ids', () => {
    const text = 'key 1234abcd-12ab-34cd-56ef-1234567890ab of tenant acme is Disabled';
    expect(scrubText(text)).toBe(text);
  });

  it('caps the length', () => {
    expect(scrubText('word '.repeat(200)).length).toBeLessThanOrEqual(301);
  });
});

describe('describeError', () => {
  it('names the error and its code with a scrubbed message', () => {
    const err = Object.assign(new Error(`decrypt failed for ciphertext ${'b'.repeat(48)}`), { code: 'DECRYPT_FAILED' });
    expect(describeError(err)).toBe('Error [DECRYPT_FAILED]: decrypt failed for ciphertext [REDACTED]');
  });

  it('does not echo thrown non-errors other than strings', () => {
    expect(describeError({ secret: 'x' })).toBe('non-error value thrown');
    expect(describeError('plain failure')).toBe('plain failure');
  });
});
