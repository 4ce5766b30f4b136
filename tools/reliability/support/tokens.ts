/** Static tokens for the suite: one per role scoped to the own tenant, plus setup tokens. */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every role the API knows (apps/api/src/auth/principal.ts), repeated here as the expected table's rows. */
export const ROLES = ['client', 'key-admin', 'admin', 'auditor', 'breakglass-requester', 'approver-security', 'approver-finance'] as const;
export type Role = (typeof ROLES)[number];

export const OWN_TENANT = 'acme';
export const FOREIGN_TENANT = 'globex';

/** The suite's tokens: random per run, so a leak scan can look for each of them. */
export interface SuiteTokens {
  /** All roles, all tenants: creates and prepares keys. */
  readonly root: string;
  /** One token per role, reaching only OWN_TENANT. */
  readonly byRole: Readonly<Record<Role, string>>;
  /** Every token in the file. */
  readonly all: readonly string[];
  /** The AUTH_TOKENS_FILE written. */
  readonly file: string;
}

const token = (label: string): string => `kl_rel_${label.replace(/[^a-z]/g, '')}_${randomBytes(18).toString('base64url')}`;

/** Writes the tokens file into `dir` and returns the tokens. */
export function writeSuiteTokens(dir: string): SuiteTokens {
  const root = token('root');
  const byRole = Object.fromEntries(ROLES.map((r) => [r, token(r)])) as Record<Role, string>;
  const entries = [
    { token: root, subject: 'reliability-root', roles: [...ROLES], tenants: ['*'] },
    ...ROLES.map((r) => ({ token: byRole[r], subject: `reliability-${r}`, roles: [r], tenants: [OWN_TENANT] })),
  ];
  const file = join(dir, 'tokens.json');
  writeFileSync(file, JSON.stringify(entries), { mode: 0o600 });
  return { root, byRole, all: [root, ...ROLES.map((r) => byRole[r])], file };
}
