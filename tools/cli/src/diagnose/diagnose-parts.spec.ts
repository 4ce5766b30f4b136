import { gunzipSync } from 'node:zlib';
import { isSecretName, parseEnvFile, redactText, redactedEnv } from './redact';
import { tar, tarGz } from './tar';
import { tail } from './diagnose';

describe('redaction', () => {
  it('treats tokens, PINs, passwords, access keys and master keys as secrets, but not key ids', () => {
    for (const name of ['KEYLEDGER_TOKEN', 'PKCS11_PIN', 'AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'LOCAL_KMS_MASTER_KEY', 'AUTH_TOKENS_FILE']) expect(isSecretName(name)).toBe(true);
    for (const name of ['AWS_KMS_MASTER_KEY_ID', 'KMS_PROVIDER', 'PKCS11_MASTER_KEY_LABEL', 'PORT', 'AUTH_MODE']) expect(isSecretName(name)).toBe(false);
  });

  it('redacts bearer tokens, URL passwords, secret JSON fields and known values in free text', () => {
    const text = 'Authorization: Bearer abc.def-ghi esdb://u:pw@h:2113 {"token":"t1","pin":"9","name":"ok"} leaked-value-123';
    expect(redactText(text, ['leaked-value-123'])).toBe('Authorization: Bearer [redacted] esdb://[redacted]@h:2113 {"token":"[redacted]","pin":"[redacted]","name":"ok"} [redacted]');
  });

  it('keeps only keyledger variables, sorted, with secret values replaced', () => {
    expect(redactedEnv({ PATH: '/bin', KMS_PROVIDER: 'aws', PKCS11_PIN: '1234', HOME: '/root', AWS_REGION: 'eu-west-1' })).toBe('AWS_REGION=eu-west-1\nKMS_PROVIDER=aws\nPKCS11_PIN=[redacted]\n');
    expect(parseEnvFile('# c\nexport A=1\nB="two words"\nbad line\n')).toEqual({ A: '1', B: 'two words' });
  });
});

describe('tar writer', () => {
  it('writes 512-byte ustar headers with checksums, padded data and two end blocks', () => {
    const archive = tar([{ name: 'd/a.txt', content: 'hello' }], 0);
    expect(archive.length).toBe(512 + 512 + 1024);
    expect(archive.subarray(257, 262).toString()).toBe('ustar');
    expect(archive.subarray(512, 517).toString()).toBe('hello');
    const stored = parseInt(archive.subarray(148, 154).toString(), 8);
    const copy = Buffer.from(archive.subarray(0, 512));
    copy.fill(' ', 148, 156);
    expect(stored).toBe(copy.reduce((s, b) => s + b, 0));
    expect(gunzipSync(tarGz([{ name: 'x', content: 'y' }])).subarray(512, 513).toString()).toBe('y');
    expect(() => tar([{ name: 'n'.repeat(101), content: '' }])).toThrow('longer than 100 bytes');
  });

  it('tails the last lines of a log', () => {
    expect(tail('a\nb\nc\n', 2)).toBe('b\nc\n');
    expect(tail('', 5)).toBe('');
  });
});
