import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AWS_MIN_DELETION_WINDOW_DAYS } from '@keyledger/adapters';
import { DEPLOY, ROOT } from './manifests';

interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Principal?: { AWS: string };
  Condition?: Record<string, Record<string, string>>;
}
interface PolicyDocument {
  Version: string;
  Statement: Statement[];
}

const readPolicy = (file: string): PolicyDocument => JSON.parse(readFileSync(path.join(DEPLOY, 'aws', file), 'utf8')) as PolicyDocument;
const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);
const iam = readPolicy('keyledger-iam-policy.json');
const keyPolicy = readPolicy('master-key-policy.json');

/** `kms:<Operation>` for every `<Operation>Command` the AWS adapter sends. */
function adapterActions(): Set<string> {
  const source = readFileSync(path.join(ROOT, 'libs/adapters/src/kms/aws/aws-kms-provider.ts'), 'utf8');
  return new Set([...source.matchAll(/new (\w+)Command\(/g)].map((m) => `kms:${m[1]}`));
}

describe('IAM policy for keyledger (tools/deploy/aws/keyledger-iam-policy.json)', () => {
  it('grants exactly the KMS operations the AWS adapter calls', () => {
    const granted = new Set(iam.Statement.flatMap((s) => list(s.Action)));
    expect([...granted].sort()).toEqual([...adapterActions()].sort());
    expect(adapterActions().size).toBeGreaterThanOrEqual(5);
  });

  it('has no wildcards in actions and no Deny-less escape hatches', () => {
    for (const s of iam.Statement) {
      expect(s.Effect).toBe('Allow');
      for (const action of list(s.Action)) expect(action).toMatch(/^kms:[A-Za-z]+$/);
    }
    expect(iam.Version).toBe('2012-10-17');
  });

  it('uses Resource "*" only for CreateKey, and then only for P-256 signing keys', () => {
    for (const s of iam.Statement.filter((x) => list(x.Resource).includes('*'))) {
      expect(list(s.Action)).toEqual(['kms:CreateKey']);
      expect(s.Condition?.['StringEquals']).toMatchObject({ 'kms:KeySpec': 'ECC_NIST_P256', 'kms:KeyUsage': 'SIGN_VERIFY' });
    }
  });

  it('lets the master key wrap and unwrap only under keyledger encryption contexts', () => {
    const crypto = iam.Statement.filter((s) => list(s.Action).some((a) => ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'].includes(a)));
    expect(crypto).toHaveLength(1);
    expect(crypto[0].Condition).toEqual({ StringLike: { 'kms:EncryptionContext:purpose': 'keyledger-*' } });
    expect(list(crypto[0].Resource)).toEqual([expect.stringMatching(/^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/)]);
  });

  it('matches the purposes keyledger actually sends', () => {
    const sources = ['libs/key-operations/src/material/key-material.ts', 'libs/key-operations/src/admin/admin-operations.ts'];
    const purposes = sources.flatMap((f) => [...readFileSync(path.join(ROOT, f), 'utf8').matchAll(/purpose: '([^']+)'/g)].map((m) => m[1]));
    expect(purposes.length).toBeGreaterThan(0);
    for (const purpose of purposes) expect(purpose).toMatch(/^keyledger-/);
  });

  it('lets keyledger schedule the deletion of P-256 signing keys only (never the master key), with the 7-day window the adapter asks for', () => {
    const deletion = iam.Statement.filter((s) => list(s.Action).includes('kms:ScheduleKeyDeletion'));
    expect(deletion).toHaveLength(1);
    expect(list(deletion[0].Action)).toEqual(['kms:ScheduleKeyDeletion']);
    expect(deletion[0].Condition).toEqual({
      StringEquals: { 'kms:KeySpec': 'ECC_NIST_P256', 'kms:KeyUsage': 'SIGN_VERIFY' },
      NumericEquals: { 'kms:ScheduleKeyDeletionPendingWindowInDays': String(AWS_MIN_DELETION_WINDOW_DAYS) },
    });
  });

  it('restricts Sign to ECDSA_SHA_256 over digests', () => {
    const sign = iam.Statement.find((s) => list(s.Action).includes('kms:Sign'));
    expect(sign?.Condition?.['StringEquals']).toMatchObject({ 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'DIGEST' });
  });
});

describe('master key policy (tools/deploy/aws/master-key-policy.json)', () => {
  it('keeps the account root in control and gives keyledger no administration', () => {
    expect(keyPolicy.Statement.some((s) => s.Principal?.AWS.endsWith(':root') && list(s.Action).includes('kms:*'))).toBe(true);
    const keyledger = keyPolicy.Statement.filter((s) => s.Principal?.AWS.endsWith(':role/keyledger'));
    const actions = keyledger.flatMap((s) => list(s.Action)).sort();
    expect(actions).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey']);
  });

  it('gives key administrators no cryptographic use of the key', () => {
    const admin = keyPolicy.Statement.find((s) => s.Principal?.AWS.endsWith(':role/keyledger-key-admin'));
    for (const a of ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']) expect(list(admin?.Action ?? [])).not.toContain(a);
  });
});
